"""Production settings: they refuse to start without secrets, and pass Django's deploy check."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def run_manage(*args: str, env: dict) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT_ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings.production", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_fail_fast_without_secret_key():
    result = run_manage("check", env={"DJANGO_ALLOWED_HOSTS": "conference.example.org"})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_settings_pass_the_deploy_check():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env={
            "DJANGO_SECRET_KEY": "x7#Kp2!vQ9$mW4&zR8*tY6^uB3@nE5%hJ1(cL0)fG" * 2,
            "DJANGO_ALLOWED_HOSTS": "conference.example.org",
            # Production runs on Redis (the login throttle's counters are shared by the
            # workers there); the check does not connect to it.
            "REDIS_URL": "redis://redis:6379/0",
        },
    )
    assert result.returncode == 0, result.stderr


def test_production_deploy_check_fails_without_redis_for_the_login_throttle():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env={
            "DJANGO_SECRET_KEY": "x7#Kp2!vQ9$mW4&zR8*tY6^uB3@nE5%hJ1(cL0)fG" * 2,
            "DJANGO_ALLOWED_HOSTS": "conference.example.org",
            "REDIS_URL": "",
        },
    )
    assert result.returncode != 0
    assert "axes.W001" in result.stderr


ENTRY_POINTS = {
    "wsgi": "import config.wsgi",
    "asgi": "import config.asgi",
    "celery": "from config.celery_app import app; app.loader.import_default_modules()",
}


@pytest.mark.parametrize("entry_point", sorted(ENTRY_POINTS))
def test_entry_points_load_production_settings_by_default(entry_point):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    script = (
        ENTRY_POINTS[entry_point]
        + "\nfrom django.conf import settings"
        + "\nprint(settings.SETTINGS_MODULE, settings.DEBUG)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=PROJECT_ROOT,
        env={
            **clean,
            "DJANGO_SECRET_KEY": "x7#Kp2!vQ9$mW4&zR8*tY6^uB3@nE5%hJ1(cL0)fG" * 2,
            "DJANGO_ALLOWED_HOSTS": "conference.example.org",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["config.settings.production", "False"]


def test_manage_py_loads_local_settings_by_default():
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "--verbosity",
            "0",
            "-c",
            "from django.conf import settings; print(settings.SETTINGS_MODULE)",
        ],
        cwd=PROJECT_ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["config.settings.local"]
