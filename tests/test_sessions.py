"""Sessions (config/sessions.py): Django's database sessions, a new one's key not asked about
before its INSERT, which decides."""

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext

from config import sessions
from config.sessions import SessionStore

pytestmark = pytest.mark.django_db


def test_the_engine_in_use():
    assert settings.SESSION_ENGINE == "config.sessions"


def test_a_new_session_is_one_insert_without_a_select_before():
    store = SessionStore()
    store["registration_done"] = {"conference": 1}

    with CaptureQueriesContext(connection) as queries:
        store.save()

    statements = [query["sql"].split()[0].upper() for query in queries.captured_queries]
    assert "SELECT" not in statements
    assert statements.count("INSERT") == 1
    assert SessionStore(store.session_key).load() == {"registration_done": {"conference": 1}}


def test_a_key_taken_is_not_overwritten_and_another_is_drawn(monkeypatch):
    taken = SessionStore()
    taken["mine"] = "kept"
    taken.save()
    keys = iter([taken.session_key, "b" * 32])
    monkeypatch.setattr(sessions, "get_random_string", lambda length, chars: next(keys))

    store = SessionStore()
    store["other"] = 1
    store.save()

    assert store.session_key == "b" * 32
    assert SessionStore(taken.session_key).load() == {"mine": "kept"}
    assert Session.objects.count() == 2
