"""A room change racing bookings, on PostgreSQL: the session never ends with more delegates
booked than places, unless someone allowed to book over capacity made the change."""

import pytest
from django.core.exceptions import ValidationError

from conference.models import Room, Session
from conference.services import room_save, session_save
from registrations.models import SessionBooking
from registrations.places.bookings import session_booking_add
from tests.concurrency import run_concurrently
from tests.factories import RegistrationFactory, RoomFactory, SessionFactory
from tests.factories.registrations import SessionBookingFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

BOOKED, WAITING = SessionBooking.Status.BOOKED, SessionBooking.Status.WAITING


def race_once(conference, *, allow_over_capacity: bool):
    """A workshop in a 100-seat room with 10 delegates booked; 20 more book it while an
    organiser moves it into a 20-seat room. Returns the workshop (fresh), its booked and waiting
    counts, and whether the move was refused."""
    workshop = SessionFactory(
        conference=conference, capacity=None, room=RoomFactory(venue=conference.venue)
    )
    small_room = RoomFactory(venue=conference.venue, capacity=20)
    for registration in RegistrationFactory.create_batch(10, conference=conference):
        SessionBookingFactory(registration=registration, session=workshop, status=BOOKED)
    newcomers = RegistrationFactory.create_batch(20, conference=conference)

    def act(index: int) -> str:
        if index == 10:  # the organiser, amid the delegates
            session = Session.objects.get(pk=workshop.pk)
            session.room = small_room
            try:
                session_save(
                    session=session,
                    changed_fields={"room"},
                    allow_over_capacity=allow_over_capacity,
                )
            except ValidationError:
                return "refused"
            return "moved"
        session_booking_add(
            registration=newcomers[index if index < 10 else index - 1], session=workshop
        )
        return "booked"

    outcomes = run_concurrently(21, act)
    workshop.refresh_from_db()
    booked = workshop.bookings.filter(status=BOOKED).count()
    waiting = workshop.bookings.filter(status=WAITING).count()
    return workshop, booked, waiting, "refused" in outcomes


def race(conference, *, allow_over_capacity: bool, rounds: int = 3):
    for _round in range(rounds):
        yield race_once(conference, allow_over_capacity=allow_over_capacity)


def test_room_change_racing_20_bookings_never_leaves_more_booked_than_places(conference):
    for workshop, booked, waiting, refused in race(conference, allow_over_capacity=False):
        assert booked + waiting == 30
        assert booked <= workshop.effective_capacity
        if refused:
            assert workshop.room.capacity == 100
            assert booked == 30
        else:
            assert workshop.room.capacity == 20
            assert (booked, waiting) == (20, 10)


def test_room_change_racing_bookings_over_capacity_only_by_permission(conference):
    for workshop, booked, waiting, refused in race(conference, allow_over_capacity=True):
        assert not refused
        assert workshop.room.capacity == 20
        assert booked + waiting == 30
        # Over only by those booked before the move: nobody got a place after it.
        if booked > 20:
            assert waiting == 30 - booked


def test_room_shrink_racing_20_bookings_never_leaves_more_booked_than_seats(conference):
    """A workshop without a capacity of its own in a 100-seat room, 10 delegates booked; 20 more
    book it while an organiser cuts the room to 20 seats (room_save)."""
    for _round in range(3):
        room = RoomFactory(venue=conference.venue, capacity=100)
        workshop = SessionFactory(conference=conference, capacity=None, room=room)
        for registration in RegistrationFactory.create_batch(10, conference=conference):
            SessionBookingFactory(registration=registration, session=workshop, status=BOOKED)
        newcomers = RegistrationFactory.create_batch(20, conference=conference)

        def act(index: int, room=room, workshop=workshop, newcomers=newcomers) -> str:
            if index == 10:  # the organiser, amid the delegates
                changed = Room.objects.get(pk=room.pk)
                changed.capacity = 20
                try:
                    room_save(room=changed)
                except ValidationError:
                    return "refused"
                return "shrunk"
            session_booking_add(
                registration=newcomers[index if index < 10 else index - 1], session=workshop
            )
            return "booked"

        outcomes = run_concurrently(21, act)
        room.refresh_from_db()
        booked = workshop.bookings.filter(status=BOOKED).count()
        waiting = workshop.bookings.filter(status=WAITING).count()
        assert booked + waiting == 30
        assert booked <= room.capacity
        if "refused" in outcomes:
            assert (room.capacity, booked) == (100, 30)
        else:
            assert (room.capacity, booked, waiting) == (20, 20, 10)
