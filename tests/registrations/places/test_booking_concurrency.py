"""Session sign-up under real concurrency on PostgreSQL."""

from functools import partial

import pytest

from registrations.models import SessionBooking
from registrations.places.bookings import session_bookings_set
from registrations.places.status import registration_cancel
from tests.concurrency import run_concurrently
from tests.factories import RegistrationFactory, SessionFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_100_concurrent_bookings_for_20_places_give_20_places_and_80_waiting(conference):
    workshop = SessionFactory(conference=conference, capacity=20)
    registrations = RegistrationFactory.create_batch(100, conference=conference)

    run_concurrently(
        100,
        lambda index: session_bookings_set(registration=registrations[index], sessions=[workshop]),
    )

    statuses = list(SessionBooking.objects.values_list("status", flat=True))
    assert statuses.count(SessionBooking.Status.BOOKED) == 20
    assert statuses.count(SessionBooking.Status.WAITING) == 80


def test_booking_the_same_sessions_in_opposite_orders_never_deadlocks(conference):
    morning = SessionFactory(conference=conference, capacity=3)
    afternoon = SessionFactory(
        conference=conference,
        capacity=3,
        starts_at=morning.ends_at,
        ends_at=morning.ends_at + (morning.ends_at - morning.starts_at),
    )
    registrations = RegistrationFactory.create_batch(8, conference=conference)

    def churn(index: int) -> None:
        registration = registrations[index]
        order = [morning, afternoon] if index % 2 else [afternoon, morning]
        for _round in range(10):
            session_bookings_set(registration=registration, sessions=order)
            session_bookings_set(registration=registration, sessions=order[:1])
            session_bookings_set(registration=registration, sessions=[])
            session_bookings_set(registration=registration, sessions=order[::-1])

    run_concurrently(8, churn)  # a deadlock would raise here

    for session in (morning, afternoon):
        booked = session.bookings.filter(status=SessionBooking.Status.BOOKED).count()
        waiting = session.bookings.filter(status=SessionBooking.Status.WAITING).count()
        assert (booked, waiting) == (3, 5)


def test_concurrent_cancellations_give_each_freed_place_once(conference):
    workshop = SessionFactory(conference=conference, capacity=5)
    holders = RegistrationFactory.create_batch(5, conference=conference)
    waiting = RegistrationFactory.create_batch(8, conference=conference)
    for registration in (*holders, *waiting):
        session_bookings_set(registration=registration, sessions=[workshop])

    run_concurrently(5, lambda index: registration_cancel(registration=holders[index]))

    statuses = list(workshop.bookings.values_list("status", flat=True))
    assert statuses.count(SessionBooking.Status.BOOKED) == 5
    assert statuses.count(SessionBooking.Status.WAITING) == 3


def test_cancelling_while_another_delegate_drops_the_session_never_deadlocks(conference):
    """The first in a full session's waiting list cancels while a holder drops the session:
    both free or take the same rows and must not wait on each other."""
    for _round in range(15):
        workshop = SessionFactory(conference=conference, capacity=1)
        holder, first_waiting, second_waiting = RegistrationFactory.create_batch(
            3, conference=conference
        )
        for registration in (holder, first_waiting, second_waiting):
            session_bookings_set(registration=registration, sessions=[workshop])

        actions = [
            partial(session_bookings_set, registration=holder, sessions=[]),
            partial(registration_cancel, registration=first_waiting),
        ]
        run_concurrently(2, lambda index, actions=actions: actions[index]())  # no deadlock

        statuses = dict(workshop.bookings.values_list("registration_id", "status"))
        assert statuses == {second_waiting.pk: SessionBooking.Status.BOOKED}
