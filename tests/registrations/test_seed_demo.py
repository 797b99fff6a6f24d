import datetime as dt
import re
from base64 import b32decode
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from conference.models import Conference, Room, Session, Speaker, Venue
from registrations.demo import data as demo_data
from registrations.demo.seed import ascii_fold, open_registration_shift
from registrations.models import (
    Authority,
    AuthorityAllotment,
    ConsentRecord,
    Delegation,
    OutboundEmail,
    Registration,
    SessionBooking,
    authority_name_key,
)
from registrations.places.counters import place_counts_check

pytestmark = pytest.mark.django_db

DEMO_MEMBER_LIST = Path(settings.BASE_DIR) / "registrations" / "demo" / "member_list.csv"


def seed(**options) -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def demo_conference() -> Conference:
    return Conference.objects.get(slug="nice-2021")


def counts() -> dict[str, int]:
    return {
        "venues": Venue.objects.count(),
        "rooms": Room.objects.count(),
        "conferences": Conference.objects.count(),
        "sessions": Session.objects.count(),
        "speakers": Speaker.objects.count(),
        "session_speakers": Session.speakers.through.objects.count(),
        "authorities": Authority.objects.count(),
        "registrations": Registration.objects.count(),
        "consents": ConsentRecord.objects.count(),
        "emails": OutboundEmail.objects.count(),
        "allotments": AuthorityAllotment.objects.count(),
        "delegations": Delegation.objects.count(),
        "delegation_members": Registration.objects.filter(delegation__isnull=False).count(),
    }


def test_seed_demo_twice_gives_the_same_data():
    seed(open_registration=True, registrations=20)
    first = counts()

    seed(open_registration=True, registrations=20)

    assert counts() == first
    assert first["conferences"] == 1
    assert first["sessions"] == len(demo_data.SESSIONS)
    assert first["speakers"] == len(demo_data.SPEAKERS)
    assert first["authorities"] == len(demo_data.AUTHORITIES)
    assert first["registrations"] == 20
    assert first["delegations"] == len(demo_data.DELEGATIONS)
    assert first["allotments"] == len(demo_data.ALLOTMENTS)


@pytest.fixture(scope="class")
def default_demo(django_db_setup, django_db_blocker):
    """The demo as `seed_demo` loads it without options, loaded once for all the tests of a class:
    in a transaction that is rolled back after the class's last test, so that every other test
    still starts from an empty database. Each test of the class runs in a savepoint of that
    transaction (pytest-django's `db`), so nothing a test writes reaches the next one."""
    with django_db_blocker.unblock(), transaction.atomic():
        seed()
        yield
        transaction.set_rollback(True)


@pytest.mark.usefixtures("default_demo")
class TestDefaultDemo:
    """Tests that only read the demo as loaded by default share one load of it. A test that needs
    other options, loads it more than once or starts from other data stays outside the class."""

    def test_seed_demo_loads_authorities_from_many_countries(self):
        assert Authority.objects.count() >= 30
        assert Authority.objects.values("country").distinct().count() >= 12
        assert not Authority.objects.filter(needs_review=True).exists()
        required = [
            ("Nice", "FR"),
            ("Liège", "BE"),
            ("Rotterdam", "NL"),
            ("Mannheim", "DE"),
            ("Generalitat de Catalunya", "ES"),
            ("Emilia-Romagna", "IT"),
            ("Lisboa", "PT"),
            ("Gdańsk", "PL"),
            ("Riga", "LV"),
            ("Malmö", "SE"),
            ("Meyrin", "CH"),
        ]
        for name, country in required:
            assert Authority.objects.filter(
                country=country, name_key__contains=authority_name_key(name)
            ).exists(), name
        berlin = Authority.objects.get(country="DE", name_key="berlin")
        assert berlin.kind == Authority.Kind.REGION

    def test_seed_demo_sets_valid_region_codes(self):
        codes = dict(Authority.objects.exclude(region_code="").values_list("name", "region_code"))
        assert codes["Nice"] == "FRL03"
        assert codes["Département des Alpes-Maritimes"] == "FR-06"
        assert codes["Région Sud"] == "FR-PAC"
        assert codes["Generalitat de Catalunya"] == "ES-CT"
        assert codes["Regione Emilia-Romagna"] == "IT-45"
        assert codes["Berlin"] == "DE-BE"
        assert len(codes) == len(demo_data.REGION_CODES)
        for authority in Authority.objects.exclude(region_code=""):
            authority.full_clean()

    def test_seed_demo_allots_eight_places_per_authority_and_more_to_hosts(self):
        conference = demo_conference()
        assert conference.default_allotment == 8
        places = {
            (allotment.authority.name, allotment.places)
            for allotment in conference.allotments.select_related("authority")
        }
        assert places == {
            ("Nice", 20),
            ("Région Sud", 15),
            ("European Forum for Urban Security (Efus)", 30),
        }

    def test_seed_demo_delegations_without_registrations_have_no_members(self):
        assert demo_conference().delegations.count() == 8
        assert not Registration.objects.exists()

    def test_seed_demo_member_list_csv_matches_the_demo_authorities(self):
        before = set(
            Authority.objects.values_list("name", "country", "kind", "is_member", "region_code")
        )
        out = StringIO()

        call_command("import_authorities", str(DEMO_MEMBER_LIST), stdout=out)

        count = len(demo_data.AUTHORITIES)
        assert out.getvalue().splitlines()[-2] == (
            f"0 created, 0 updated, {count} unchanged, 0 rejected."
        )
        assert (
            set(
                Authority.objects.values_list("name", "country", "kind", "is_member", "region_code")
            )
            == before
        )

    def test_seed_demo_rooms_have_their_capacities(self):
        capacities = dict(Room.objects.values_list("name", "capacity"))
        assert capacities["Apollon"] == 1022
        assert capacities["Athéna"] == 750
        assert capacities["Hermès"] == 300

    def test_seed_demo_session_capacities_fit_their_rooms(self):
        for session in Session.objects.select_related("room"):
            if session.capacity is not None and session.room is not None:
                assert session.capacity <= session.room.capacity, session.title
            if session.kind == Session.Kind.SITE_VISIT:
                assert session.room is None and session.location and session.capacity

    def test_seed_demo_keeps_the_2021_dates_by_default(self):
        conference = demo_conference()
        assert (conference.start_date, conference.end_date) == (
            dt.date(2021, 10, 20),
            dt.date(2021, 10, 22),
        )
        assert conference.registration_is_open() is False
        opening = Session.objects.get(conference=conference, title="Opening ceremony")
        assert opening.starts_at == dt.datetime(2021, 10, 20, 14, 0, tzinfo=conference.tzinfo)

    def test_seed_demo_gives_sessions_needing_sign_up_capacities_and_themes(self):
        conference = demo_conference()

        for session in conference.sessions.filter(kind__in=Session.SIGN_UP_KINDS):
            assert session.effective_capacity is not None, session.title
            assert session.themes.exists(), session.title
        visits = conference.sessions.filter(kind=Session.Kind.SITE_VISIT)
        assert visits.count() >= 3
        assert all(25 <= visit.capacity <= 40 for visit in visits)
        assert set(demo_data.SESSION_THEMES) <= set(
            conference.sessions.values_list("title", flat=True)
        )


def test_seed_demo_delegations_have_coordinators_and_members_of_their_authority():
    seed(registrations=300)
    members = {
        delegation.pk: set(delegation.members.values_list("pk", flat=True))
        for delegation in Delegation.objects.all()
    }

    seed(registrations=300)

    delegations = list(demo_conference().delegations.select_related("authority"))
    assert len(delegations) == 8
    wanted = {entry["authority"]: entry["members"] for entry in demo_data.DELEGATIONS}
    for delegation in delegations:
        key = (delegation.authority.name, delegation.authority.country.code)
        delegation.full_clean()
        assert delegation.coordinator_email.endswith("@example.org")
        assert set(delegation.members.values_list("pk", flat=True)) == members[delegation.pk]
        assert delegation.members.count() == wanted[key]
        assert 2 <= wanted[key] <= 5
        assert not delegation.members.exclude(authority=delegation.authority).exists()
        assert not delegation.members.exclude(conference=delegation.conference).exists()
        assert all(member.is_active for member in delegation.members.all())


def test_seed_demo_more_registrations_complete_the_delegations():
    seed(registrations=20)
    before = Registration.objects.filter(delegation__isnull=False).count()

    seed(registrations=300)

    after = Registration.objects.filter(delegation__isnull=False).count()
    assert before < after == sum(entry["members"] for entry in demo_data.DELEGATIONS)


def test_seed_demo_updates_an_authority_a_delegate_named():
    Authority.objects.create(name="LIEGE ", country="BE", needs_review=True)

    seed()

    liege = Authority.objects.get(country="BE", name_key="liege")
    assert (liege.name, liege.is_member, liege.needs_review) == ("Liège", True, False)


def test_seed_demo_open_registration_opens_it_and_keeps_local_times():
    seed(open_registration=True)

    conference = demo_conference()
    today = timezone.localdate(timezone=conference.tzinfo)
    assert conference.registration_is_open() is True
    assert 8 * 7 <= (conference.start_date - today).days <= 14 * 7
    assert conference.start_date.weekday() == dt.date(2021, 10, 20).weekday()
    assert conference.registration_closes_at.date() == conference.start_date - dt.timedelta(days=7)
    day_two = conference.start_date + dt.timedelta(days=1)
    workshop_starts = {
        timezone.localtime(session.starts_at, conference.tzinfo).time()
        for session in conference.sessions.filter(kind=Session.Kind.WORKSHOP)
        if timezone.localtime(session.starts_at, conference.tzinfo).date() == day_two
    }
    assert workshop_starts == {dt.time(9, 30), dt.time(11, 30), dt.time(14, 30), dt.time(16, 30)}


def test_seed_demo_open_registration_then_default_restores_2021():
    seed(open_registration=True)
    seed()

    assert demo_conference().start_date == dt.date(2021, 10, 20)
    assert Session.objects.count() == len(demo_data.SESSIONS)


def test_open_registration_shift_is_whole_weeks_across_daylight_saving_time():
    start = dt.date(2021, 10, 20)
    for today in (dt.date(2026, 3, 1), dt.date(2026, 7, 15), dt.date(2026, 11, 28)):
        shift = open_registration_shift(start, today)
        assert shift.days % 7 == 0
        assert 8 * 7 <= (start + shift - today).days < 9 * 7


def test_seed_demo_registrations_creates_exactly_n_without_emails():
    seed(registrations=50)

    registrations = list(demo_conference().registrations.all())
    assert len(registrations) == 50
    assert OutboundEmail.objects.count() == 0
    assert len({registration.reference for registration in registrations}) == 50
    for registration in registrations:
        registration.full_clean()
        assert re.fullmatch(r"NCE-[23456789A-HJKMNP-Z]{5}", registration.reference)
        assert re.fullmatch(r"[a-z0-9-]+\.[a-z0-9-]+\.\d{3}@example\.org", registration.email)
        kinds = set(registration.consents.values_list("kind", flat=True))
        has_needs = bool(registration.dietary_needs or registration.accessibility_needs)
        expected = {ConsentRecord.Kind.PRIVACY_NOTICE}
        if has_needs:
            expected.add(ConsentRecord.Kind.SPECIAL_NEEDS)
        assert kinds == expected
        # Closed in 2021: dated inside the registration window, as the service would have.
        conference = registration.conference
        assert conference.registration_is_open(registration.created_at)
        if registration.status == Registration.Status.CONFIRMED:
            assert registration.confirmed_at == registration.created_at
        elif registration.status == Registration.Status.CANCELLED:  # a few cancel later
            assert registration.confirmed_at == registration.created_at
            assert registration.created_at <= registration.cancelled_at
            assert not registration.bookings.exists()
        else:  # delegates of non-member authorities wait for approval
            assert registration.status == Registration.Status.PENDING
            assert not registration.authority.is_member


def test_seed_demo_registrations_are_deterministic_and_extendable():
    seed(registrations=30)
    first = set(Registration.objects.values_list("email", flat=True))

    seed(registrations=40)

    emails = set(Registration.objects.values_list("email", flat=True))
    assert len(emails) == 40
    assert first < emails


def test_seed_demo_bookings_are_counted_on_their_sessions():
    seed(registrations=60)

    # Written in bulk, then counted: the counters agree with a recount.
    assert Session.objects.filter(places_booked__gt=0).exists()
    assert place_counts_check() == []


def test_seed_demo_gives_the_places_a_raised_capacity_frees_to_those_waiting():
    """Demo data of a newer release with more places in a workshop than the database holds:
    the places go to the confirmed delegates waiting, as on any other raised capacity (a
    newcomer takes a free place only when nobody confirmed waits for it)."""
    seed(registrations=60)
    workshop = Session.objects.filter(capacity__isnull=False).order_by("pk").first()
    # The capacity of an older release: every place taken, a confirmed delegate waiting.
    Session.objects.filter(pk=workshop.pk).update(capacity=workshop.places_booked)
    waiting = SessionBooking.objects.create(
        registration=Registration.objects.filter(status=Registration.Status.CONFIRMED)
        .exclude(bookings__session=workshop)
        .first(),
        session=workshop,
        status=SessionBooking.Status.WAITING,
    )

    seed()

    waiting.refresh_from_db()
    assert waiting.status == SessionBooking.Status.BOOKED
    assert place_counts_check() == []


def test_seed_demo_registrations_beyond_capacity_join_the_waiting_list():
    seed(open_registration=True, registrations=1100)

    conference = demo_conference()
    statuses = list(conference.registrations.values_list("status", flat=True))
    pending = statuses.count(Registration.Status.PENDING)
    assert statuses.count(Registration.Status.CONFIRMED) == 900
    assert statuses.count(Registration.Status.WAITLISTED) == 1100 - 900 - pending
    assert 0 < pending < 200
    assert not conference.registrations.filter(
        status=Registration.Status.WAITLISTED, confirmed_at__isnull=False
    ).exists()


def test_ascii_fold_handles_european_alphabets():
    assert ascii_fold("Łukasz") == "lukasz"
    assert ascii_fold("Wiśniewska") == "wisniewska"
    assert ascii_fold("Γιώργος") == "giorgos"
    assert ascii_fold("Παπαδοπούλου") == "papadopoyloy"
    assert ascii_fold("Йорданка") == "yordanka"
    assert ascii_fold("Øyvind") == "oyvind"
    assert ascii_fold("van 't Hof") == "van-t-hof"
    assert ascii_fold("María José") == "maria-jose"


def test_seed_demo_organiser_is_refused_when_debug_is_off(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG"):
        seed(demo_organiser=True)

    assert not get_user_model().objects.exists()
    assert not Conference.objects.exists()


def test_seed_demo_organiser_creates_a_superuser_when_debug_is_on(settings):
    settings.DEBUG = True

    output = seed(demo_organiser=True)
    seed(demo_organiser=True)

    user = get_user_model().objects.get()
    assert (user.username, user.email) == ("organiser", "organiser@example.org")
    assert user.is_superuser and user.is_staff
    assert user.check_password("acropolis-2021")
    assert "acropolis-2021" in output


def test_seed_demo_organiser_comes_enrolled_with_the_printed_key_when_debug_is_on(settings, client):
    settings.DEBUG = True

    output = seed(demo_organiser=True)
    seed(demo_organiser=True)

    key = re.search(r"authenticator app key ([A-Z2-7]+)", output).group(1)
    device = TOTPDevice.objects.get(user__username="organiser")
    assert (device.name, device.confirmed) == ("default", True)
    login = reverse("admin:login")
    client.post(
        login,
        {
            "login_view-current_step": "auth",
            "auth-username": "organiser",
            "auth-password": "acropolis-2021",
        },
    )
    response = client.post(
        login,
        {"login_view-current_step": "token", "token-otp_token": f"{totp(b32decode(key)):06d}"},
    )
    assert response.status_code == 302
    assert client.get(reverse("admin:registrations_registration_changelist")).status_code == 200


def test_seed_demo_registrations_are_spread_over_the_weeks_registration_was_open():
    seed(registrations=300)

    conference = demo_conference()
    registered = sorted(conference.registrations.values_list("created_at", flat=True))
    assert conference.registration_opens_at <= registered[0]
    assert registered[-1] < conference.registration_closes_at
    weeks = {moment.isocalendar()[:2] for moment in registered}
    assert len(weeks) >= 10
    # Each has a first history record at the moment they registered: a first change made in
    # the admin is compared with it.
    for registration in conference.registrations.all()[:20]:
        first = registration.history.earliest("history_date")
        assert first.history_type == "+"
        assert first.history_date == registration.created_at
        assert first.status in {Registration.Status.CONFIRMED, Registration.Status.PENDING}


def test_seed_demo_delegates_book_sessions_within_their_places():
    seed(registrations=300)

    conference = demo_conference()
    sessions = conference.sessions.annotate(
        booked=Count("bookings", filter=Q(bookings__status=SessionBooking.Status.BOOKED)),
        waiting=Count("bookings", filter=Q(bookings__status=SessionBooking.Status.WAITING)),
    )
    signed_up = [session for session in sessions if session.requires_sign_up]
    assert all(session.booked <= session.effective_capacity for session in signed_up)
    # The popular ones fill up and keep a waiting list, workshops and site visits alike.
    full = [session for session in signed_up if session.booked == session.effective_capacity]
    assert {session.kind for session in full if session.waiting} >= {"workshop", "site_visit"}
    # Places only for confirmed delegates; no one in two overlapping sessions.
    bookings = SessionBooking.objects.filter(session__conference=conference)
    assert not bookings.filter(status=SessionBooking.Status.BOOKED).exclude(
        registration__status=Registration.Status.CONFIRMED
    )
    for registration in conference.registrations.prefetch_related("bookings__session")[:100]:
        held = [booking.session for booking in registration.bookings.all()]
        assert not any(a.overlaps(b) for a in held for b in held if a is not b)
    # A second load changes nothing.
    before = set(bookings.values_list("registration_id", "session_id", "status"))
    seed(registrations=300)
    assert set(bookings.values_list("registration_id", "session_id", "status")) == before
    # Nobody is booked into a visit that asks for identity data the demo does not invent.
    assert not [
        session for session in signed_up if session.requires_identity_data and session.booked
    ]
