import pytest
from django.db import connection, transaction
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext

from registrations.places.locking import places_lock
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
