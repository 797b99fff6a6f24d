"""Real `celery -A config worker` processes for the end-to-end tests: each on the test's own
queue, sharing the test's PostgreSQL database and the run's Redis key prefix."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def database_url() -> str:
    db = connection.settings_dict
    user = db["USER"] or "postgres"
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return (
        f"postgres://{user}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )


def worker_environment(**variables: str) -> dict[str, str]:
    """The worker's environment: the test's database and Redis, then the test's own settings."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "REDIS_KEY_PREFIX": settings.REDIS_KEY_PREFIX,  # the run's keys, deleted at its end
        "DJANGO_SITE_URL": "http://testserver",
        **variables,
    }


def worker_start(*, queue: str, name: str, env: dict[str, str], log_path: Path):
    """Starts a worker and returns it once it answers a ping (fails the test after 60 s)."""
    from config.celery_app import app

    with log_path.open("w") as log:
        process = subprocess.Popen(
            [
                *(sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo"),
                *("-Q", queue, "-n", name, "--without-gossip", "--without-mingle", "-l", "info"),
            ],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 60
    while not app.control.ping(destination=[name], timeout=0.5):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            process.wait()
            pytest.fail(f"Celery worker did not start:\n{log_path.read_text()}")
    return process


def worker_stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
