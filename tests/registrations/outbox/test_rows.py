"""rows_insert writes what bulk_create writes, with SQL written once."""

import pytest
from django.db import connection
from django.db.models.functions import Now
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from registrations.models import ConsentRecord, OutboundEmail, SessionBooking
from registrations.outbox.rows import StatementBatch, rows_insert
from tests.factories import RegistrationFactory, SessionFactory


def emails(registration, session, now) -> list[OutboundEmail]:
    return [
        OutboundEmail(
            registration=registration,
            kind=OutboundEmail.Kind.CONFIRMED,
            recipient=registration.email,
            language="fr",
            next_attempt_at=now,
        ),
        OutboundEmail(
            registration=registration,
            kind=OutboundEmail.Kind.REMINDER,
            recipient=registration.email,
            language="fr",
            session=session,
            status=OutboundEmail.Status.SCHEDULED,
            next_attempt_at=now,
        ),
    ]


def stored(model, pks: list[int]) -> list[dict]:
    """The rows as the database holds them, without what differs between two writes."""
    ignored = {"id", "created_at"}
    return [
        {key: value for key, value in row.items() if key not in ignored}
        for row in model.objects.filter(pk__in=pks).order_by("pk").values()
    ]


@pytest.mark.django_db
def test_rows_inserted_are_those_bulk_create_writes():
    registration = RegistrationFactory()
    session = SessionFactory(conference=registration.conference)
    now = timezone.now()
    by_bulk_create = OutboundEmail.objects.bulk_create(emails(registration, session, now))
    inserted = emails(registration, session, now)

    with CaptureQueriesContext(connection) as queries:
        rows_insert(inserted)

    assert len(queries) == 1
    assert all(email.pk is not None and not email._state.adding for email in inserted)
    assert stored(OutboundEmail, [e.pk for e in inserted]) == stored(
        OutboundEmail, [e.pk for e in by_bulk_create]
    )
    # auto_now_add is set, on the instances as in the rows.
    assert [e.created_at for e in inserted] == list(
        OutboundEmail.objects.filter(pk__in=[e.pk for e in inserted])
        .order_by("pk")
        .values_list("created_at", flat=True)
    )


@pytest.mark.django_db
def test_rows_built_before_the_row_they_refer_to_was_saved_refer_to_it():
    """As a registration's consents and bookings are built before the registration is."""
    registration = RegistrationFactory.build(conference=SessionFactory().conference)
    session = SessionFactory(conference=registration.conference)
    consent = ConsentRecord(
        registration=registration,
        kind=ConsentRecord.Kind.PRIVACY_NOTICE,
        notice_version="v1",
        given_at=timezone.now(),
    )
    booking = SessionBooking(
        registration=registration, session_id=session.pk, status=SessionBooking.Status.WAITING
    )
    registration.authority.save()
    registration.save()

    rows_insert([consent])
    rows_insert([booking])

    assert list(registration.consents.values_list("pk", flat=True)) == [consent.pk]
    assert list(registration.bookings.values_list("pk", flat=True)) == [booking.pk]
    assert booking.created_at is not None


@pytest.mark.django_db
def test_nothing_to_insert_runs_nothing():
    with CaptureQueriesContext(connection) as queries:
        rows_insert([])

    assert len(queries) == 0


def consent_of(registration) -> ConsentRecord:
    return ConsentRecord(
        registration=registration,
        kind=ConsentRecord.Kind.PRIVACY_NOTICE,
        notice_version="v1",
        given_at=timezone.now(),
    )


@pytest.mark.parametrize("batching", [True, False], ids=["one round trip", "one by one"])
@pytest.mark.django_db
def test_a_batch_writes_the_rows_rows_insert_writes_in_the_order_added(batching):
    registration = RegistrationFactory()
    session = SessionFactory(conference=registration.conference)
    now = timezone.now()
    by_rows_insert = emails(registration, session, now)
    rows_insert(by_rows_insert)
    batch = StatementBatch()
    batch.batching = batching and connection.vendor == "postgresql"
    inserted = emails(registration, session, now)
    consent = consent_of(registration)
    saved: list[str] = []

    with CaptureQueriesContext(connection) as queries:
        rows_insert(inserted, batch=batch, then=lambda: saved.append("emails"))
        rows_insert([consent], batch=batch, then=lambda: saved.append("consent"))
        sent = len(queries)
        [(count,)] = batch.send(
            "SELECT COUNT(*) FROM registrations_consentrecord WHERE registration_id = %s",
            [registration.pk],
        )

    # The last statement sees the rows of those before it, and each row has its key.
    assert count == 1
    assert saved == ["emails", "consent"]
    assert consent.pk is not None and not consent._state.adding
    assert stored(OutboundEmail, [e.pk for e in inserted]) == stored(
        OutboundEmail, [e.pk for e in by_rows_insert]
    )
    if batch.batching:
        assert (sent, len(queries)) == (0, 1)
    else:
        assert (sent, len(queries)) == (2, 3)
    assert batch.send() is None


@pytest.mark.django_db
def test_a_fallback_to_bulk_create_sends_the_statements_before_it_first(monkeypatch):
    registration = RegistrationFactory()
    batch = StatementBatch()
    first, second = consent_of(registration), consent_of(registration)
    # An expression is bulk_create's to write, after the row added before it.
    second.given_at = Now()

    with CaptureQueriesContext(connection) as queries:
        rows_insert([first], batch=batch)
        # Waiting in the batch on PostgreSQL; elsewhere (SQLite) written when added.
        added = len(queries)
        rows_insert([second], batch=batch)

    assert added == (0 if batch.batching else 1)
    assert [query["sql"].split()[0] for query in queries.captured_queries][-2:] == [
        "INSERT",
        "INSERT",
    ]
    assert first.pk is not None and second.pk is not None
    assert first.pk < second.pk
