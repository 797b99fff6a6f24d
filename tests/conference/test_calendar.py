import datetime as dt
import zoneinfo

import icalendar
import pytest
from django.urls import reverse
from django.utils import translation

from conference.models import Session
from conference.services import session_save
from tests.factories import ConferenceFactory, RoomFactory, SessionFactory, SpeakerFactory

pytestmark = pytest.mark.django_db

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def url(name: str, **kwargs) -> str:
    with translation.override("en"):
        return reverse(name, kwargs=kwargs)


def fetch(client, name: str, **kwargs) -> icalendar.Calendar:
    response = client.get(url(name, **kwargs))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return icalendar.Calendar.from_ical(response.content)


def events_by_summary(calendar: icalendar.Calendar) -> dict[str, icalendar.Event]:
    return {str(event["summary"]): event for event in calendar.walk("VEVENT")}


@pytest.fixture
def workshop(conference):
    room = RoomFactory(venue=conference.venue, name="Salle Athéna")
    session = SessionFactory(
        conference=conference,
        title="Drugs and nightlife",
        description="How cities keep nights safe.",
        room=room,
        starts_at=dt.datetime.combine(conference.start_date, dt.time(14, 0), tzinfo=PARIS),
        ends_at=dt.datetime.combine(conference.start_date, dt.time(15, 30), tzinfo=PARIS),
    )
    session.speakers.add(
        SpeakerFactory(conference=conference, full_name="Maria Rossi", organisation="Torino")
    )
    return session


def test_programme_calendar_defines_the_paris_time_zone(client, conference, workshop):
    calendar = fetch(client, "conference:programme_calendar", slug=conference.slug)

    [vtimezone] = calendar.walk("VTIMEZONE")
    assert str(vtimezone["tzid"]) == "Europe/Paris"
    assert str(calendar["x-wr-timezone"]) == "Europe/Paris"
    assert str(calendar["x-wr-calname"]) == conference.name
    assert calendar.get_missing_tzids() == set()


def test_programme_calendar_event_keeps_the_local_wall_clock_time(client, conference, workshop):
    calendar = fetch(client, "conference:programme_calendar", slug=conference.slug)

    [event] = calendar.walk("VEVENT")
    assert event["dtstart"].params["TZID"] == "Europe/Paris"
    assert event["dtend"].params["TZID"] == "Europe/Paris"
    assert event["dtstart"].dt.replace(tzinfo=None) == dt.datetime.combine(
        conference.start_date, dt.time(14, 0)
    )
    assert event["dtend"].dt.replace(tzinfo=None) == dt.datetime.combine(
        conference.start_date, dt.time(15, 30)
    )
    assert event["dtstart"].dt == workshop.starts_at


def test_programme_calendar_event_describes_the_session(client, conference, workshop):
    [event] = fetch(client, "conference:programme_calendar", slug=conference.slug).walk("VEVENT")

    assert str(event["uid"]) == f"session-{workshop.pk}@testserver"
    assert event["sequence"] == 0
    assert str(event["summary"]) == "Drugs and nightlife"
    assert str(event["location"]) == (
        "Salle Athéna, Palais Acropolis, 1 Esplanade Kennedy, 06364 Nice, France"
    )
    description = str(event["description"])
    assert "How cities keep nights safe." in description
    assert "Maria Rossi" in description
    with translation.override("en"):
        assert workshop.interpretation_summary() in description
    assert str(event["url"]) == "http://testserver" + url(
        "conference:session", slug=conference.slug, pk=workshop.pk
    )


def test_programme_calendar_leaves_out_breaks(client, conference, workshop):
    SessionFactory(conference=conference, kind=Session.Kind.BREAK, title="Coffee")
    SessionFactory(
        conference=conference,
        kind=Session.Kind.SITE_VISIT,
        title="Port visit",
        room=None,
        location="Port Lympia, quai Lunel",
    )

    events = events_by_summary(fetch(client, "conference:programme_calendar", slug=conference.slug))

    assert set(events) == {"Drugs and nightlife", "Port visit"}
    assert str(events["Port visit"]["location"]) == "Port Lympia, quai Lunel"


def test_programme_calendar_leaves_out_other_conferences(client, conference, workshop):
    SessionFactory(conference=ConferenceFactory(), title="Elsewhere")

    events = events_by_summary(fetch(client, "conference:programme_calendar", slug=conference.slug))

    assert set(events) == {"Drugs and nightlife"}


def test_programme_calendar_of_unpublished_conference_is_not_found(client):
    hidden = ConferenceFactory(is_published=False)
    response = client.get(url("conference:programme_calendar", slug=hidden.slug))
    assert response.status_code == 404


def test_programme_calendar_query_count_does_not_grow_with_sessions(
    client, conference, django_assert_max_num_queries
):
    for _ in range(20):
        session = SessionFactory(conference=conference)
        session.speakers.add(SpeakerFactory(conference=conference))
    with django_assert_max_num_queries(3):
        calendar = fetch(client, "conference:programme_calendar", slug=conference.slug)
    assert len(calendar.walk("VEVENT")) == 20


def test_session_calendar_has_one_event_and_its_time_zone(client, conference, workshop):
    calendar = fetch(client, "conference:session_calendar", slug=conference.slug, pk=workshop.pk)

    [event] = calendar.walk("VEVENT")
    [vtimezone] = calendar.walk("VTIMEZONE")
    assert str(vtimezone["tzid"]) == "Europe/Paris"
    assert str(event["summary"]) == "Drugs and nightlife"
    assert event["dtstart"].params["TZID"] == "Europe/Paris"


def test_session_calendar_uid_is_stable_across_requests(client, conference, workshop):
    first = fetch(client, "conference:session_calendar", slug=conference.slug, pk=workshop.pk)
    second = fetch(client, "conference:session_calendar", slug=conference.slug, pk=workshop.pk)

    [first_event], [second_event] = first.walk("VEVENT"), second.walk("VEVENT")
    assert (
        str(first_event["uid"]) == str(second_event["uid"]) == f"session-{workshop.pk}@testserver"
    )


def test_session_calendar_sequence_rises_when_the_session_moves(client, conference, workshop):
    workshop.starts_at += dt.timedelta(hours=1)
    workshop.ends_at += dt.timedelta(hours=1)
    session_save(session=workshop, changed_fields={"starts_at", "ends_at"})

    calendar = fetch(client, "conference:session_calendar", slug=conference.slug, pk=workshop.pk)

    [event] = calendar.walk("VEVENT")
    assert event["sequence"] == 1
    assert event["dtstart"].dt.replace(tzinfo=None) == dt.datetime.combine(
        conference.start_date, dt.time(15, 0)
    )


def test_session_calendar_sequence_stays_when_only_the_title_changes(client, conference, workshop):
    workshop.title = "Nightlife and drugs"
    session_save(session=workshop, changed_fields={"title"})

    calendar = fetch(client, "conference:session_calendar", slug=conference.slug, pk=workshop.pk)

    [event] = calendar.walk("VEVENT")
    assert event["sequence"] == 0


def test_session_calendar_of_another_conference_is_not_found(client, workshop):
    other = ConferenceFactory()
    response = client.get(url("conference:session_calendar", slug=other.slug, pk=workshop.pk))
    assert response.status_code == 404


def test_session_calendar_of_a_break_is_not_found(client, conference):
    coffee = SessionFactory(conference=conference, kind=Session.Kind.BREAK)
    response = client.get(url("conference:session_calendar", slug=conference.slug, pk=coffee.pk))
    assert response.status_code == 404


def test_session_event_in_winter_uses_standard_time(client):
    conference = ConferenceFactory(start_date=dt.date(2031, 1, 14), end_date=dt.date(2031, 1, 16))
    session = SessionFactory(conference=conference)

    calendar = fetch(client, "conference:session_calendar", slug=conference.slug, pk=session.pk)

    [event] = calendar.walk("VEVENT")
    assert event["dtstart"].dt.replace(tzinfo=None) == dt.datetime(2031, 1, 14, 9, 30)
    assert event["dtstart"].dt.utcoffset() == dt.timedelta(hours=1)
