"""The booking services as organisers use them: a full session refused instead of its waiting
list, a place over capacity (recorded in the history), a move in one step, the delegate told."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model

from registrations.errors import BookingError, SessionFullError
from registrations.models import OutboundEmail, Registration, SessionBooking
from registrations.places.bookings import (
    session_booking_add,
    session_booking_move,
    session_booking_remove,
    session_places_taken,
)
from tests.factories import RegistrationFactory, SessionFactory
from tests.factories.registrations import SessionBookingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def organiser():
    return get_user_model().objects.create_user("organiser", password="x", is_staff=True)


def full_session(conference, **fields):
    session = SessionFactory(conference=conference, capacity=1, title="Port of Nice", **fields)
    SessionBookingFactory(
        registration=RegistrationFactory(conference=conference),
        session=session,
        status=SessionBooking.Status.BOOKED,
    )
    return session


def afternoon(conference):
    return dt.datetime.combine(conference.start_date, dt.time(14), conference.tzinfo)


def status_of(registration, session) -> str | None:
    booking = registration.bookings.filter(session=session).first()
    return booking.status if booking else None


def test_full_session_joins_the_waiting_list_by_default(conference):
    session = full_session(conference)
    registration = RegistrationFactory(conference=conference)

    booking, created = session_booking_add(registration=registration, session=session)

    assert created
    assert booking.status == SessionBooking.Status.WAITING


def test_full_session_refused_when_the_waiting_list_is_not_wanted(conference):
    session = full_session(conference)
    registration = RegistrationFactory(conference=conference)

    with pytest.raises(SessionFullError) as refused:
        session_booking_add(registration=registration, session=session, waiting_list=False)

    assert refused.value.message == "“Port of Nice” is full: 1 of 1 places are booked."
    assert status_of(registration, session) is None


def test_over_capacity_gives_a_place_and_records_it(conference, organiser):
    session = full_session(conference)
    registration = RegistrationFactory(conference=conference)
    history_before = registration.history.count()

    booking, created = session_booking_add(
        registration=registration, session=session, over_capacity=True, by=organiser
    )

    assert created
    assert booking.status == SessionBooking.Status.BOOKED
    assert booking.booked_at is not None
    session.refresh_from_db()
    assert session_places_taken(session) == 2
    assert registration.history.count() == history_before + 1
    record = registration.history.latest("history_date")
    assert record.history_type == "~"
    assert record.history_user == organiser
    assert record.history_change_reason == (
        "Booked over capacity in “Port of Nice”: 2 booked for 1 places."
    )
    assert record.status == Registration.Status.CONFIRMED


def test_over_capacity_places_a_delegate_already_waiting(conference, organiser):
    session = full_session(conference)
    registration = RegistrationFactory(conference=conference)
    session_booking_add(registration=registration, session=session)

    booking, created = session_booking_add(
        registration=registration, session=session, over_capacity=True, by=organiser
    )

    assert not created
    assert booking.status == SessionBooking.Status.BOOKED


def test_over_capacity_with_places_left_is_an_ordinary_booking(conference, organiser):
    session = SessionFactory(conference=conference, capacity=10)
    registration = RegistrationFactory(conference=conference)
    history_before = registration.history.count()

    booking, _created = session_booking_add(
        registration=registration, session=session, over_capacity=True, by=organiser
    )

    assert booking.status == SessionBooking.Status.BOOKED
    assert registration.history.count() == history_before


def test_over_capacity_does_not_place_an_unconfirmed_delegate(conference, organiser):
    session = full_session(conference)
    registration = RegistrationFactory(conference=conference, status=Registration.Status.PENDING)

    booking, _created = session_booking_add(
        registration=registration, session=session, over_capacity=True, by=organiser
    )

    # Only confirmed delegates hold places; the waiting list counts once they are.
    assert booking.status == SessionBooking.Status.WAITING


def test_notify_tells_the_delegate(conference):
    session = SessionFactory(conference=conference)
    registration = RegistrationFactory(conference=conference)

    session_booking_add(registration=registration, session=session, notify=True)
    session_booking_remove(registration=registration, session_id=session.pk, notify=True)

    assert (
        list(OutboundEmail.objects.filter(registration=registration).values_list("kind", flat=True))
        == [OutboundEmail.Kind.SESSIONS_CHANGED] * 2
    )


def test_without_notify_nobody_is_told(conference):
    session = SessionFactory(conference=conference)
    registration = RegistrationFactory(conference=conference)

    session_booking_add(registration=registration, session=session)

    assert not OutboundEmail.objects.filter(registration=registration).exists()


def test_move_frees_the_old_place_for_its_waiting_list(conference):
    old = SessionFactory(conference=conference, capacity=1, title="Night-time economy")
    new = SessionFactory(conference=conference, capacity=5, starts_at=afternoon(conference))
    registration = RegistrationFactory(conference=conference)
    waiting = RegistrationFactory(conference=conference)
    session_booking_add(registration=registration, session=old)
    session_booking_add(registration=waiting, session=old)

    booking = session_booking_move(registration=registration, session_id=old.pk, to=new)

    assert booking.session == new
    assert booking.status == SessionBooking.Status.BOOKED
    assert status_of(registration, old) is None
    assert status_of(waiting, old) == SessionBooking.Status.BOOKED
    assert OutboundEmail.objects.filter(
        registration=waiting, kind=OutboundEmail.Kind.SESSION_PROMOTED
    ).exists()


def test_move_refused_keeps_the_old_booking_and_the_waiting_list(conference):
    old = SessionFactory(conference=conference, capacity=1)
    new = full_session(conference, starts_at=afternoon(conference))
    registration = RegistrationFactory(conference=conference)
    waiting = RegistrationFactory(conference=conference)
    session_booking_add(registration=registration, session=old)
    session_booking_add(registration=waiting, session=old)

    with pytest.raises(SessionFullError):
        session_booking_move(
            registration=registration, session_id=old.pk, to=new, waiting_list=False
        )

    assert status_of(registration, old) == SessionBooking.Status.BOOKED
    assert status_of(registration, new) is None
    assert status_of(waiting, old) == SessionBooking.Status.WAITING
    assert not OutboundEmail.objects.filter(registration=waiting).exists()


def test_move_checks_clashes_with_the_other_sessions(conference):
    morning = SessionFactory(conference=conference, title="Morning workshop")
    other_morning = SessionFactory(conference=conference, title="Other workshop")
    later = SessionFactory(conference=conference, starts_at=afternoon(conference))
    registration = RegistrationFactory(conference=conference)
    session_booking_add(registration=registration, session=morning)
    session_booking_add(registration=registration, session=later)

    with pytest.raises(BookingError):
        session_booking_move(registration=registration, session_id=later.pk, to=other_morning)
    # Moving the morning session itself to its neighbour is no clash.
    session_booking_move(registration=registration, session_id=morning.pk, to=other_morning)

    assert status_of(registration, other_morning) == SessionBooking.Status.BOOKED
    assert status_of(registration, morning) is None


def test_move_of_a_session_not_held_is_refused(conference):
    session = SessionFactory(conference=conference)
    other = SessionFactory(conference=conference, starts_at=afternoon(conference))
    registration = RegistrationFactory(conference=conference)

    with pytest.raises(BookingError):
        session_booking_move(registration=registration, session_id=session.pk, to=other)
