import threading
import time
from unittest.mock import patch

import pytest
from django.db import connection, transaction
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext

from conference.models import Conference
from registrations.outbox.rows import StatementBatch
from registrations.places.locking import (
    conference_lock_and_read,
    places_lock,
    session_places_lock,
)
from tests.factories import RegistrationFactory, SessionFactory


@pytest.mark.django_db(transaction=True)
def test_places_lock_refuses_to_run_outside_a_transaction(conference):
    with pytest.raises(TransactionManagementError):
        places_lock(conference=conference)


@pytest.mark.django_db
def test_places_lock_returns_fresh_rows_of_what_it_locks(conference):
    registration = RegistrationFactory(conference=conference)
    sessions = [SessionFactory(conference=conference) for _ in range(3)]
    conference.capacity = 999  # changed in memory only: the lock reads the row anew

    with transaction.atomic():
        locked = places_lock(
            conference=conference,
            registration=registration,
            session_ids=[sessions[2].pk, sessions[0].pk],
        )

    assert locked.conference.pk == conference.pk
    assert locked.conference.capacity != 999
    assert locked.registration.pk == registration.pk
    assert list(locked.sessions) == sorted([sessions[0].pk, sessions[2].pk])


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_places_lock_takes_conference_then_registration_then_sessions_in_id_order(conference):
    registration = RegistrationFactory(conference=conference)
    sessions = [SessionFactory(conference=conference) for _ in range(2)]

    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        places_lock(
            conference=conference,
            registration=registration,
            session_ids=[sessions[1].pk, sessions[0].pk],
        )

    locking = [
        query["sql"] for query in queries.captured_queries if "FOR NO KEY UPDATE" in query["sql"]
    ]
    assert len(locking) == 3
    assert 'FROM "conference_conference"' in locking[0]
    assert 'FROM "registrations_registration"' in locking[1]
    assert 'FROM "conference_session"' in locking[2]
    assert (
        locking[2]
        .rstrip()
        .endswith(
            'ORDER BY "conference_session"."id" ASC FOR NO KEY UPDATE OF "conference_session"'
        )
    )


def conference_values(conference: Conference) -> dict:
    return {field.attname: getattr(conference, field.attname) for field in Conference._meta.fields}


COUNT_REGISTRATIONS = "SELECT COUNT(*) FROM registrations_registration WHERE conference_id = %s"


@pytest.mark.parametrize("batching", [True, False], ids=["one round trip", "two"])
@pytest.mark.django_db
def test_conference_lock_and_read_gives_the_row_places_lock_gives(conference, batching):
    RegistrationFactory(conference=conference)
    conference.capacity = 999  # changed in memory only: the lock reads the row anew

    with transaction.atomic():
        expected = places_lock(conference=conference).conference
    with (
        transaction.atomic(),
        CaptureQueriesContext(connection) as queries,
        patch.object(StatementBatch, "__init__", batch_init(batching)),
    ):
        locked, row, _sessions = conference_lock_and_read(
            conference, COUNT_REGISTRATIONS, [conference.pk]
        )

    assert type(locked) is Conference and not locked._state.adding
    assert locked._state.db == "default"
    assert conference_values(locked) == conference_values(expected)
    assert locked.capacity != 999
    assert row == (1,)
    one_trip = batching and connection.vendor == "postgresql"
    assert len(queries) == (1 if one_trip else 2)
    assert "FOR NO KEY UPDATE" in queries[0]["sql"] or connection.vendor != "postgresql"


def batch_init(batching: bool):
    original = StatementBatch.__init__

    def init(self, using="default"):
        original(self, using)
        self.batching = self.batching and batching

    return init


@pytest.mark.django_db
def test_conference_lock_and_read_of_a_conference_gone_raises_does_not_exist():
    with transaction.atomic(), pytest.raises(Conference.DoesNotExist):
        conference_lock_and_read(Conference(pk=987654), COUNT_REGISTRATIONS, [987654])


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_what_is_read_with_the_lock_is_read_once_it_is_taken(conference):
    """The read sees what the transaction that held the lock before committed (a statement
    of its own, with its own snapshot, after the lock's)."""
    holding = threading.Event()

    def hold() -> None:
        try:
            with transaction.atomic():
                places_lock(conference=conference)
                holding.set()
                time.sleep(0.3)
                RegistrationFactory(conference=conference)
        finally:
            connection.close()

    holder = threading.Thread(target=hold)
    holder.start()
    assert holding.wait(10)
    with transaction.atomic():
        _locked, row, _sessions = conference_lock_and_read(
            conference, COUNT_REGISTRATIONS, [conference.pk]
        )
    holder.join()

    assert row == (1,)


@pytest.mark.django_db
def test_conference_lock_and_read_locks_the_sessions_after_the_conference(conference):
    sessions = [SessionFactory(conference=conference, capacity=5 + index) for index in range(2)]

    with transaction.atomic():
        expected = session_places_lock([session.pk for session in sessions])
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        _locked, row, locked_sessions = conference_lock_and_read(
            conference,
            COUNT_REGISTRATIONS,
            [conference.pk],
            session_ids=[sessions[1].pk, sessions[0].pk],
        )

    assert row == (0,)
    assert locked_sessions == expected
    assert list(locked_sessions) == sorted(session.pk for session in sessions)
    statements = [s for query in queries.captured_queries for s in query["sql"].split(";\n")]
    assert 'FROM "conference_conference"' in statements[0]
    assert "conference_session" in statements[2]
    if connection.vendor == "postgresql":
        assert len(queries) == 1
