"""rows_insert writes what bulk_create writes, with SQL written once."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from registrations.models import ConsentRecord, OutboundEmail, SessionBooking
from registrations.outbox.rows import rows_insert
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
