"""The sessions' place counters (Session.places_booked): equal to a recount of the bookings that
hold a place after every change of a booking or of a registration's status, checked and fixed
by place_counts_check, read under the locks instead of counting."""

import datetime as dt
import importlib
from io import StringIO

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conference.models import Session
from conference.services import room_save, session_save
from registrations.access.self_service import registration_change_sessions
from registrations.authorities.delegations import (
    Coordinator,
    delegation_register,
    delegation_substitute,
)
from registrations.errors import BookingError, SessionFullError
from registrations.models import Registration, SessionBooking
from registrations.places.bookings import (
    session_booking_add,
    session_booking_move,
    session_booking_remove,
    session_bookings_set,
)
from registrations.places.counters import (
    PlaceCountMismatch,
    place_counts_check,
    session_places_move,
)
from registrations.places.registrations import RegistrationData, registration_create
from registrations.places.status import (
    registration_approve,
    registration_cancel,
    registration_reinstate,
    registration_reject,
    waitlist_promote,
)
from tests.concurrency import run_concurrently
from tests.factories import (
    AuthorityFactory,
    ConferenceFactory,
    RegistrationFactory,
    RoomFactory,
    SessionFactory,
)
from tests.factories.registrations import SessionBookingFactory
from tests.registrations.places.test_counters import round_trips

BOOKED = SessionBooking.Status.BOOKED
WAITING = SessionBooking.Status.WAITING

fill = importlib.import_module("conference.migrations.0010_session_places_booked")


def person(index: int) -> RegistrationData:
    return RegistrationData(
        first_name="Delegate",
        last_name=f"Seated{index}",
        email=f"seated{index}@example.org",
        job_title="Adviser",
    )


def places(*sessions: Session, served: bool = True) -> list[tuple[int, int]]:
    """For each session: its counter as stored, and the bookings holding a place, recounted.
    Also checks that place_counts_check, which recounts everything, finds nothing wrong, and
    (`served`) that no confirmed delegate waits for a free place."""
    figures = []
    for session in sessions:
        session.refresh_from_db()
        figures.append((session.places_booked, session.bookings.filter(status=BOOKED).count()))
    assert place_counts_check() == []
    if served:
        assert nobody_confirmed_waits_for_a_free_place()
    return figures


def nobody_confirmed_waits_for_a_free_place() -> bool:
    """What a new registration's bookings rely on (session_bookings_new): no session with a
    free place has a confirmed delegate in its waiting list, whatever changed before."""
    for session in Session.objects.all():
        capacity = session.effective_capacity
        free = capacity is None or session.bookings.filter(status=BOOKED).count() < capacity
        confirmed_waiting = session.bookings.filter(
            status=WAITING, registration__status=Registration.Status.CONFIRMED
        )
        if free and confirmed_waiting.exists():
            return False
    return True


def right(*sessions: Session, served: bool = True) -> list[int]:
    """The places booked of each session, once checked equal to the recount."""
    figures = places(*sessions, served=served)
    assert [stored for stored, _counted in figures] == [counted for _stored, counted in figures]
    return [stored for stored, _counted in figures]


def later(session: Session, hours: int, **overrides) -> Session:
    values = {
        "conference": session.conference,
        "starts_at": session.starts_at + dt.timedelta(hours=hours),
        "ends_at": session.ends_at + dt.timedelta(hours=hours),
    }
    values.update(overrides)
    return SessionFactory(**values)


@pytest.fixture
def conference(db):
    return ConferenceFactory(capacity=100)


@pytest.fixture
def workshop(conference):
    return SessionFactory(conference=conference, title="Night-time economy", capacity=2)


@pytest.mark.django_db
def test_bookings_set_replaced_and_given_up_keep_the_counter(conference, workshop):
    visit = later(workshop, 3, kind=Session.Kind.SITE_VISIT, capacity=1)
    first, second, third = RegistrationFactory.create_batch(3, conference=conference)

    session_bookings_set(registration=first, sessions=[workshop, visit])
    session_bookings_set(registration=second, sessions=[workshop, visit])
    session_bookings_set(registration=third, sessions=[workshop])
    assert right(workshop, visit) == [2, 1]
    assert third.bookings.get().status == WAITING

    # Giving up the workshop frees a place, which the third takes.
    session_bookings_set(registration=first, sessions=[visit])
    assert right(workshop, visit) == [2, 1]
    assert third.bookings.get().status == BOOKED
    assert session_booking_remove(registration=first, session_id=visit.pk)
    assert right(workshop, visit) == [2, 1]
    assert second.bookings.get(session=visit).status == BOOKED
    assert session_booking_remove(registration=third, session_id=workshop.pk)
    session_bookings_set(registration=second, sessions=[])
    assert right(workshop, visit) == [0, 0]


@pytest.mark.django_db
def test_organisers_add_move_and_over_capacity_keep_the_counter(conference, workshop):
    other = later(workshop, 3, capacity=1)
    holders = RegistrationFactory.create_batch(2, conference=conference)
    for holder in holders:
        session_booking_add(registration=holder, session=workshop)
    late = RegistrationFactory(conference=conference)
    assert right(workshop, other) == [2, 0]

    # Refused: the transaction is undone, the counter with it.
    with pytest.raises(SessionFullError):
        session_booking_add(registration=late, session=workshop, waiting_list=False)
    assert right(workshop, other) == [2, 0]
    booking, _created = session_booking_add(registration=late, session=workshop, over_capacity=True)
    assert booking.status == BOOKED
    assert right(workshop, other) == [3, 0]

    # Moving frees the place left (nobody waits for it) and takes one in the other session.
    session_booking_move(registration=late, session_id=workshop.pk, to=other)
    assert right(workshop, other) == [2, 1]
    with pytest.raises(SessionFullError):
        session_booking_move(
            registration=holders[0], session_id=workshop.pk, to=other, waiting_list=False
        )
    assert right(workshop, other) == [2, 1]
    # Waiting for the other session: the workshop's place stays free.
    session_booking_move(registration=holders[0], session_id=workshop.pk, to=other)
    assert right(workshop, other) == [1, 1]


@pytest.mark.django_db
def test_new_registrations_book_and_wait_and_their_status_changes_keep_the_counter(workshop):
    conference = workshop.conference
    conference.capacity = 3
    conference.save()
    authority = AuthorityFactory()
    outcomes = [
        registration_create(
            conference=conference, authority=authority, data=person(i), sessions=[workshop]
        )
        for i in range(5)
    ]
    confirmed = [o.registration for o in outcomes if o.registration.status == "confirmed"]
    assert len(confirmed) == 3
    assert right(workshop) == [2]

    # A holder cancels: the confirmed delegate waiting gets the place; the conference's
    # waiting list gives the freed conference place to the fourth, who then waits for the
    # workshop (full again).
    registration_cancel(registration=confirmed[0])
    assert right(workshop) == [2]
    fourth = Registration.objects.get(pk=outcomes[3].registration.pk)
    assert fourth.status == Registration.Status.CONFIRMED
    assert fourth.bookings.get().status == WAITING

    # More conference places: the fifth is promoted, still waiting for the workshop; then a
    # workshop holder cancels and the earliest confirmed waiting takes the place.
    conference.capacity = 10
    conference.save()
    waitlist_promote(conference=conference)
    registration_cancel(registration=confirmed[1])
    assert right(workshop) == [2]
    fourth.refresh_from_db()
    assert fourth.bookings.get().status == BOOKED
    # A cancellation while waiting frees no place.
    registration_cancel(registration=outcomes[4].registration)
    assert right(workshop) == [2]
    # Reinstated: the sessions are not given back.
    registration_reinstate(registration=confirmed[0])
    assert right(workshop) == [2]


@pytest.mark.django_db
def test_approval_rejection_and_a_substitute_keep_the_counter(workshop):
    conference = workshop.conference
    conference.approval_for_non_members = True
    conference.save()
    outsider = AuthorityFactory(is_member=False)
    pending = [
        registration_create(
            conference=conference, authority=outsider, data=person(i), sessions=[workshop]
        ).registration
        for i in range(3)
    ]
    # Pending delegates hold no place.
    assert right(workshop) == [0]
    registration_approve(registration=pending[0])
    assert right(workshop) == [1]
    registration_reject(registration=pending[1])
    registration_approve(registration=pending[2])
    assert right(workshop) == [2]

    delegation = delegation_register(
        conference=conference,
        authority=AuthorityFactory(),
        coordinator=Coordinator(first_name="Marie", last_name="Dupont", email="marie@example.org"),
        members=[person(10)],
    )
    member = delegation.members.get()
    session_booking_add(registration=member, session=later(workshop, 3, capacity=1))
    # The substitute takes over the bookings: the places stay held.
    delegation_substitute(registration=member, data=person(11))
    assert right(workshop, Session.objects.get(capacity=1)) == [2, 1]


@pytest.mark.django_db
def test_self_service_change_keeps_the_counter(workshop):
    conference = workshop.conference
    conference.changes_close_at = timezone.now() + dt.timedelta(days=5)
    conference.save()
    other = later(workshop, 3, capacity=5)
    first, second, third = RegistrationFactory.create_batch(3, conference=conference)
    for registration in (first, second, third):
        session_bookings_set(registration=registration, sessions=[workshop])

    registration_change_sessions(registration=first, sessions=[other])

    assert right(workshop, other) == [2, 1]
    assert third.bookings.get().status == BOOKED


@pytest.mark.django_db
def test_capacity_and_room_changes_fill_places_and_keep_the_counter(workshop):
    conference = workshop.conference
    room = RoomFactory(venue=conference.venue, capacity=1)
    roomed = later(workshop, 3, room=room, capacity=None)
    registrations = RegistrationFactory.create_batch(4, conference=conference)
    for registration in registrations:
        session_bookings_set(registration=registration, sessions=[workshop, roomed])
    assert right(workshop, roomed) == [2, 1]

    workshop.capacity = 3
    session_save(session=workshop, changed_fields={"capacity"})
    room.capacity = 3
    room_save(room=room)

    # The saves gave the places themselves: nothing else ran.
    assert right(workshop, roomed) == [3, 3]


@pytest.mark.django_db
def test_a_stale_copy_of_the_session_saved_keeps_the_counter(conference, workshop):
    stale = Session.objects.get(pk=workshop.pk)
    session_booking_add(registration=RegistrationFactory(conference=conference), session=workshop)

    stale.title = "Renamed while someone booked"
    stale.save()
    session_save(session=stale, changed_fields={"title"})

    assert right(workshop) == [1]
    assert workshop.title == "Renamed while someone booked"


@pytest.mark.django_db
def test_a_counter_changes_only_under_the_sessions_lock(workshop):
    with pytest.raises(ValueError, match="only under their lock"):
        session_places_move({workshop.pk: 1}, sessions={})
    assert right(workshop) == [0]


@pytest.mark.django_db
def test_check_finds_and_fixes_a_wrong_session_counter(conference, workshop):
    other = later(workshop, 3)
    session_booking_add(registration=RegistrationFactory(conference=conference), session=workshop)
    Session.objects.filter(pk=workshop.pk).update(places_booked=5)
    Session.objects.filter(pk=other.pk).update(places_booked=1)

    assert place_counts_check() == [
        PlaceCountMismatch(
            conference_id=conference.pk,
            session_id=workshop.pk,
            field="places_booked",
            stored=5,
            counted=1,
        ),
        PlaceCountMismatch(
            conference_id=conference.pk,
            session_id=other.pk,
            field="places_booked",
            stored=1,
            counted=0,
        ),
    ]
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("place_counts_check", stdout=out)
    assert f"Session {workshop.pk} of conference {conference.pk}: places_booked is 5" in (
        out.getvalue()
    )

    call_command("place_counts_check", "--fix", stdout=StringIO())

    assert right(workshop, other) == [1, 0]


@pytest.mark.django_db
def test_the_migration_fills_the_counters_from_the_bookings(conference, workshop):
    other = later(workshop, 3)
    for registration in RegistrationFactory.create_batch(3, conference=conference):
        SessionBookingFactory(registration=registration, session=workshop, status=BOOKED)
        SessionBookingFactory(registration=registration, session=other, status=WAITING)
    Session.objects.update(places_booked=0)

    fill.session_places_booked_fill(django_apps, None)

    # Bookings written as they are, not as the services would have left them.
    assert right(workshop, other, served=False) == [3, 0]


# PostgreSQL: the locks are found by their FOR NO KEY UPDATE, which SQLite leaves out.
@pytest.mark.postgres
@pytest.mark.django_db
def test_the_locked_section_counts_no_bookings_whatever_their_number(conference, workshop):
    workshop.capacity = 1000
    workshop.save()
    authority = AuthorityFactory()

    def statements(index: int) -> list[str]:
        with CaptureQueriesContext(connection) as queries:
            registration_create(
                conference=conference, authority=authority, data=person(index), sessions=[workshop]
            )
        locked = [query["sql"] for query in queries.captured_queries]
        return locked[next(i for i, sql in enumerate(locked) if "FOR NO KEY UPDATE" in sql) :]

    few = statements(1)
    for registration in RegistrationFactory.create_batch(30, conference=conference):
        SessionBookingFactory(registration=registration, session=workshop, status=BOOKED)
    many = statements(2)

    assert len(many) == len(few)
    assert not [sql for sql in many if "COUNT(" in sql.upper() and "sessionbooking" in sql]
    # The session's lock, the booking written with its place (no waiting-list read, no update
    # of a booking first written as waiting), the counter.
    # The session locked with the conference, after it, in one round trip; the booking and
    # the counter with the history row, the consent and the emails in another.
    assert round_trips(many) == [
        [
            "SELECT conference_conference",
            "SELECT registrations_authorityallotment",
            "SELECT conference_session",
        ],
        ["INSERT registrations_registration"],
        [
            "INSERT registrations_historicalregistration",
            "UPDATE conference_conference",
            "INSERT registrations_consentrecord",
            "INSERT registrations_sessionbooking",
            "UPDATE conference_session",
            "INSERT registrations_outboundemail",
        ],
        ["RELEASE"],
    ]
    assert right(workshop) == [32]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_bookings_of_the_last_places_never_oversell_and_keep_the_counter():
    """Five places, three held: 30 delegates race for the last two, by registering with the
    session, by booking it, while two holders cancel."""
    conference = ConferenceFactory(
        capacity=200, registration_closes_at=timezone.now() + dt.timedelta(days=5)
    )
    workshop = SessionFactory(conference=conference, capacity=5)
    authority = AuthorityFactory()
    holders = RegistrationFactory.create_batch(3, conference=conference)
    for holder in holders:
        session_booking_add(registration=holder, session=workshop)
    others = RegistrationFactory.create_batch(15, conference=conference)

    def act(index: int) -> None:
        if index < 2:
            registration_cancel(registration=holders[index])
        elif index < 17:
            session_booking_add(registration=others[index - 2], session=workshop)
        else:
            registration_create(
                conference=conference, authority=authority, data=person(index), sessions=[workshop]
            )

    run_concurrently(30, act)

    assert right(workshop) == [5]
    # Nobody confirmed waits while a place is free, and nobody is booked twice.
    assert workshop.bookings.filter(status=WAITING).count() == 1 + 15 + 13 - 5
    assert place_counts_check() == []


@pytest.mark.django_db
def test_sessions_refused_at_sign_up_are_not_locked_and_refused_after_the_checks_before(
    conference, workshop
):
    """Sessions that clash are refused as before, after the address and the places are
    checked, and are not locked with the conference."""
    authority = AuthorityFactory()
    clashing = SessionFactory(
        conference=conference,
        kind=workshop.kind,
        starts_at=workshop.starts_at,
        ends_at=workshop.ends_at,
        capacity=5,
    )

    with CaptureQueriesContext(connection) as queries, pytest.raises(BookingError):
        registration_create(
            conference=conference,
            authority=authority,
            data=person(1),
            sessions=[workshop, clashing],
        )

    assert not [q for q in queries.captured_queries if "conference_session" in q["sql"]]
    assert not Registration.objects.filter(email=person(1).email).exists()
    # An address registered is answered as such first, as before: no refusal of the sessions.
    registration_create(conference=conference, authority=authority, data=person(2))
    again = registration_create(
        conference=conference, authority=authority, data=person(2), sessions=[workshop, clashing]
    )
    assert not again.created
