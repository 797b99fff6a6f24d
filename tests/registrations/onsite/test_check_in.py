import datetime as dt
import zoneinfo

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from registrations.documents.tokens import badge_token
from registrations.errors import CheckInRefusedError
from registrations.models import CheckIn, Registration, SessionBooking
from registrations.onsite.check_in import check_in, check_in_undo
from registrations.onsite.desk import (
    DoorStatus,
    check_in_figures,
    check_ins_recent,
    desk_card,
    desk_lookup,
    desk_warnings,
    door_figures,
    door_status,
    fold,
)
from tests.concurrency import run_concurrently
from tests.factories import AuthorityFactory, ConferenceFactory, RegistrationFactory, SessionFactory
from tests.factories.registrations import SessionBookingFactory

pytestmark = pytest.mark.django_db

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


@pytest.fixture
def staff():
    return get_user_model().objects.create_user(
        "marie", password="x", first_name="Marie", last_name="Curie"
    )


def at(hour: int, minute: int = 0, day: int = 2) -> dt.datetime:
    return dt.datetime(2026, 12, day, hour, minute, tzinfo=PARIS)


# --- check_in and check_in_undo --------------------------------------------------------------


def test_check_in_records_who_and_when(staff):
    registration = RegistrationFactory()

    result = check_in(registration=registration, by=staff, now=at(9, 12))

    assert result.already is False
    assert result.check_in.registration == registration
    assert result.check_in.session is None
    assert result.check_in.checked_in_at == at(9, 12)
    assert result.check_in.checked_in_by == staff
    assert CheckIn.objects.count() == 1


def test_check_in_twice_returns_the_standing_row_flagged_already(staff):
    registration = RegistrationFactory()
    colleague = get_user_model().objects.create_user("paul")
    first = check_in(registration=registration, by=staff, now=at(9, 12))

    second = check_in(registration=registration, by=colleague, now=at(9, 40))

    assert second.already is True
    assert second.check_in.pk == first.check_in.pk
    assert second.check_in.checked_in_by == staff
    assert second.check_in.checked_in_at == at(9, 12)
    assert CheckIn.objects.count() == 1


def test_check_in_at_the_desk_and_at_a_session_door_are_separate(staff):
    registration = RegistrationFactory()
    session = SessionFactory(conference=registration.conference)

    at_desk = check_in(registration=registration, by=staff)
    at_door = check_in(registration=registration, by=staff, session=session)

    assert at_door.already is False
    assert at_door.check_in.pk != at_desk.check_in.pk
    assert at_door.check_in.session == session
    assert check_in(registration=registration, by=staff, session=session).already is True


def test_check_in_at_another_conferences_session_is_refused(staff):
    registration = RegistrationFactory()
    with pytest.raises(ValueError):
        check_in(registration=registration, by=staff, session=SessionFactory())
    assert CheckIn.objects.count() == 0


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (Registration.Status.CANCELLED, "This registration is cancelled"),
        (Registration.Status.REJECTED, "This registration was rejected"),
    ],
)
def test_check_in_of_an_inactive_registration_is_refused(staff, status, message):
    registration = RegistrationFactory(status=status)

    with pytest.raises(CheckInRefusedError) as refusal:
        check_in(registration=registration, by=staff)

    assert refusal.value.message == f"{message}: the delegate cannot be checked in."

    assert CheckIn.objects.count() == 0


@pytest.mark.parametrize("status", [Registration.Status.PENDING, Registration.Status.WAITLISTED])
def test_check_in_of_pending_or_waitlisted_is_the_desks_call(staff, status):
    """The desk sees the warning and decides; the service does not stand in its way."""
    result = check_in(registration=RegistrationFactory(status=status), by=staff)
    assert result.already is False


def test_undo_then_check_in_again_writes_a_new_row(staff):
    registration = RegistrationFactory()
    first = check_in(registration=registration, by=staff, now=at(9, 12)).check_in

    undone = check_in_undo(check_in=first, by=staff, now=at(9, 13))
    again = check_in(registration=registration, by=staff, now=at(9, 30))

    assert undone.undone_at == at(9, 13)
    assert undone.undone_by == staff
    assert again.already is False
    assert again.check_in.pk != first.pk
    assert CheckIn.objects.filter(registration=registration).count() == 2
    assert CheckIn.objects.filter(registration=registration, undone_at__isnull=True).get() == (
        again.check_in
    )


def test_undo_twice_keeps_the_first_undo(staff):
    first = check_in(registration=RegistrationFactory(), by=staff).check_in
    check_in_undo(check_in=first, by=staff, now=at(9, 13))

    second = check_in_undo(check_in=first, by=None, now=at(9, 20))

    assert second.undone_at == at(9, 13)
    assert second.undone_by == staff


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_10_desks_checking_in_the_same_delegate_at_once_write_one_row():
    registration = RegistrationFactory()
    staff = [get_user_model().objects.create_user(f"desk{index}") for index in range(10)]

    results = run_concurrently(
        10, lambda index: check_in(registration=registration, by=staff[index])
    )

    standing = CheckIn.objects.filter(registration=registration, undone_at__isnull=True)
    assert standing.count() == 1
    assert [result.already for result in results].count(False) == 1
    assert {result.check_in.pk for result in results} == {standing.get().pk}


# --- Warnings --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "message", "severity"),
    [
        (Registration.Status.CANCELLED, "Registration cancelled", "danger"),
        (Registration.Status.REJECTED, "Registration rejected", "danger"),
        (
            Registration.Status.PENDING,
            "Registration pending approval: not confirmed yet",
            "warning",
        ),
        (
            Registration.Status.WAITLISTED,
            "Registration on the waiting list: no confirmed place",
            "warning",
        ),
    ],
)
def test_desk_warnings_for_each_status(status, message, severity):
    registration = RegistrationFactory(status=status)

    warnings = desk_warnings(registration, standing=None)

    assert [(w.code, w.message, w.severity) for w in warnings] == [(status, message, severity)]


def test_desk_warnings_none_for_a_confirmed_delegate_not_yet_checked_in():
    assert desk_warnings(RegistrationFactory(), standing=None) == []


def test_already_checked_in_warning_says_when_in_the_conference_time_zone_and_by_whom(staff):
    conference = ConferenceFactory(time_zone="America/Montreal")
    registration = RegistrationFactory(conference=conference)
    checked_in_at = dt.datetime(2026, 12, 2, 14, 12, tzinfo=dt.UTC)  # 09:12 in Montreal
    standing = check_in(registration=registration, by=staff, now=checked_in_at).check_in

    warnings = desk_warnings(
        registration, standing=standing, now=checked_in_at + dt.timedelta(hours=1)
    )

    assert [(w.code, w.message) for w in warnings] == [
        ("already_checked_in", "Already checked in at 09:12 by Marie Curie")
    ]


def test_already_checked_in_warning_gives_the_date_of_another_day(staff):
    registration = RegistrationFactory()
    standing = check_in(registration=registration, by=staff, now=at(9, 12, day=2)).check_in
    standing.checked_in_by = None

    warnings = desk_warnings(registration, standing=standing, now=at(8, 30, day=3))

    assert warnings[0].message == "Already checked in on 2 December at 09:12"


def test_desk_card_of_a_checked_in_waitlisted_delegate(staff):
    registration = RegistrationFactory(status=Registration.Status.WAITLISTED)
    standing = check_in(registration=registration, by=staff).check_in

    card = desk_card(registration)

    assert card.standing == standing
    assert [w.code for w in card.warnings] == ["waitlisted", "already_checked_in"]
    assert card.can_check_in is False
    assert card.door is None


# --- Finding delegates -----------------------------------------------------------------------


def test_fold_drops_case_and_accents():
    assert fold("Émilie LEFÈVRE-Łukasz Søren") == "emilie lefevre-lukasz soren"


@pytest.mark.parametrize(
    "query", ["lefevre", "LEFÈVRE", "emilie", "Émilie Lef", "liege", "NCE-7k3q9", "Mimi"]
)
def test_desk_lookup_by_name_badge_name_authority_or_reference(conference, query):
    liege = AuthorityFactory(name="Liège", country="BE")
    wanted = RegistrationFactory(
        conference=conference,
        authority=liege,
        first_name="Émilie",
        last_name="Lefèvre",
        badge_name="Mimi Lefèvre",
        reference="NCE-7K3Q9",
    )
    RegistrationFactory(conference=conference, first_name="Jan", last_name="Jansen")

    assert desk_lookup(conference, query) == [wanted]


def test_desk_lookup_by_badge_token(conference):
    wanted = RegistrationFactory(conference=conference)
    RegistrationFactory(conference=conference)

    assert desk_lookup(conference, f"  {badge_token(wanted)}\n") == [wanted]


def test_desk_lookup_ignores_other_conferences_and_forged_tokens(conference):
    elsewhere = RegistrationFactory(last_name="Nowak")

    assert desk_lookup(conference, "nowak") == []
    assert desk_lookup(conference, badge_token(elsewhere)) == []
    assert desk_lookup(conference, "forged:token:value") == []
    assert desk_lookup(conference, "   ") == []


def test_desk_lookup_orders_last_name_matches_first_and_active_before_cancelled(conference):
    cancelled = RegistrationFactory(
        conference=conference,
        last_name="Martin",
        first_name="Zoé",
        status=Registration.Status.CANCELLED,
    )
    by_first_name = RegistrationFactory(
        conference=conference, first_name="Martina", last_name="Rossi"
    )
    active = RegistrationFactory(conference=conference, last_name="Martin", first_name="Anne")

    assert desk_lookup(conference, "martin") == [active, cancelled, by_first_name]


def test_desk_lookup_returns_20_at_most_in_one_query(conference):
    RegistrationFactory.create_batch(25, conference=conference, first_name="Anna")

    with CaptureQueriesContext(connection) as queries:
        results = desk_lookup(conference, "anna")
        [(r.authority.name, r.is_checked_in) for r in results]

    assert len(results) == 20
    assert len(queries) == 1


def test_desk_lookup_marks_delegates_checked_in_at_the_desk(conference, staff):
    arrived = RegistrationFactory(conference=conference, first_name="Anna")
    not_yet = RegistrationFactory(conference=conference, first_name="Anna")
    check_in(registration=arrived, by=staff)

    results = desk_lookup(conference, "anna")

    assert {r.pk: r.is_checked_in for r in results} == {arrived.pk: True, not_yet.pk: False}


# --- Session doors ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("booking", "expected"),
    [
        (SessionBooking.Status.BOOKED, DoorStatus.BOOKED),
        (SessionBooking.Status.WAITING, DoorStatus.WAITING),
        (None, DoorStatus.NONE),
    ],
)
def test_door_status(booking, expected):
    registration = RegistrationFactory()
    session = SessionFactory(conference=registration.conference)
    other = SessionFactory(conference=registration.conference)
    SessionBookingFactory(
        registration=registration, session=other, status=SessionBooking.Status.BOOKED
    )
    if booking:
        SessionBookingFactory(registration=registration, session=session, status=booking)

    assert door_status(session, registration) == expected
    assert desk_card(registration, session=session).door == expected


def test_door_figures_count_booked_and_checked_in_at_that_door(staff):
    session = SessionFactory()
    booked = RegistrationFactory.create_batch(3, conference=session.conference)
    for registration in booked:
        SessionBookingFactory(
            registration=registration, session=session, status=SessionBooking.Status.BOOKED
        )
    check_in(registration=booked[0], by=staff, session=session)
    check_in(registration=booked[1], by=staff)  # at the desk, not at this door

    assert door_figures(session) == {"booked": 3, "checked_in": 1}


# --- Figures ---------------------------------------------------------------------------------


def test_check_in_figures_by_status_and_hour(conference, staff):
    confirmed = RegistrationFactory.create_batch(4, conference=conference)
    waitlisted = RegistrationFactory(conference=conference, status=Registration.Status.WAITLISTED)
    check_in(registration=confirmed[0], by=staff, now=at(8, 10))
    check_in(registration=confirmed[1], by=staff, now=at(8, 55))
    check_in(registration=waitlisted, by=staff, now=at(9, 5))
    undone = check_in(registration=confirmed[2], by=staff, now=at(9, 6)).check_in
    check_in_undo(check_in=undone, by=staff)
    check_in(registration=confirmed[3], by=staff, session=SessionFactory(conference=conference))
    RegistrationFactory(conference=ConferenceFactory())  # another conference

    figures = check_in_figures(conference)

    assert figures["confirmed"] == 4
    assert figures["checked_in"] == 3
    assert figures["confirmed_checked_in"] == 2
    assert figures["percentage"] == 50
    assert [(row["hour"], row["count"]) for row in figures["by_hour"]] == [
        (at(8), 2),
        (at(9), 1),
    ]


def test_check_in_figures_without_confirmed_delegates(conference):
    figures = check_in_figures(conference)
    assert (figures["confirmed"], figures["percentage"], figures["by_hour"]) == (0, 0, [])


def test_check_in_figures_take_two_queries_whatever_the_numbers(conference, staff):
    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            check_in_figures(conference)
        return len(queries)

    few = count_queries()
    for hour, registration in enumerate(
        RegistrationFactory.create_batch(12, conference=conference)
    ):
        check_in(registration=registration, by=staff, now=at(8 + hour % 5))

    assert few == 2
    assert count_queries() == 2


def test_check_ins_recent_lists_the_last_ten_at_the_desk_newest_first(conference, staff):
    registrations = RegistrationFactory.create_batch(12, conference=conference)
    for minute, registration in enumerate(registrations):
        check_in(registration=registration, by=staff, now=at(9, minute))

    with CaptureQueriesContext(connection) as queries:
        recent = check_ins_recent(conference)
        [(c.registration.authority.name, c.checked_in_by) for c in recent]

    assert [c.registration for c in recent] == registrations[::-1][:10]
    assert len(queries) == 1
