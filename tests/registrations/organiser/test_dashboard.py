import datetime as dt
import re
import zoneinfo

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conference.models import Session
from registrations.models import Authority, Registration, SessionBooking
from registrations.onsite.check_in import check_in, check_in_undo
from registrations.organiser.dashboard import (
    CheckInDay,
    DayCount,
    HourCount,
    Tally,
    badges_by_category,
    check_in_progress,
    delegates_by_authority_kind,
    delegates_by_country,
    delegates_by_membership,
    headsets_needed,
    meal_sheet,
    registrations_by_status,
    registrations_per_day,
    session_fill,
    site_visit_access,
)
from tests.factories import AuthorityFactory, ConferenceFactory, RegistrationFactory, SessionFactory
from tests.factories.registrations import SessionBookingFactory
from tests.staff import staff_login

pytestmark = pytest.mark.django_db

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
UTC = dt.UTC
Status = Registration.Status
Category = Registration.Category
BOOKED, WAITING = SessionBooking.Status.BOOKED, SessionBooking.Status.WAITING


def paris(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 6, day, hour, minute, tzinfo=PARIS)


def book(registration: Registration, session: Session, status=BOOKED) -> SessionBooking:
    return SessionBookingFactory(registration=registration, session=session, status=status)


def grant(user, *codenames: str) -> None:
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))


@pytest.fixture
def data():
    """A conference in Nice from 10 to 12 June 2026 (summer time, UTC+2), whose registration
    opened on 1 June, with a hand-counted set of delegates, sessions and check-ins."""
    conference = ConferenceFactory(
        slug="nice",
        time_zone="Europe/Paris",
        start_date=dt.date(2026, 6, 10),
        end_date=dt.date(2026, 6, 12),
        registration_opens_at=paris(1, 8),
        registration_closes_at=paris(9, 18),
    )
    liege = AuthorityFactory(name="Liège", country="BE", is_member=True)
    nice = AuthorityFactory(name="Nice", country="FR", is_member=True)
    provence = AuthorityFactory(
        name="Provence", country="FR", kind=Authority.Kind.REGION, is_member=False
    )
    berlin = AuthorityFactory(name="Berlin", country="DE", is_member=False)

    def register(authority, status=Status.CONFIRMED, **fields):
        return RegistrationFactory(
            conference=conference, authority=authority, status=status, **fields
        )

    r = {
        "liege": register(
            liege,
            dietary_needs="Vegetarian ",
            interpretation_language="fr",
            accessibility_needs="Wheelchair user",
        ),
        "nice": register(nice, category=Category.SPEAKER, dietary_needs="  vegetarian"),
        "provence": register(
            provence, category=Category.PRESS, dietary_needs="VEGAN", interpretation_language="de"
        ),
        "provence2": register(provence, interpretation_language="fr"),
        # Accented capitals: SQLite's lower() leaves them, the selector must not.
        "nice2": register(nice, dietary_needs="Végétarien"),
        "nice3": register(nice, dietary_needs="  VÉGÉTARIEN \n"),
        "pending": register(nice, Status.PENDING, dietary_needs="halal"),
        "waitlisted": register(liege, Status.WAITLISTED),
        "cancelled": register(berlin, Status.CANCELLED),
        "rejected": register(berlin, Status.REJECTED),
    }
    # Another conference's delegates count nowhere here.
    RegistrationFactory(authority=berlin, dietary_needs="vegetarian", interpretation_language="fr")

    # 23:30 UTC on 1 June is 01:30 on 2 June in Paris.
    created = {
        "liege": dt.datetime(2026, 6, 1, 23, 30, tzinfo=UTC),
        "nice": dt.datetime(2026, 6, 2, 10, 0, tzinfo=UTC),
        "provence": dt.datetime(2026, 6, 3, 21, 59, tzinfo=UTC),
    }
    for key, registration in r.items():
        moment = created.get(key, dt.datetime(2026, 6, 4, 12, 0, tzinfo=UTC))
        Registration.objects.filter(pk=registration.pk).update(created_at=moment)

    workshop = SessionFactory(
        conference=conference,
        title="Workshop on nightlife",
        capacity=2,
        starts_at=paris(10, 14),
        interpretation_languages=["fr"],
    )
    visit = SessionFactory(
        conference=conference,
        kind=Session.Kind.SITE_VISIT,
        title="Visit of the urban supervision centre",
        room=None,
        capacity=None,
        starts_at=paris(11, 14),
        interpretation_languages=["de", "fr"],
    )
    empty_visit = SessionFactory(
        conference=conference,
        kind=Session.Kind.SITE_VISIT,
        title="Visit of the port",
        capacity=20,
        starts_at=paris(12, 9),
        interpretation_languages=[],
    )
    plenary = SessionFactory(
        conference=conference,
        kind=Session.Kind.PLENARY,
        title="Opening plenary",
        starts_at=paris(10, 9),
        interpretation_languages=["fr", "de"],
    )
    SessionFactory(
        conference=conference,
        kind=Session.Kind.PLENARY,
        title="Closing plenary",
        starts_at=paris(12, 11),
        interpretation_languages=[],
    )
    book(r["liege"], workshop)
    book(r["nice"], workshop)
    book(r["provence"], workshop, WAITING)
    book(r["pending"], workshop, WAITING)  # not confirmed: not on the waiting list that counts
    book(r["liege"], visit)
    book(r["provence"], visit)
    book(r["provence2"], visit)

    check_in(registration=r["liege"], by=None, now=paris(10, 8, 10))
    check_in(registration=r["nice"], by=None, now=paris(10, 10, 20))
    undone = check_in(registration=r["provence2"], by=None, now=paris(10, 10, 5)).check_in
    check_in_undo(check_in=undone, by=None)
    check_in(registration=r["waitlisted"], by=None, now=paris(11, 9))
    check_in(registration=r["provence"], by=None, now=paris(9, 18))  # the day before
    check_in(registration=r["nice2"], by=None, session=workshop, now=paris(10, 14))  # a door

    return {
        "conference": conference,
        "workshop": workshop,
        "visit": visit,
        "empty_visit": empty_visit,
        "plenary": plenary,
        **r,
    }


# --- Selectors --------------------------------------------------------------------------------


def test_registrations_by_status_lists_every_status(data):
    assert registrations_by_status(data["conference"]) == [
        Tally("pending", "Pending approval", 1),
        Tally("confirmed", "Confirmed", 6),
        Tally("waitlisted", "Waiting list", 1),
        Tally("cancelled", "Cancelled", 1),
        Tally("rejected", "Rejected", 1),
    ]


def test_registrations_per_day_in_the_conference_time_zone(data):
    # Whatever the time zone of the request, days are those of the conference.
    with timezone.override(UTC):
        days = registrations_per_day(
            data["conference"], now=dt.datetime(2026, 6, 5, 12, tzinfo=UTC)
        )

    assert days == [
        DayCount(dt.date(2026, 6, 1), 0, 0),
        DayCount(dt.date(2026, 6, 2), 2, 2),
        DayCount(dt.date(2026, 6, 3), 1, 3),
        DayCount(dt.date(2026, 6, 4), 7, 10),
        DayCount(dt.date(2026, 6, 5), 0, 10),
    ]


def test_registrations_per_day_follows_another_time_zone(data):
    conference = data["conference"]
    conference.time_zone = "America/New_York"
    conference.save()

    days = registrations_per_day(conference, now=dt.datetime(2026, 6, 5, 12, tzinfo=UTC))

    # 23:30 UTC on 1 June is 19:30 in New York, still 1 June.
    assert [(day.day.day, day.count) for day in days] == [(1, 1), (2, 1), (3, 1), (4, 7), (5, 0)]


def test_registrations_per_day_stops_at_the_closing_day(data):
    days = registrations_per_day(data["conference"], now=dt.datetime(2026, 7, 1, tzinfo=UTC))

    assert days[-1] == DayCount(dt.date(2026, 6, 9), 0, 10)


def test_registrations_per_day_before_opening_is_empty(conference):
    now = conference.registration_opens_at - dt.timedelta(days=2)
    assert registrations_per_day(conference, now=now) == []


def test_delegates_by_country_count_active_registrations_only(data):
    assert delegates_by_country(data["conference"]) == [
        Tally("FR", "France", 6),
        Tally("BE", "Belgium", 2),
    ]


def test_delegates_by_authority_kind(data):
    assert delegates_by_authority_kind(data["conference"]) == [
        Tally("municipality", "Municipality", 6),
        Tally("region", "Region", 2),
    ]


def test_delegates_by_membership(data):
    assert delegates_by_membership(data["conference"]) == [
        Tally("members", "Members of the network", 6),
        Tally("non_members", "Non-members", 2),
    ]


def test_session_fill_with_waiting_list_of_confirmed_delegates(data):
    fills = session_fill(data["conference"])

    assert [(f.session, f.capacity, f.booked, f.waiting, f.percentage) for f in fills] == [
        (data["workshop"], 2, 2, 1, 100),
        (data["visit"], None, 3, 0, None),
        (data["empty_visit"], 20, 0, 0, 0),
    ]


def test_check_in_progress_counts_standing_desk_check_ins(data):
    progress = check_in_progress(data["conference"])

    assert progress.confirmed == 6
    # liege, nice and provence (the day before); provence2's was undone, nice2's at a door.
    assert progress.confirmed_checked_in == 3
    assert progress.percentage == 50
    assert progress.checked_in == 4  # the waitlisted delegate too
    assert progress.days == [
        CheckInDay(
            dt.date(2026, 6, 10),
            [HourCount(paris(10, 8), 1), HourCount(paris(10, 9), 0), HourCount(paris(10, 10), 1)],
        ),
        CheckInDay(dt.date(2026, 6, 11), [HourCount(paris(11, 9), 1)]),
    ]


def test_meal_sheet_groups_needs_whatever_their_case_accents_and_language(data):
    sheet = meal_sheet(data["conference"])

    assert sheet.days == [dt.date(2026, 6, 10), dt.date(2026, 6, 11), dt.date(2026, 6, 12)]
    assert sheet.confirmed == 6
    # "Vegetarian ", "  vegetarian", "Végétarien" and "  VÉGÉTARIEN" are one need.
    assert sheet.needs == [Tally("vegetarian", "Vegetarian", 4), Tally("vegan", "Vegan", 1)]
    assert sheet.without_needs == 1


def test_headsets_per_language_per_session(data):
    headsets = headsets_needed(data["conference"])

    assert [(h.session, h.languages) for h in headsets] == [
        # A plenary needs no sign-up: every confirmed delegate may come.
        (data["plenary"], [Tally("fr", "French", 2), Tally("de", "German", 1)]),
        # Booked delegates only: liege (fr); nice asked for none; provence only waits.
        (data["workshop"], [Tally("fr", "French", 1)]),
        (data["visit"], [Tally("de", "German", 1), Tally("fr", "French", 2)]),
    ]
    assert headsets[0].total == 3


def test_site_visit_access_counts_booked_delegates_with_needs(data):
    visits = site_visit_access(data["conference"])

    assert [(v.session, v.booked, v.needing_access) for v in visits] == [
        (data["visit"], 3, 1),
        (data["empty_visit"], 0, 0),
    ]


def test_badges_by_category_of_confirmed_delegates(data):
    assert badges_by_category(data["conference"]) == [
        Tally("delegate", "Delegate", 4),
        Tally("elected", "Elected official", 0),
        Tally("speaker", "Speaker", 1),
        Tally("press", "Press", 1),
        Tally("exhibitor", "Exhibitor", 0),
        Tally("staff", "Organiser staff", 0),
    ]


# --- The page ---------------------------------------------------------------------------------


def dashboard_url(conference) -> str:
    return reverse("admin:conference_dashboard", kwargs={"slug": conference.slug})


@pytest.fixture
def organiser(django_user_model):
    user = django_user_model.objects.create_user("organiser", password="x", is_staff=True)
    grant(user, "view_registration")
    return user


def test_dashboard_needs_staff_login(client, data):
    response = client.get(dashboard_url(data["conference"]))

    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")


def test_dashboard_needs_permission_to_view_registrations(client, data, django_user_model):
    staff = django_user_model.objects.create_user("desk", password="x", is_staff=True)
    grant(staff, "view_conference", "view_special_needs")
    staff_login(client, staff)

    assert client.get(dashboard_url(data["conference"])).status_code == 403


def test_dashboard_of_unknown_conference_is_not_found(client, organiser):
    staff_login(client, organiser)
    assert client.get("/admin/conference/nowhere/dashboard/").status_code == 404


def test_dashboard_hides_special_needs_without_the_permission(client, data, organiser):
    staff_login(client, organiser)

    response = client.get(dashboard_url(data["conference"]))

    assert response.status_code == 200
    assert response.context["dashboard"].meals is None
    assert response.context["dashboard"].site_visit_access is None
    page = response.content.decode()
    assert "<h3>Meals by dietary need</h3>" not in page
    assert "egetarian" not in page
    assert "Needing step-free or other access" not in page
    assert "shown only to those allowed to see dietary and accessibility needs" in page
    # The other figures are there.
    assert "Badges to print" in page
    assert "Interpretation headsets" in page


def test_dashboard_shows_special_needs_with_the_permission(client, data, organiser):
    grant(organiser, "view_special_needs")
    staff_login(client, organiser)

    response = client.get(dashboard_url(data["conference"]))

    page = response.content.decode()
    assert response.context["dashboard"].meals.needs[0] == Tally("vegetarian", "Vegetarian", 4)
    assert "<h3>Meals by dietary need</h3>" in page
    assert page.count('<th scope="row">Vegetarian</th>') == 3  # a sheet a day
    assert "Needing step-free or other access" in page
    assert "shown only to those allowed" not in page


def test_dashboard_charts_are_accessible_images_with_tables(client, data, organiser):
    staff_login(client, organiser)

    page = client.get(dashboard_url(data["conference"])).content.decode()

    # 8 charts, and one per event day with arrivals; each an image with a summary.
    assert page.count('<svg class="dashboard-chart" role="img" aria-label="') == 10
    assert 'aria-label="Registrations by status: Pending approval: 1; Confirmed: 6;' in page
    assert 'aria-label="Places booked in each session: Workshop on nightlife: 2 / 2' in page
    assert '<th scope="col">Country</th>' in page
    assert '<th scope="row">France</th><td class="number">6</td>' in page
    # Nothing is fetched from elsewhere: scripts and styles are our own static files.
    assets = re.findall(r'<(?:script src|link rel="stylesheet" href)="([^"]+)"', page)
    assert "/static/css/dashboard.css" in assets
    assert all(asset.startswith("/static/") for asset in assets)


def test_dashboard_escapes_titles_in_charts(client, data, organiser):
    data["workshop"].title = '<script>alert("x")</script>'
    data["workshop"].save()
    staff_login(client, organiser)

    page = client.get(dashboard_url(data["conference"])).content.decode()

    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page


def build_conference(*, slug: str, registrations: int, sessions: int):
    """A conference with `registrations` confirmed delegates spread over `sessions` sessions
    of every kind, bookings, waiting lists and check-ins."""
    conference = ConferenceFactory(slug=slug)
    kinds = [Session.Kind.WORKSHOP, Session.Kind.SITE_VISIT, Session.Kind.PLENARY]
    programme = [
        SessionFactory(
            conference=conference,
            kind=kinds[number % len(kinds)],
            capacity=3,
            interpretation_languages=["fr", "de"],
        )
        for number in range(sessions)
    ]
    countries = ["FR", "BE", "DE", "IT", "ES", "PL"]
    for number in range(registrations):
        authority = AuthorityFactory(
            name=f"{slug} authority {number % 7}",
            country=countries[number % len(countries)],
            kind=list(Authority.Kind)[number % len(Authority.Kind)],
            is_member=number % 2 == 0,
        )
        registration = RegistrationFactory(
            conference=conference,
            authority=authority,
            category=list(Category)[number % len(Category)],
            status=Status.CONFIRMED if number % 5 else Status.PENDING,
            dietary_needs=["", "vegan", "Halal", f"allergy {number}"][number % 4],
            accessibility_needs=["", "step-free"][number % 2],
            interpretation_language=["fr", "de", ""][number % 3],
        )
        for session in programme:
            if session.requires_sign_up and (number + session.pk) % 2 == 0:
                booked = session.bookings.filter(status=BOOKED).count() < 3
                book(registration, session, BOOKED if booked else WAITING)
        if number % 2 and registration.status == Status.CONFIRMED:
            check_in(
                registration=registration,
                by=None,
                now=dt.datetime.combine(
                    conference.start_date, dt.time(8 + number % 9), conference.tzinfo
                ),
            )
    return conference


def dashboard_queries(client, conference) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(dashboard_url(conference))
    assert response.status_code == 200
    return len(queries)


def test_dashboard_query_count_does_not_grow_with_the_data(client, organiser):
    grant(organiser, "view_special_needs")
    staff_login(client, organiser)
    small = build_conference(slug="small", registrations=5, sessions=2)
    large = build_conference(slug="large", registrations=60, sessions=12)

    small_count = dashboard_queries(client, small)
    large_count = dashboard_queries(client, large)

    assert small_count == large_count
    # 22, and 4 for the figures of the answers (questions, choices, choices made, values).
    assert large_count <= 26


# --- Links to the dashboard -------------------------------------------------------------------


def test_conference_change_page_links_to_its_dashboard(admin_client, data):
    response = admin_client.get(
        reverse("admin:conference_conference_change", args=[data["conference"].pk])
    )

    assert f'href="{dashboard_url(data["conference"])}"' in response.content.decode()


def test_admin_index_lists_dashboards_of_published_conferences(admin_client, data):
    ConferenceFactory(slug="draft", name="Draft conference", is_published=False)

    response = admin_client.get(reverse("admin:index"))

    page = response.content.decode()
    assert "Dashboards" in page
    assert f'href="{dashboard_url(data["conference"])}"' in page
    assert "/admin/conference/draft/dashboard/" not in page
    # The default index is still there.
    assert "Recent actions" in page
    assert reverse("admin:registrations_registration_changelist") in page


def test_admin_index_has_no_dashboards_without_permission(client, data, django_user_model):
    staff = django_user_model.objects.create_user("editor", password="x", is_staff=True)
    grant(staff, "view_conference")
    staff_login(client, staff)

    page = client.get(reverse("admin:index")).content.decode()

    assert "Dashboards" not in page
    assert "Conferences" in page


def test_logistics_figures_export_as_csv_and_xlsx(admin_client):
    import csv
    import io

    from registrations.models import ExportRecord
    from tests.factories import ConferenceFactory, RegistrationFactory

    conference = ConferenceFactory()
    RegistrationFactory(conference=conference, dietary_needs="Vegan", category="speaker")
    RegistrationFactory(conference=conference)
    base = f"/admin/conference/{conference.slug}/logistics."

    response = admin_client.get(base + "csv")

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8").lstrip("\ufeff"))))
    assert rows[0] == ["Figure", "Day", "Session", "Item", "Count"]
    assert ["Badges", "", "", "Speaker", "1"] in rows
    meals = [row for row in rows if row[0] == "Meals" and row[3] == "Vegan"]
    assert len(meals) == 3  # one sheet per conference day
    xlsx = admin_client.get(base + "xlsx")
    assert xlsx.status_code == 200
    assert b"".join(xlsx.streaming_content).startswith(b"PK")
    assert admin_client.get(base + "pdf").status_code == 404
    assert ExportRecord.objects.filter(kind="logistics").count() == 2


def test_logistics_export_needs_the_export_permission(client, django_user_model):
    from django.contrib.auth.models import Permission

    from tests.factories import ConferenceFactory

    conference = ConferenceFactory()
    viewer = django_user_model.objects.create_user("viewer2", password="x", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_registration"))
    staff_login(client, viewer)

    assert client.get(f"/admin/conference/{conference.slug}/logistics.csv").status_code == 403
