"""Test run. DATABASE_URL and REDIS_URL point the suite at real services when set (CI sets both);
tasks run in-process except in the tests that start a real Celery worker."""

from config.settings.base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "tests-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
SITE_URL = "http://testserver"
# Serve static files from the source folders, as in development: no collectstatic before tests.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Threads that serve requests in tests (live server) must not keep connections open past the
# request, or the test database cannot be dropped at the end.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
# The cache holds rate-limit counters: each test starts from an empty in-process cache (see
# tests/conftest.py), so counters neither leak between tests nor survive a run in Redis.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Axes warns that a per-process cache cannot count logins across workers: tests run in one
# process (the throttling test on Redis uses the Redis cache).
SILENCED_SYSTEM_CHECKS = ["axes.W001"]
