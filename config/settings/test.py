"""Test run. DATABASE_URL and REDIS_URL point the suite at real services when set (CI sets both);
tasks run in-process except in the tests that start a real Celery worker.

Each run has its own PostgreSQL test database and its own Redis key prefix, so that two runs
sharing one PostgreSQL or Redis server (two checkouts, two CI jobs) leave each other alone."""

import os
import secrets

from config.settings.base import *  # noqa: F403

# The process id says which run a database or a key belongs to; the random part keeps apart runs
# on different machines (or containers) that happen to have the same process id.
TEST_RUN_ID = f"{os.getpid()}_{secrets.token_hex(3)}"

DEBUG = False
SECRET_KEY = "tests-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
SITE_URL = "http://testserver"
# The webhook tests' receivers listen on 127.0.0.1 over http.
WEBHOOK_ALLOW_LOOPBACK = True
# Serve static files from the source folders, as in development: no collectstatic before tests.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Threads that serve requests in tests (live server) must not keep connections open past the
# request, or the test database cannot be dropped at the end.
_database = DATABASES["default"]  # noqa: F405
_database["CONN_MAX_AGE"] = 0
if _database["ENGINE"] != "django.db.backends.sqlite3":  # SQLite's is in memory: private already
    _database.setdefault("TEST", {})["NAME"] = f"test_{_database['NAME']}_{TEST_RUN_ID}"
# Every key the broker writes starts with the run's prefix (the Celery worker that the tests
# start is given the same prefix), and tests/conftest.py deletes the run's keys at the end.
REDIS_KEY_PREFIX = f"{REDIS_KEY_PREFIX}test_{TEST_RUN_ID}:"  # noqa: F405
CELERY_BROKER_TRANSPORT_OPTIONS = {
    **CELERY_BROKER_TRANSPORT_OPTIONS,  # noqa: F405
    "global_keyprefix": REDIS_KEY_PREFIX,
}
# The cache holds rate-limit counters: each test starts from an empty in-process cache (see
# tests/conftest.py), so counters neither leak between tests nor survive a run in Redis.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Axes warns that a per-process cache cannot count logins across workers: tests run in one
# process (the throttling test on Redis uses the Redis cache).
SILENCED_SYSTEM_CHECKS = ["axes.W001"]
