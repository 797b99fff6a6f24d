import csv
import datetime as dt
import io

import factory
import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conference.models import Session
from registrations.models import Registration, SessionBooking
from tests.admin_forms import change_form_data
from tests.factories import (
    AuthorityFactory,
    ConferenceFactory,
    RegistrationFactory,
    RoomFactory,
    SessionFactory,
    SpeakerFactory,
)
from tests.factories.registrations import SessionBookingFactory as CountedSessionBookingFactory
from tests.staff import staff_login

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:conference_session_changelist"
CHANGE = "admin:conference_session_change"
ATTENDEES = "admin:registrations_session_attendees_csv"


class SessionBookingFactory(CountedSessionBookingFactory):
    """The places it holds counted on the session, as the booking services count them."""

    registration = factory.SubFactory(RegistrationFactory)
    session = factory.SubFactory(
        SessionFactory, conference=factory.SelfAttribute("..registration.conference")
    )
    status = SessionBooking.Status.BOOKED


def at(conference, start: str, end: str) -> dict:
    tz = conference.tzinfo
    day = conference.start_date
    return {
        "starts_at": dt.datetime.combine(day, dt.time.fromisoformat(start), tzinfo=tz),
        "ends_at": dt.datetime.combine(day, dt.time.fromisoformat(end), tzinfo=tz),
    }


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


@pytest.fixture
def overlapping(conference):
    room = RoomFactory(venue=conference.venue, name="Salle Athéna")
    first = SessionFactory(
        conference=conference, title="First", room=room, **at(conference, "09:00", "10:30")
    )
    second = SessionFactory(
        conference=conference, title="Second", room=room, **at(conference, "10:00", "11:00")
    )
    return first, second


# --- Booking figures ------------------------------------------------------------------------


def test_changelist_shows_booked_and_waiting_counts(admin_client, conference):
    busy = SessionFactory(conference=conference, title="Busy", capacity=2)
    SessionBookingFactory.create_batch(2, session=busy, registration__conference=conference)
    SessionBookingFactory(
        session=busy, registration__conference=conference, status=SessionBooking.Status.WAITING
    )
    # Waiting for a session while waiting for a place at the conference: not counted yet.
    SessionBookingFactory(
        session=busy,
        registration__conference=conference,
        registration__status=Registration.Status.WAITLISTED,
        status=SessionBooking.Status.WAITING,
    )
    SessionFactory(conference=conference, title="Quiet")

    response = admin_client.get(reverse(CHANGELIST))

    assert response.status_code == 200
    counts = {
        session.title: (session.booked_count, session.waiting_count)
        for session in response.context["cl"].result_list
    }
    assert counts == {"Busy": (2, 1), "Quiet": (0, 0)}
    content = response.content.decode()
    assert "Booked" in content
    assert "Waiting list" in content
    assert reverse(ATTENDEES, args=[busy.pk]) in content


def test_changelist_counts_survive_a_search_by_speaker(admin_client, conference):
    session = SessionFactory(conference=conference, title="Busy")
    session.speakers.add(
        SpeakerFactory(conference=conference, full_name="Maria Rossi"),
        SpeakerFactory(conference=conference, full_name="Mario Rossini"),
    )
    SessionBookingFactory.create_batch(3, session=session, registration__conference=conference)

    response = admin_client.get(reverse(CHANGELIST), {"q": "ross"})

    [result] = response.context["cl"].result_list
    assert result.booked_count == 3


def changelist_queries(client, sessions: int) -> int:
    conference = ConferenceFactory()
    speaker = SpeakerFactory(conference=conference)
    for index in range(sessions):
        start = dt.time(8 + index % 10, 0).isoformat()
        end = dt.time(8 + index % 10, 45).isoformat()
        session = SessionFactory(conference=conference, capacity=1, **at(conference, start, end))
        session.speakers.add(speaker)
        SessionBookingFactory(session=session, registration__conference=conference)
        SessionBookingFactory(
            session=session,
            registration__conference=conference,
            status=SessionBooking.Status.WAITING,
        )
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(CHANGELIST), {"conference__id__exact": conference.pk})
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == sessions
    return len(queries)


def test_changelist_query_count_does_not_grow_with_sessions(admin_client):
    few = changelist_queries(admin_client, 5)
    assert few <= 20
    assert changelist_queries(admin_client, 30) == few


def test_change_page_lists_bookings_read_only(admin_client, conference):
    session = SessionFactory(conference=conference)
    booking = SessionBookingFactory(
        session=session,
        registration__conference=conference,
        registration__authority=AuthorityFactory(name="Liège", country="BE"),
    )

    response = admin_client.get(reverse(CHANGE, args=[session.pk]))

    assert response.status_code == 200
    content = response.content.decode()
    assert booking.registration.reference in content
    assert booking.registration.full_name in content
    assert "Liège" in content
    assert reverse("admin:registrations_registration_change", args=[booking.registration.pk]) in (
        content
    )
    assert 'name="bookings-0-status"' not in content
    assert reverse(ATTENDEES, args=[session.pk]) in content


# --- Attendee export ------------------------------------------------------------------------


def test_attendee_export_lists_the_sessions_delegates_booked_first(admin_client, conference):
    session = SessionFactory(conference=conference)
    waiting = SessionBookingFactory(
        session=session,
        registration__conference=conference,
        registration__last_name="Nowak",
        status=SessionBooking.Status.WAITING,
    )
    booked = SessionBookingFactory(
        session=session,
        registration__conference=conference,
        registration__first_name="Jean",
        registration__last_name="Dupont",
        registration__email="jean.dupont@example.org",
        registration__category=Registration.Category.ELECTED_OFFICIAL,
        registration__preferred_language="fr",
        registration__authority=AuthorityFactory(name="Liège", country="BE"),
        registration__phone="+3242212111",
        registration__interpretation_language="fr",
    )
    SessionBookingFactory(registration__conference=conference, registration__last_name="Other")

    rows = csv_rows(admin_client.get(reverse(ATTENDEES, args=[session.pk])))

    assert rows == [
        [
            "Reference",
            "Booking",
            "First name",
            "Last name",
            "Email",
            "Phone",
            "City or region",
            "Country",
            "Country code",
            "Category",
            "Language",
            "Interpretation language",
        ],
        [
            booked.registration.reference,
            "Booked",
            "Jean",
            "Dupont",
            "jean.dupont@example.org",
            "'+3242212111",  # a leading + is disarmed in CSV, as any formula's first character
            "Liège",
            "Belgium",
            "BE",
            "Elected official",
            "French",
            "French",
        ],
        [
            waiting.registration.reference,
            "Waiting list",
            "Anna",
            "Nowak",
            waiting.registration.email,
            "",
            waiting.registration.authority.name,
            "France",
            "FR",
            "Delegate",
            "English",
            "",
        ],
    ]


def test_attendee_export_disarms_formulas(admin_client, conference):
    session = SessionFactory(conference=conference)
    SessionBookingFactory(
        session=session,
        registration__conference=conference,
        registration__first_name='=HYPERLINK("http://evil.example","x")',
        registration__last_name="+33 1 23",
        registration__authority=AuthorityFactory(name="@Ville"),
    )

    response = admin_client.get(reverse(ATTENDEES, args=[session.pk]))

    [_header, row] = csv_rows(response)
    assert row[2] == '\'=HYPERLINK("http://evil.example","x")'
    assert row[3] == "'+33 1 23"
    assert row[6] == "'@Ville"
    assert response["Content-Disposition"] == (
        f'attachment; filename="session-{session.pk}-attendees.csv"'
    )


def test_attendee_export_of_unknown_session_is_not_found(admin_client):
    assert admin_client.get(reverse(ATTENDEES, args=[987654])).status_code == 404


def test_attendee_export_needs_staff_login(client, conference):
    session = SessionFactory(conference=conference)
    response = client.get(reverse(ATTENDEES, args=[session.pk]))
    assert response.status_code == 302
    assert "/admin/login/" in response.url


def grant(user, *codenames: str) -> None:
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))


def test_attendee_export_needs_permission_to_view_registrations(
    client, conference, django_user_model
):
    session = SessionFactory(conference=conference)
    staff = django_user_model.objects.create_user("desk", password="x", is_staff=True)
    grant(staff, "view_session")
    staff_login(client, staff)

    assert client.get(reverse(ATTENDEES, args=[session.pk])).status_code == 403


def test_attendee_export_needs_permission_to_export(client, conference, django_user_model):
    session = SessionFactory(conference=conference)
    staff = django_user_model.objects.create_user("desk", password="x", is_staff=True)
    grant(staff, "view_session", "view_registration")
    staff_login(client, staff)

    assert client.get(reverse(ATTENDEES, args=[session.pk])).status_code == 403


def test_attendee_export_with_view_and_export_permissions(client, conference, django_user_model):
    session = SessionFactory(conference=conference)
    SessionBookingFactory(session=session, registration__conference=conference)
    staff = django_user_model.objects.create_user("desk", password="x", is_staff=True)
    grant(staff, "view_session", "view_registration", "export_registrations")
    staff_login(client, staff)

    rows = csv_rows(client.get(reverse(ATTENDEES, args=[session.pk])))

    assert len(rows) == 2


# --- Schedule warnings ----------------------------------------------------------------------


def test_changelist_shows_schedule_warnings(admin_client, overlapping):
    response = admin_client.get(reverse(CHANGELIST))

    content = response.content.decode()
    assert "Salle Athéna is also used by “Second” at the same time." in content
    assert "Salle Athéna is also used by “First” at the same time." in content


def test_change_page_shows_the_sessions_warnings_as_messages(admin_client, overlapping):
    first, _second = overlapping

    response = admin_client.get(reverse(CHANGE, args=[first.pk]))

    messages = [str(message) for message in response.context["messages"]]
    assert messages == ["Salle Athéna is also used by “Second” at the same time."]
    assert "Salle Athéna is also used by “Second” at the same time." in response.content.decode()


def test_change_page_of_a_session_without_problems_has_no_warnings(admin_client, conference):
    session = SessionFactory(conference=conference)

    response = admin_client.get(reverse(CHANGE, args=[session.pk]))

    assert list(response.context["messages"]) == []


def test_session_with_problems_can_still_be_saved_and_stays_flagged(admin_client, overlapping):
    first, _second = overlapping
    url = reverse(CHANGE, args=[first.pk])
    data = change_form_data(admin_client.get(url))
    data["title_en"] = "First, renamed"  # the admin edits each language: title_en, title_fr

    response = admin_client.post(url, data, follow=True)

    assert response.redirect_chain, response.context["adminform"].form.errors
    assert response.redirect_chain[-1][0] == reverse(CHANGELIST)
    assert "Salle Athéna is also used by “Second” at the same time." in response.content.decode()
    first.refresh_from_db()
    assert first.title == "First, renamed"
    messages = [str(m) for m in admin_client.get(url).context["messages"]]
    assert messages == ["Salle Athéna is also used by “Second” at the same time."]


def test_session_moved_out_of_the_clash_loses_its_warning(admin_client, overlapping):
    first, second = overlapping
    url = reverse(CHANGE, args=[first.pk])
    data = change_form_data(admin_client.get(url))
    data["ends_at_1"] = "10:00:00"

    response = admin_client.post(url, data, follow=True)

    assert response.redirect_chain, response.context["adminform"].form.errors
    assert response.redirect_chain[-1][0] == reverse(CHANGELIST)
    first.refresh_from_db()
    assert first.sequence == 1
    assert list(admin_client.get(url).context["messages"]) == []
    assert list(admin_client.get(reverse(CHANGE, args=[second.pk])).context["messages"]) == []


def test_session_form_refuses_a_speaker_of_another_conference(admin_client, conference):
    session = SessionFactory(conference=conference)
    stranger = SpeakerFactory(conference=ConferenceFactory())
    url = reverse(CHANGE, args=[session.pk])
    data = change_form_data(admin_client.get(url))
    data["speakers"] = [str(stranger.pk)]

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert "speakers" in response.context["adminform"].form.errors


# --- Themes ---------------------------------------------------------------------------------


def test_theme_autocomplete_for_sessions(admin_client, conference):
    from conference.models import Theme

    Theme.objects.create(conference=conference, name="Drugs and nightlife", slug="drugs")
    Theme.objects.create(conference=conference, name="Radicalisation", slug="radicalisation")

    response = admin_client.get(
        reverse("admin:autocomplete"),
        {
            "term": "night",
            "app_label": "conference",
            "model_name": "session",
            "field_name": "themes",
        },
    )

    assert response.status_code == 200
    assert [result["text"] for result in response.json()["results"]] == ["Drugs and nightlife"]


@pytest.mark.parametrize("model", ["conference_theme", "conference_session"])
def test_theme_and_session_changelists_load(admin_client, model):
    SessionFactory()
    assert admin_client.get(reverse(f"admin:{model}_changelist")).status_code == 200


def test_session_admin_is_the_one_with_booking_figures():
    from django.contrib import admin

    from registrations.admin.sessions import SessionBookingAdmin

    assert isinstance(admin.site._registry[Session], SessionBookingAdmin)
