"""Shared fixtures, and the rule for tests that need real services: they skip on a developer's
machine without the service, and fail in CI (CI=true or REQUIRE_SERVICES=1), where a skipped
test would hide that nothing was checked."""

import asyncio
import functools
import os
import socket
import threading
from urllib.parse import urlparse

import pytest
from django.conf import settings

from tests.factories import ConferenceFactory

SERVICES_REQUIRED = os.environ.get("CI", "").lower() in ("1", "true", "yes") or os.environ.get(
    "REQUIRE_SERVICES", ""
) in ("1", "true", "yes")


def _missing(reason: str) -> None:
    if SERVICES_REQUIRED:
        pytest.fail(f"required service missing: {reason}", pytrace=False)
    pytest.skip(reason)


def _redis_reachable() -> bool:
    if not settings.REDIS_URL:
        return False
    url = urlparse(settings.REDIS_URL)
    try:
        with socket.create_connection((url.hostname or "127.0.0.1", url.port or 6379), timeout=1):
            return True
    except OSError:
        return False


def pytest_runtest_setup(item: pytest.Item) -> None:
    on_postgres = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    if item.get_closest_marker("postgres") and not on_postgres:
        _missing("needs PostgreSQL: set DATABASE_URL=postgres://…")
    if item.get_closest_marker("services"):
        if not on_postgres:
            _missing("needs PostgreSQL shared with a Celery worker: set DATABASE_URL=postgres://…")
        if not _redis_reachable():
            _missing("needs Redis: set REDIS_URL=redis://… to a running server")
    if item.get_closest_marker("browser") and not os.path.exists("/usr/bin/chromium"):
        _missing("needs Chromium at /usr/bin/chromium (apt-get install chromium)")


@pytest.fixture(scope="session", autouse=True)
def redis_keys_of_this_run():
    """At the end of the run, deletes the keys the run wrote in Redis: they all start with the
    run's prefix (settings.REDIS_KEY_PREFIX, see config/settings/test.py), queues and bindings
    of the Celery worker tests included."""
    yield
    if not settings.REDIS_KEY_PREFIX or not _redis_reachable():
        return
    import redis

    with redis.Redis.from_url(settings.REDIS_URL, socket_timeout=5) as client:
        prefix = "".join("\\" + c if c in "*?[]\\" else c for c in settings.REDIS_KEY_PREFIX)
        keys = list(client.scan_iter(match=prefix + "*", count=1000))
        if keys:
            client.delete(*keys)


@pytest.fixture(scope="session", autouse=True)
def gazetteers_read_once():
    """Looking coordinates up reads GeoNames' cities into a Gazetteer each time (4 s for the
    demo's countries), and every demo loaded in a test looks them up: the run reads them once
    for each set of countries. A Gazetteer is only read once built, so sharing one changes
    nothing; tests that build one themselves (the module's name, imported earlier) still do."""
    from registrations.network_map import coordinates

    original = coordinates.Gazetteer

    @functools.lru_cache(maxsize=4)
    def built(countries: frozenset[str]) -> coordinates.Gazetteer:
        return original(countries)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(coordinates, "Gazetteer", lambda countries: built(frozenset(countries)))
        yield


@pytest.fixture(autouse=True)
def close_connections_opened_in_event_loop():
    """Closes, after each test, the database connections the test opened in its own thread while
    an asyncio event loop was running there. Playwright's sync API runs one in the test's thread,
    and while it runs Django keeps that thread's connections apart from the usual ones (per async
    context), so nothing else closes them: the browser test's connection used to outlive the run
    and keep the test database from being dropped ("being accessed by other users")."""
    from django.db.backends.signals import connection_created

    test_thread = threading.get_ident()
    opened = []

    def record(sender, connection, **kwargs):
        if threading.get_ident() != test_thread:
            return
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return
        opened.append(connection)

    connection_created.connect(record, weak=False)
    yield
    connection_created.disconnect(record)
    for connection in opened:
        connection.close()


@pytest.fixture
def admin_client(db, admin_user):
    """pytest-django's, with the session verified by a second factor, as a superuser's must be
    to use the admin (tests/staff.py)."""
    from django.test import Client

    from tests.staff import verified_login

    client = Client()
    verified_login(client, admin_user)
    return client


@pytest.fixture
def conference(db):
    return ConferenceFactory()


@pytest.fixture
def smtp_server():
    """A real SMTP server on a free local port."""
    from tests.smtp import SMTPServer

    server = SMTPServer().start()
    yield server
    server.stop()


@pytest.fixture
def smtp_settings(settings, smtp_server):
    """Django sends through the test SMTP server."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = smtp_server.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    return settings


@pytest.fixture
def celery_broker():
    """Makes the test process publish tasks to a real broker instead of running them in-process;
    call it with the broker URL (and a queue of the test's own). Restores in-process mode after."""
    from config.celery_app import app

    saved = app.conf.task_always_eager, app.conf.broker_url, app.conf.task_default_queue

    def drop_cached_connections() -> None:
        # The app caches its connection pool and the producer pool built on it (which in-process
        # tasks create too): drop both, as Celery does after a fork. With the producer pool kept,
        # tasks went on to the broker it was first built for, so a "broker down" test published
        # to the real Redis.
        app._pool = None
        app.amqp._producer_pool = None

    def use(url: str, queue: str = "celery") -> None:
        app.conf.task_always_eager = False
        app.conf.broker_url = url
        app.conf.task_default_queue = queue
        drop_cached_connections()

    yield use
    app.conf.task_always_eager, app.conf.broker_url, app.conf.task_default_queue = saved
    drop_cached_connections()


@pytest.fixture(autouse=True)
def english_by_default():
    """Each test starts in the default language: a request to a French page leaves French
    active in the thread (LocaleMiddleware activates it and nothing resets it)."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def sign_up_timings_of_this_test(monkeypatch):
    """Each test starts with no sign-up timings of earlier tests. The padding learns how long
    sign-ups take in the process (registrations.places.registrations.SignUpTime): carried from
    test to test, the first sign-up of the run (cold caches, seconds) and those made forty at
    once on one lock set a mark that every later test's sign-ups slept up to (12 s of the 18 s
    of a reminders test)."""
    from registrations.places import registrations

    monkeypatch.setattr(registrations, "sign_up_time", registrations.SignUpTime())


@pytest.fixture(autouse=True)
def cache_not_known_down(monkeypatch):
    """Each test starts with the cache not known to be down: a test that failed it (a cache
    unreachable, or a cache call made to raise) leaves it alone for some seconds in the process
    (config.cache_safety), which later tests would run under."""
    from config import cache_safety

    monkeypatch.setattr(cache_safety, "_down_until", 0.0)


@pytest.fixture(autouse=True)
def empty_cache():
    from django.core.cache import cache

    cache.clear()
