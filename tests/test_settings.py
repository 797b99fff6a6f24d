"""Production settings: they refuse to start without secrets, and pass Django's deploy check."""

import os
import subprocess
import sys
from pathlib import Path

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
        },
    )
    assert result.returncode == 0, result.stderr
