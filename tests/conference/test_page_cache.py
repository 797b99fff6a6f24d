"""The cached programme and home pages: the same page for less work when nothing changed, a new
one as soon as the programme changes, per language and filter, expiring before a boundary."""

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from conference.page_cache import PAGE_CACHE_SECONDS, page_cache_seconds
from registrations.models import SessionBooking
from tests.factories import (
    ConferenceFactory,
    RegistrationFactory,
    SessionFactory,
    SpeakerFactory,
    ThemeFactory,
)
from tests.factories.registrations import SessionBookingFactory

pytestmark = pytest.mark.django_db


def url(name: str, language: str = "en", **kwargs) -> str:
    with translation.override(language):
        return reverse(name, kwargs=kwargs)


def get(client, address: str) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(address)
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def without_nonce(html: str) -> str:
    """The page but for what changes at every request (the CSP nonce, the CSRF token)."""
    html = re.sub(r'nonce="[^"]*"', "", html)
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


def test_programme_served_again_without_loading_the_sessions(client):
    conference = ConferenceFactory()
    for index in range(5):
        SessionFactory(conference=conference, title=f"Workshop {index}", capacity=20)
    address = url("conference:programme", slug=conference.slug)

    cold, cold_queries = get(client, address)
    warm, warm_queries = get(client, address)

    assert without_nonce(warm) == without_nonce(cold)
    assert "Workshop 4" in warm
    # The conference and its themes (for the filter form); no sessions, speakers or bookings.
    assert warm_queries < cold_queries
    assert warm_queries <= 4


def test_programme_shows_a_renamed_session_at_once(client):
    conference = ConferenceFactory()
    session = SessionFactory(conference=conference, title="Before the change")
    address = url("conference:programme", slug=conference.slug)
    get(client, address)

    session.title = "After the change"
    session.save()
    page, _ = get(client, address)

    assert "After the change" in page
    assert "Before the change" not in page


def test_programme_shows_a_new_speaker_and_theme_at_once(client):
    conference = ConferenceFactory()
    session = SessionFactory(conference=conference)
    address = url("conference:programme", slug=conference.slug)
    get(client, address)

    session.speakers.add(SpeakerFactory(conference=conference, full_name="Zofia Nowak"))
    session.themes.add(ThemeFactory(conference=conference, name="Night-time economy"))
    page, _ = get(client, address)

    assert "Zofia Nowak" in page
    assert "Night-time economy" in page


def test_programme_cached_per_language_and_per_filter(client):
    conference = ConferenceFactory()
    SessionFactory(conference=conference, title="A workshop", kind="workshop")
    SessionFactory(
        conference=conference,
        title="A plenary",
        kind="plenary",
        starts_at=dt.datetime.combine(conference.start_date, dt.time(14), tzinfo=conference.tzinfo),
    )
    english, _ = get(client, url("conference:programme", slug=conference.slug))
    french, _ = get(client, url("conference:programme", "fr", slug=conference.slug))
    workshops, _ = get(client, url("conference:programme", slug=conference.slug) + "?kind=workshop")

    assert "Workshop" in english and "Atelier" in french
    assert "A plenary" in english
    assert "A workshop" in workshops and "A plenary" not in workshops


def test_places_left_lag_at_most_the_cache_time(client):
    conference = ConferenceFactory()
    workshop = SessionFactory(conference=conference, capacity=3)
    address = url("conference:programme", slug=conference.slug)
    before, _ = get(client, address)
    assert "3 places left" in before

    SessionBookingFactory(
        registration=RegistrationFactory(conference=conference),
        session=workshop,
        status=SessionBooking.Status.BOOKED,
    )
    cached, _ = get(client, address)
    assert "3 places left" in cached

    cache.clear()  # as PAGE_CACHE_SECONDS passing would
    after, _ = get(client, address)
    assert "2 places left" in after


def test_home_page_cached_and_renewed_by_a_change_of_the_conference(client):
    conference = ConferenceFactory(tagline="The first tagline")
    address = url("conference:detail", slug=conference.slug)
    cold, cold_queries = get(client, address)
    warm, warm_queries = get(client, address)
    assert without_nonce(warm) == without_nonce(cold)
    # The conference's id alone when kept; then the conference and its venue when rendered: the
    # places left come from its counters.
    assert (cold_queries, warm_queries) == (3, 1)

    conference.tagline = "The second tagline"
    conference.save()
    page, _ = get(client, address)

    assert "The second tagline" in page


def test_cache_time_cut_short_before_registration_closes():
    now = timezone.now()
    conference = ConferenceFactory(
        registration_opens_at=now - dt.timedelta(days=1),
        registration_closes_at=now + dt.timedelta(seconds=12.5),
    )
    assert page_cache_seconds(conference, now=now) == 13
    assert page_cache_seconds(conference, now=now + dt.timedelta(seconds=20)) == PAGE_CACHE_SECONDS
