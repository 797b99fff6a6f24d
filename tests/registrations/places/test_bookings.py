import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conference.models import Session
from conference.services import session_save
from registrations.errors import BookingError
from registrations.forms.registration import RegistrationForm
from registrations.models import OutboundEmail, Registration, SessionBooking
from registrations.places.bookings import BookingChanges, session_bookings_set
from registrations.places.registrations import RegistrationData, registration_create
from registrations.places.selectors import SessionAvailability, session_availability
from registrations.places.status import registration_cancel
from tests.factories import (
    AuthorityFactory,
    ConferenceFactory,
    RegistrationFactory,
    RoomFactory,
    SessionFactory,
)

pytestmark = pytest.mark.django_db

Booked = SessionBooking.Status.BOOKED
Waiting = SessionBooking.Status.WAITING


def statuses(registration) -> dict[str, str]:
    return {b.session.title: b.status for b in registration.bookings.select_related("session")}


def later(session, hours: int, **overrides):
    """A session of the same conference `hours` after `session`."""
    values = {
        "conference": session.conference,
        "starts_at": session.starts_at + dt.timedelta(hours=hours),
        "ends_at": session.ends_at + dt.timedelta(hours=hours),
    }
    values.update(overrides)
    return SessionFactory(**values)


@pytest.fixture
def workshop(conference):
    return SessionFactory(conference=conference, title="Drugs and nightlife", capacity=2)


def test_booking_gives_a_place_while_places_remain_then_the_waiting_list(conference, workshop):
    first, second, third = RegistrationFactory.create_batch(3, conference=conference)

    for registration in (first, second, third):
        session_bookings_set(registration=registration, sessions=[workshop])

    assert statuses(first) == {"Drugs and nightlife": Booked}
    assert statuses(second) == {"Drugs and nightlife": Booked}
    assert statuses(third) == {"Drugs and nightlife": Waiting}
    assert session_availability([workshop])[workshop.pk] == SessionAvailability(
        places_left=0, booked=2, waiting=1
    )


def test_session_capacity_defaults_to_its_room(conference):
    room = RoomFactory(venue=conference.venue, capacity=1)
    session = SessionFactory(conference=conference, room=room, capacity=None)
    first, second = RegistrationFactory.create_batch(2, conference=conference)

    session_bookings_set(registration=first, sessions=[session])
    session_bookings_set(registration=second, sessions=[session])

    assert first.bookings.get().status == Booked
    assert second.bookings.get().status == Waiting


def test_session_without_room_or_capacity_has_unlimited_places(conference):
    visit = SessionFactory(
        conference=conference, kind=Session.Kind.SITE_VISIT, room=None, capacity=None
    )
    registrations = RegistrationFactory.create_batch(5, conference=conference)

    for registration in registrations:
        session_bookings_set(registration=registration, sessions=[visit])

    assert set(SessionBooking.objects.values_list("status", flat=True)) == {Booked}
    assert session_availability([visit])[visit.pk].places_left is None


def test_overlapping_sessions_are_refused_naming_them(conference, workshop):
    clashing = later(workshop, 0, title="Video surveillance and ethics")
    registration = RegistrationFactory(conference=conference)

    with pytest.raises(BookingError) as raised:
        session_bookings_set(registration=registration, sessions=[workshop, clashing])

    assert raised.value.message == (
        "“Drugs and nightlife” and “Video surveillance and ethics” take place at the same time."
    )
    assert registration.bookings.count() == 0


def test_back_to_back_sessions_do_not_clash(conference, workshop):
    next_slot = SessionFactory(
        conference=conference,
        starts_at=workshop.ends_at,
        ends_at=workshop.ends_at + dt.timedelta(hours=1),
    )
    registration = RegistrationFactory(conference=conference)

    session_bookings_set(registration=registration, sessions=[workshop, next_slot])

    assert registration.bookings.count() == 2


@pytest.mark.parametrize("kind", [Session.Kind.PLENARY, Session.Kind.BREAK, Session.Kind.SOCIAL])
def test_sessions_open_to_all_cannot_be_booked(conference, kind):
    session = SessionFactory(conference=conference, kind=kind)
    with pytest.raises(BookingError):
        session_bookings_set(
            registration=RegistrationFactory(conference=conference), sessions=[session]
        )


def test_session_of_another_conference_cannot_be_booked(conference):
    elsewhere = SessionFactory()
    with pytest.raises(BookingError):
        session_bookings_set(
            registration=RegistrationFactory(conference=conference), sessions=[elsewhere]
        )


def test_cancelled_registration_cannot_book(conference, workshop):
    registration = RegistrationFactory(conference=conference, status=Registration.Status.CANCELLED)
    with pytest.raises(BookingError):
        session_bookings_set(registration=registration, sessions=[workshop])


def test_waitlisted_delegate_waits_even_when_places_remain(conference, workshop):
    registration = RegistrationFactory(conference=conference, status=Registration.Status.WAITLISTED)

    session_bookings_set(registration=registration, sessions=[workshop])

    assert statuses(registration) == {"Drugs and nightlife": Waiting}
    assert session_availability([workshop])[workshop.pk].waiting == 0  # not counted yet


def test_dropping_a_session_gives_the_place_to_the_first_confirmed_in_its_waiting_list(
    conference, workshop
):
    holders = RegistrationFactory.create_batch(2, conference=conference)
    unconfirmed = RegistrationFactory(conference=conference, status=Registration.Status.WAITLISTED)
    first_waiting, second_waiting = RegistrationFactory.create_batch(2, conference=conference)
    for registration in (*holders, unconfirmed, first_waiting, second_waiting):
        session_bookings_set(registration=registration, sessions=[workshop])

    changes = session_bookings_set(registration=holders[0], sessions=[])

    assert changes.removed == [workshop]
    assert statuses(unconfirmed) == {"Drugs and nightlife": Waiting}
    assert statuses(first_waiting) == {"Drugs and nightlife": Booked}
    assert statuses(second_waiting) == {"Drugs and nightlife": Waiting}
    email = first_waiting.emails.get()
    assert (email.kind, email.session) == (OutboundEmail.Kind.SESSION_PROMOTED, workshop)


def test_changing_choice_keeps_unchanged_bookings(conference, workshop):
    other = later(workshop, 3, title="Youth and sport")
    registration = RegistrationFactory(conference=conference)
    session_bookings_set(registration=registration, sessions=[workshop])
    original = registration.bookings.get()

    changes = session_bookings_set(registration=registration, sessions=[workshop, other])

    assert [booking.session for booking in changes.added] == [other]
    assert registration.bookings.get(session=workshop).pk == original.pk
    assert session_bookings_set(registration=registration, sessions=[other, workshop]) == (
        BookingChanges(added=[], removed=[])
    )


def test_cancelling_a_registration_frees_its_session_places(conference, workshop):
    holder, other_holder, waiting = RegistrationFactory.create_batch(3, conference=conference)
    for registration in (holder, other_holder, waiting):
        session_bookings_set(registration=registration, sessions=[workshop])

    registration_cancel(registration=holder)

    assert holder.bookings.count() == 0
    assert statuses(waiting) == {"Drugs and nightlife": Booked}


def test_confirming_from_conference_waiting_list_takes_up_session_waiting_lists():
    conference = ConferenceFactory(capacity=1)
    workshop = SessionFactory(conference=conference, capacity=5)
    holder = RegistrationFactory(conference=conference)
    waiting = RegistrationFactory(conference=conference, status=Registration.Status.WAITLISTED)
    session_bookings_set(registration=waiting, sessions=[workshop])

    registration_cancel(registration=holder)

    waiting.refresh_from_db()
    assert waiting.status == Registration.Status.CONFIRMED
    assert statuses(waiting) == {workshop.title: Booked}


def test_registration_create_books_chosen_sessions(conference, workshop):
    outcome = registration_create(
        conference=conference,
        authority=AuthorityFactory(),
        data=RegistrationData(
            first_name="Anna", last_name="Nowak", email="anna@gdansk.pl", job_title="Adviser"
        ),
        sessions=[workshop],
    )

    assert statuses(outcome.registration) == {"Drugs and nightlife": Booked}
    kinds = list(outcome.registration.emails.values_list("kind", "status"))
    assert sorted(kinds) == [
        (OutboundEmail.Kind.CONFIRMED, OutboundEmail.Status.QUEUED),
        (OutboundEmail.Kind.REMINDER, OutboundEmail.Status.SCHEDULED),
    ]


def test_registration_create_with_clashing_sessions_saves_nothing(conference, workshop):
    clashing = later(workshop, 0)
    with pytest.raises(BookingError):
        registration_create(
            conference=conference,
            authority=AuthorityFactory(),
            data=RegistrationData(
                first_name="Anna", last_name="Nowak", email="anna@gdansk.pl", job_title="Adviser"
            ),
            sessions=[workshop, clashing],
        )
    assert Registration.objects.count() == 0


def test_moving_a_session_raises_its_revision_and_tells_its_delegates(conference, workshop):
    booked, waiting = RegistrationFactory.create_batch(2, conference=conference)
    workshop.capacity = 1
    workshop.save()
    for registration in (booked, waiting):
        session_bookings_set(registration=registration, sessions=[workshop])

    workshop.starts_at += dt.timedelta(hours=1)
    workshop.ends_at += dt.timedelta(hours=1)
    session_save(session=workshop, changed_fields={"starts_at", "ends_at"})

    workshop.refresh_from_db()
    assert workshop.sequence == 1
    moved = OutboundEmail.objects.filter(kind=OutboundEmail.Kind.SESSION_MOVED)
    assert sorted(moved.values_list("registration_id", flat=True)) == sorted(
        [booked.pk, waiting.pk]
    )


def test_editing_a_session_description_does_not_notify(conference, workshop):
    session_bookings_set(
        registration=RegistrationFactory(conference=conference), sessions=[workshop]
    )
    workshop.description = "New text"
    session_save(session=workshop, changed_fields={"description"})

    workshop.refresh_from_db()
    assert workshop.sequence == 0
    assert not OutboundEmail.objects.filter(kind=OutboundEmail.Kind.SESSION_MOVED).exists()


def test_raising_a_session_capacity_serves_its_waiting_list(conference, workshop):
    registrations = RegistrationFactory.create_batch(3, conference=conference)
    for registration in registrations:
        session_bookings_set(registration=registration, sessions=[workshop])

    workshop.capacity = 3
    session_save(session=workshop, changed_fields={"capacity"})

    assert statuses(registrations[2]) == {"Drugs and nightlife": Booked}


def form_data(**overrides):
    data = {
        "authority": AuthorityFactory().pk,
        "first_name": "Anna",
        "last_name": "Nowak",
        "email": "anna@gdansk.pl",
        "job_title": "Adviser",
        "category": "delegate",
        "preferred_language": "en",
        "privacy_consent": "on",
    }
    data.update(overrides)
    return data


def test_form_refuses_clashing_sessions_next_to_the_field(conference, workshop):
    clashing = later(workshop, 0, title="Video surveillance and ethics")
    form = RegistrationForm(
        form_data(sessions=[workshop.pk, clashing.pk]), conference=conference, submit_label="Go"
    )

    assert not form.is_valid()
    assert form.errors["sessions"] == [
        "“Drugs and nightlife” and “Video surveillance and ethics” take place at the same time."
    ]


def test_form_offers_only_sessions_needing_sign_up_with_places_left(conference, workshop):
    SessionFactory(conference=conference, kind=Session.Kind.PLENARY, title="Opening")
    full = later(workshop, 3, title="Site visit: port", capacity=1)
    session_bookings_set(registration=RegistrationFactory(conference=conference), sessions=[full])

    form = RegistrationForm(conference=conference, submit_label="Go")

    labels = [label for _value, label in form.fields["sessions"].choices]
    assert len(labels) == 2
    assert "Drugs and nightlife" in labels[0] and labels[0].endswith("2 places left")
    assert labels[1].endswith("full: waiting list")


def test_form_has_no_session_section_without_sessions_to_choose(conference):
    form = RegistrationForm(conference=conference, submit_label="Go")
    assert form.fields["sessions"].availability == {}


def test_a_new_registrations_sessions_count_no_places(conference, workshop):
    others = [later(workshop, hours, capacity=2) for hours in (2, 4)]
    RegistrationFactory.create_batch(2, conference=conference, status=Registration.Status.CONFIRMED)
    authority = AuthorityFactory()

    with CaptureQueriesContext(connection) as queries:
        outcome = registration_create(
            conference=conference,
            authority=authority,
            data=RegistrationData(
                first_name="Ada", last_name="Sessions", email="ada@example.org", job_title="X"
            ),
            sessions=[workshop, *others],
        )

    statements = [query["sql"] for query in queries.captured_queries]
    # The places taken are the sessions' counters, read with their locks: no booking counted.
    assert not [
        sql for sql in statements if "COUNT(" in sql and "registrations_sessionbooking" in sql
    ]
    # The row was just written: its bookings are not read first, nor the row touched after.
    assert not [
        sql
        for sql in statements
        if sql.startswith('SELECT "registrations_sessionbooking"."id"')
        and f'"registrations_sessionbooking"."registration_id" = {outcome.registration.pk}' in sql
    ]
    assert not [sql for sql in statements if sql.startswith('UPDATE "registrations_registration"')]
    assert statuses(outcome.registration) == {
        session.title: Booked for session in (workshop, *others)
    }
