import datetime as dt

import icalendar
import pytest
from django.urls import reverse
from django.utils import translation

from conference.models import Session
from tests.factories import ConferenceFactory, SessionFactory, SpeakerFactory

pytestmark = pytest.mark.django_db


def url(name: str, **kwargs) -> str:
    with translation.override("en"):
        return reverse(name, kwargs=kwargs)


def test_index_with_one_conference_goes_straight_to_it(client, conference):
    response = client.get(url("conference:list"))
    assert response.status_code == 302
    assert response.url == url("conference:detail", slug=conference.slug)


def test_index_lists_published_conferences_only(client):
    first, second = ConferenceFactory(), ConferenceFactory()
    hidden = ConferenceFactory(is_published=False)

    content = client.get(url("conference:list")).content.decode()

    assert first.name in content and second.name in content
    assert hidden.name not in content


def test_root_redirects_to_a_language(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 302
    assert response.url == "/fr/"


def test_conference_page_shows_dates_and_venue(client, conference):
    content = client.get(url("conference:detail", slug=conference.slug)).content.decode()
    assert conference.name in content
    assert "Palais Acropolis" in content
    assert "1 Esplanade Kennedy" in content


def test_programme_lists_sessions_by_day_in_local_time(client, conference):
    speaker = SpeakerFactory(conference=conference, full_name="Maria Rossi")
    first_day = SessionFactory(
        conference=conference, title="Opening plenary", kind=Session.Kind.PLENARY
    )
    first_day.speakers.add(speaker)
    SessionFactory(
        conference=conference,
        title="Drugs and nightlife",
        starts_at=first_day.starts_at + dt.timedelta(days=1),
        ends_at=first_day.ends_at + dt.timedelta(days=1),
        interpretation_languages=[],
    )

    content = client.get(url("conference:programme", slug=conference.slug)).content.decode()

    assert content.index("Opening plenary") < content.index("Drugs and nightlife")
    assert content.count('<section id="day-') == 2
    assert "09:30" in content
    assert "Maria Rossi" in content
    assert "EN ⇄ FR interpretation" in content
    assert "In English, no interpretation" in content


def test_programme_query_count_does_not_grow_with_sessions(
    client, conference, django_assert_max_num_queries
):
    for _ in range(30):
        session = SessionFactory(conference=conference)
        session.speakers.add(SpeakerFactory(conference=conference))
    # The conference's id (all a kept page needs), the conference, its themes, the sessions,
    # their rooms, the speakers and themes with their links to the sessions, the places taken.
    with django_assert_max_num_queries(9):
        response = client.get(url("conference:programme", slug=conference.slug))
    assert response.status_code == 200


def test_conference_calendar_is_valid_icalendar(client, conference):
    response = client.get(url("conference:calendar", slug=conference.slug))

    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = icalendar.Calendar.from_ical(response.content)
    [event] = calendar.walk("VEVENT")
    assert str(event["summary"]) == conference.name
    assert event["dtstart"].dt == conference.start_date
    assert event["dtend"].dt == conference.end_date + dt.timedelta(days=1)
    assert "Palais Acropolis" in str(event["location"])
    assert str(event["uid"]) == f"conference-{conference.slug}@testserver"


def test_session_interpretation_summary():
    interpreted = Session(language="fr", interpretation_languages=["en", "es"])
    not_interpreted = Session(language="de", interpretation_languages=[])
    with translation.override("en"):
        assert interpreted.interpretation_summary() == "FR ⇄ EN, ES interpretation"
        assert not_interpreted.interpretation_summary() == "In German, no interpretation"
