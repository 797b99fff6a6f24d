import datetime as dt

import factory
import icalendar
import pytest
from django.urls import reverse

from conference.services import session_save
from registrations.access.agenda import agenda_url
from registrations.access.self_service import registration_erase, registration_update_details
from registrations.models import Registration, RetiredAgendaFeed, SessionBooking
from registrations.places.bookings import session_bookings_set
from registrations.places.registrations import RegistrationData
from registrations.places.status import registration_cancel
from tests.factories import ConferenceFactory, RegistrationFactory, SessionFactory
from tests.factories.registrations import SessionBookingFactory as CountedSessionBookingFactory

pytestmark = pytest.mark.django_db


class SessionBookingFactory(CountedSessionBookingFactory):
    """The places it holds counted on the session, as the booking services count them."""

    registration = factory.SubFactory(RegistrationFactory)
    session = factory.SubFactory(
        SessionFactory, conference=factory.SelfAttribute("..registration.conference")
    )
    status = SessionBooking.Status.BOOKED


def agenda_path(registration: Registration) -> str:
    return reverse("agenda_calendar", kwargs={"token": registration.agenda_token})


def fetch_agenda(client, registration: Registration) -> icalendar.Calendar:
    response = client.get(agenda_path(registration))
    assert response.status_code == 200
    return icalendar.Calendar.from_ical(response.content)


@pytest.fixture
def registration(conference):
    return RegistrationFactory(conference=conference)


def later(session, hours: int) -> dict:
    return {
        "starts_at": session.starts_at + dt.timedelta(hours=hours),
        "ends_at": session.ends_at + dt.timedelta(hours=hours),
    }


def test_agenda_address_is_secret_and_not_language_prefixed(registration):
    assert agenda_path(registration) == f"/agenda/{registration.agenda_token}.ics"
    assert agenda_url(registration) == f"http://testserver/agenda/{registration.agenda_token}.ics"


def test_agenda_response_is_private_calendar(client, registration):
    response = client.get(agenda_path(registration))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Robots-Tag"] == "noindex"
    assert response["Referrer-Policy"] == "no-referrer"


def test_agenda_lists_only_the_delegates_booked_sessions(client, registration, conference):
    booked = SessionBookingFactory(registration=registration, session__title="Nightlife")
    SessionBookingFactory(
        registration=registration,
        status=SessionBooking.Status.WAITING,
        session__title="Waiting for it",
        **{f"session__{field}": value for field, value in later(booked.session, 3).items()},
    )
    SessionBookingFactory(registration__conference=conference, session__title="Someone else's")
    SessionFactory(conference=conference, title="Not chosen")

    calendar = fetch_agenda(client, registration)

    summaries = sorted(str(event["summary"]) for event in calendar.walk("VEVENT"))
    assert summaries == sorted([conference.name, "Nightlife"])


def test_agenda_session_event_matches_the_sessions_own_event(client, registration, conference):
    booking = SessionBookingFactory(registration=registration)
    own = icalendar.Calendar.from_ical(
        client.get(
            reverse(
                "conference:session_calendar",
                kwargs={"slug": conference.slug, "pk": booking.session.pk},
            )
        ).content
    )

    agenda = fetch_agenda(client, registration)

    [own_event] = own.walk("VEVENT")
    [agenda_event] = [e for e in agenda.walk("VEVENT") if str(e["uid"]).startswith("session-")]
    assert str(agenda_event["uid"]) == str(own_event["uid"])
    assert agenda_event["sequence"] == own_event["sequence"]
    assert agenda_event["dtstart"].dt == own_event["dtstart"].dt


def test_agenda_defines_the_paris_time_zone(client, registration, conference):
    booking = SessionBookingFactory(registration=registration)

    calendar = fetch_agenda(client, registration)

    [vtimezone] = calendar.walk("VTIMEZONE")
    assert str(vtimezone["tzid"]) == "Europe/Paris"
    [event] = [e for e in calendar.walk("VEVENT") if str(e["uid"]).startswith("session-")]
    assert event["dtstart"].params["TZID"] == "Europe/Paris"
    assert event["dtstart"].dt.replace(tzinfo=None) == dt.datetime.combine(
        conference.start_date, dt.time(9, 30)
    )
    assert event["dtstart"].dt == booking.session.starts_at


def test_agenda_has_the_conference_as_an_all_day_event(client, registration, conference):
    calendar = fetch_agenda(client, registration)

    [event] = calendar.walk("VEVENT")
    assert str(event["uid"]) == f"conference-{conference.slug}@testserver"
    assert event["dtstart"].dt == conference.start_date


def test_agenda_uid_is_stable_and_sequence_rises_when_the_session_moves(client, registration):
    session = SessionBookingFactory(registration=registration).session

    def session_event():
        calendar = fetch_agenda(client, registration)
        [event] = [e for e in calendar.walk("VEVENT") if str(e["uid"]).startswith("session-")]
        return event

    before = session_event()
    for field, value in later(session, hours=2).items():
        setattr(session, field, value)
    session_save(session=session, changed_fields={"starts_at", "ends_at"})
    after = session_event()

    assert str(before["uid"]) == str(after["uid"]) == f"session-{session.pk}@testserver"
    assert before["sequence"] == 0
    assert after["sequence"] == 1
    assert after["dtstart"].dt - before["dtstart"].dt == dt.timedelta(hours=2)


def test_agenda_follows_bookings_made_through_the_service(client, registration, conference):
    first = SessionFactory(conference=conference, title="First", capacity=1)
    full = SessionFactory(conference=conference, title="Full", capacity=1, **later(first, 3))
    SessionBookingFactory(session=full, registration__conference=conference)

    session_bookings_set(registration=registration, sessions=[first, full])

    summaries = {
        str(event["summary"]) for event in fetch_agenda(client, registration).walk("VEVENT")
    }
    assert summaries == {conference.name, "First"}


def test_agenda_of_waitlisted_delegate_leaves_out_the_conference(client, conference):
    waiting = RegistrationFactory(conference=conference, status=Registration.Status.WAITLISTED)

    calendar = fetch_agenda(client, waiting)

    assert calendar.walk("VEVENT") == []


def test_agenda_speaks_the_delegates_language(client, conference):
    french = RegistrationFactory(conference=conference, preferred_language="fr")

    calendar = fetch_agenda(client, french)

    [event] = calendar.walk("VEVENT")
    assert str(event["url"]).startswith(f"http://testserver/fr/{conference.slug}/")


def test_agenda_with_unknown_token_is_not_found(client, registration):
    response = client.get(reverse("agenda_calendar", kwargs={"token": "not-a-real-token"}))
    assert response.status_code == 404


def gone_events(client, path: str) -> list:
    response = client.get(path)
    assert response.status_code == 410
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"] == "private, no-store"
    return icalendar.Calendar.from_ical(response.content).walk("VEVENT")


def test_agenda_of_cancelled_registration_is_gone_and_cancels_its_events(
    client, registration, conference
):
    session = SessionFactory(conference=conference)
    SessionBookingFactory(registration=registration, session=session)
    other = SessionFactory(conference=conference, title="Not booked")
    path = agenda_path(registration)
    held = {
        str(event["uid"]): event["sequence"]
        for event in fetch_agenda(client, registration).walk("VEVENT")
        if "sequence" in event
    }

    registration_cancel(registration=registration)

    events = gone_events(client, path)
    assert sorted(str(event["uid"]) for event in events) == [
        f"conference-{conference.slug}@testserver",
        f"session-{session.pk}@testserver",
    ]
    assert {str(event["status"]) for event in events} == {"CANCELLED"}
    [cancelled_session] = [e for e in events if str(e["uid"]).startswith("session-")]
    assert cancelled_session["sequence"] == held[f"session-{session.pk}@testserver"] + 1
    assert f"session-{other.pk}@testserver" not in {str(event["uid"]) for event in events}


def test_agenda_address_changes_with_the_email(client, registration, conference):
    session = SessionFactory(conference=conference)
    SessionBookingFactory(registration=registration, session=session)
    old_path = agenda_path(registration)

    registration_update_details(
        registration=registration,
        data=RegistrationData(
            first_name="Anna", last_name="Nowak", email="new@example.org", job_title="Adviser"
        ),
        special_needs_consent=False,
    )

    registration.refresh_from_db()
    assert agenda_path(registration) != old_path
    uids = sorted(str(event["uid"]) for event in fetch_agenda(client, registration).walk("VEVENT"))
    assert uids == [f"conference-{conference.slug}@testserver", f"session-{session.pk}@testserver"]
    old = gone_events(client, old_path)
    assert sorted(str(event["uid"]) for event in old) == uids
    assert {str(event["status"]) for event in old} == {"CANCELLED"}


def test_agenda_address_stays_when_other_details_change(client, registration):
    path = agenda_path(registration)

    registration_update_details(
        registration=registration,
        data=RegistrationData(
            first_name="Anna",
            last_name="Changed",
            email=registration.email,
            job_title="Adviser",
        ),
        special_needs_consent=False,
    )

    registration.refresh_from_db()
    assert agenda_path(registration) == path
    assert RetiredAgendaFeed.objects.count() == 0


def test_agenda_of_erased_registration_stays_gone(client, registration):
    path = agenda_path(registration)
    registration_cancel(registration=registration)

    registration_erase(registration=registration)

    [event] = gone_events(client, path)
    assert str(event["uid"]).startswith("conference-")
    assert str(event["status"]) == "CANCELLED"
    # Only a hash of the token is kept with the feed.
    [feed] = RetiredAgendaFeed.objects.filter(registration=registration)
    assert path.removeprefix("/agenda/").removesuffix(".ics") not in feed.token_hash


def test_agenda_erased_before_feeds_were_retired_is_gone_and_empty(client, registration):
    path = agenda_path(registration)
    registration_cancel(registration=registration)
    RetiredAgendaFeed.objects.all().delete()  # cancelled before this release

    registration_erase(registration=registration)

    assert gone_events(client, path) == []


def test_agenda_of_another_conference_registration_is_its_own(client, registration):
    other = RegistrationFactory(conference=ConferenceFactory(name="Another forum"))

    calendar = fetch_agenda(client, other)

    [event] = calendar.walk("VEVENT")
    assert str(event["summary"]) == "Another forum"
