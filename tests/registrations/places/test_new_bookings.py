"""A new registration's sessions are written booked or waiting at once (session_bookings_new),
without the rebalance: the outcome must be the one the rebalance gives, in every case."""

import datetime as dt

import pytest
from django.utils import timezone

from conference.models import Session
from registrations.models import OutboundEmail, Registration, SessionBooking
from registrations.places.bookings import session_bookings_set, sessions_rebalance
from registrations.places.registrations import RegistrationData, registration_create
from registrations.places.status import registration_cancel
from tests.factories import (
    AuthorityFactory,
    ConferenceFactory,
    RegistrationFactory,
    RoomFactory,
    SessionFactory,
)

BOOKED = SessionBooking.Status.BOOKED
WAITING = SessionBooking.Status.WAITING


def person(index: int) -> RegistrationData:
    return RegistrationData(
        first_name="Delegate",
        last_name=f"New{index}",
        email=f"new{index}@example.org",
        job_title="Adviser",
    )


def programme(*, capacity: int = 10, approval: bool = False) -> dict[str, Session]:
    """A conference whose sessions cover every case of a place: free, full (its last place
    held, a pending delegate waiting), without a limit, limited by its room alone (free), and
    by a full room."""
    conference = ConferenceFactory(capacity=capacity, approval_for_non_members=approval)
    start = dt.datetime.combine(conference.start_date, dt.time(9), tzinfo=dt.UTC)

    def session(hour: int, **fields) -> Session:
        return SessionFactory(
            conference=conference,
            starts_at=start + dt.timedelta(hours=hour),
            ends_at=start + dt.timedelta(hours=hour, minutes=50),
            **fields,
        )

    sessions = {
        "free": session(0, capacity=3, room=None),
        "full": session(1, capacity=1, room=None),
        "unlimited": session(2, capacity=None, room=None),
        "room": session(3, capacity=None, room=RoomFactory(venue=conference.venue, capacity=2)),
        "full_room": session(
            4, capacity=None, room=RoomFactory(venue=conference.venue, capacity=1)
        ),
    }
    holder = RegistrationFactory(conference=conference)
    session_bookings_set(registration=holder, sessions=[sessions["full"], sessions["full_room"]])
    waiting = RegistrationFactory(conference=conference, status=Registration.Status.PENDING)
    session_bookings_set(registration=waiting, sessions=[sessions["full"], sessions["free"]])
    return sessions


def outcome(registration: Registration, sessions: dict[str, Session]) -> dict:
    """Where the registration stands in each session, each session's counter, and every
    booking's status (whose place changed) and every email of the conference."""
    bookings = {booking.session_id: booking for booking in registration.bookings.all()}
    for session in sessions.values():
        session.refresh_from_db()
    conference = registration.conference
    return {
        "mine": {
            name: (bookings[session.pk].status, bookings[session.pk].booked_at is not None)
            for name, session in sessions.items()
        },
        "places_booked": {name: session.places_booked for name, session in sessions.items()},
        "bookings": sorted(
            SessionBooking.objects.filter(session__conference=conference).values_list(
                "registration_id", "session_id", "status", "booked_at"
            )
        ),
        "emails": sorted(
            OutboundEmail.objects.filter(registration__conference=conference).values_list(
                "registration_id", "kind", "session_id"
            )
        ),
    }


def register(sessions: dict[str, Session], *, index: int, now, **kwargs) -> Registration:
    conference = next(iter(sessions.values())).conference
    return registration_create(
        conference=conference,
        data=person(index),
        sessions=list(sessions.values()),
        now=now,
        **kwargs,
    ).registration


@pytest.mark.django_db
def test_a_confirmed_newcomer_is_booked_where_places_are_free_and_waits_where_not():
    sessions = programme()
    now = timezone.now()

    registration = register(sessions, index=1, now=now, authority=AuthorityFactory())

    assert registration.status == Registration.Status.CONFIRMED
    found = outcome(registration, sessions)
    assert found["mine"] == {
        "free": (BOOKED, True),
        "full": (WAITING, False),
        "unlimited": (BOOKED, True),
        "room": (BOOKED, True),
        "full_room": (WAITING, False),
    }
    assert found["places_booked"] == {
        "free": 1,
        "full": 1,
        "unlimited": 1,
        "room": 1,
        "full_room": 1,
    }
    assert set(registration.bookings.filter(status=BOOKED).values_list("booked_at", flat=True)) == {
        now
    }
    # Told where they stand, nothing about the sessions (the status email lists them).
    assert sorted(registration.emails.values_list("kind", flat=True)) == ["confirmed", "reminder"]


@pytest.mark.parametrize(
    "case", ["confirmed", "waitlisted", "pending"], ids=["confirmed", "waitlisted", "pending"]
)
@pytest.mark.django_db
def test_a_newcomers_bookings_are_those_the_rebalance_gives(case):
    """The same delegate registered with their sessions, and registered without them and then
    choosing them (session_bookings_set: written waiting, then the rebalance), end alike; and a
    rebalance after the registration has nothing left to give."""
    now = timezone.now()
    capacity = 2 if case == "waitlisted" else 10
    found = []
    for index, with_sessions in ((1, True), (2, False)):
        sessions = programme(capacity=capacity, approval=case == "pending")
        authority = AuthorityFactory(is_member=case != "pending")
        if case == "waitlisted":
            RegistrationFactory(conference=sessions["free"].conference)
        chosen = sessions if with_sessions else {}
        registration = registration_create(
            conference=sessions["free"].conference,
            authority=authority,
            data=person(index),
            sessions=list(chosen.values()),
            now=now,
        ).registration
        assert registration.status == case
        if not with_sessions:
            session_bookings_set(registration=registration, sessions=sessions.values(), now=now)
        before = outcome(registration, sessions)
        sessions_rebalance(session_ids=[session.pk for session in sessions.values()], now=now)
        assert outcome(registration, sessions) == before
        found.append(before)

    registered_with, chosen_after = found
    assert registered_with["mine"] == chosen_after["mine"]
    assert registered_with["places_booked"] == chosen_after["places_booked"]
    if case != "confirmed":
        assert {status for status, _booked in registered_with["mine"].values()} == {WAITING}


@pytest.mark.django_db
def test_a_confirmed_newcomer_waiting_gets_the_next_place_before_a_pending_one_ahead():
    sessions = programme()
    full = sessions["full"]
    holder = full.bookings.get(status=BOOKED).registration

    registration = register(sessions, index=1, now=timezone.now(), authority=AuthorityFactory())
    registration_cancel(registration=holder)

    assert registration.bookings.get(session=full).status == BOOKED
    assert full.bookings.get(status=WAITING).registration.status == Registration.Status.PENDING


@pytest.mark.django_db(transaction=True)
def test_a_newcomer_booked_is_marked_changed_once_committed():
    """As the rebalance marks the delegates it gives places to: after the commit, so that a
    system reading changes since a time sees the registration's bookings."""
    sessions = programme()
    registration = register(sessions, index=1, now=timezone.now(), authority=AuthorityFactory())
    created = registration.updated_at

    registration.refresh_from_db()

    assert registration.updated_at > created
