"""The programme and home pages kept whole in the cache (conference.cached_pages): a hit runs one
query, shows what changed, never one visitor's token, nonce, address or messages to another, and
the programme renders each session once."""

import re

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.test.signals import template_rendered
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from conference import cached_pages, page_cache
from conference.models import Conference
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


def programme(conference, language: str = "en") -> str:
    return url("conference:programme", language, slug=conference.slug)


def style_nonce(html: str) -> str:
    return re.search(r'<style nonce="([^"]+)">', html).group(1)


def csrf_token(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def language_next(html: str) -> str:
    return re.search(r'<input name="next" type="hidden" value="([^"]*)">', html).group(1)


def test_programme_renders_the_session_template_once_per_shape_of_session(client, conference):
    speaker = SpeakerFactory(conference=conference, full_name="Zofia Nowak")
    for index in range(7):
        session = SessionFactory(conference=conference, title=f"Workshop {index}", capacity=9)
        if index % 2:
            session.speakers.add(speaker)
    rendered = []

    def count(sender, template, **kwargs):
        rendered.append(template.name)

    template_rendered.connect(count)
    try:
        page = client.get(programme(conference)).content.decode()
    finally:
        template_rendered.disconnect(count)

    # With speakers and without: the sessions are put in place in what it rendered.
    assert rendered.count("conference/_programme_session.html") == 2
    # Each shown twice all the same: in the timetable and in the list.
    for index in range(7):
        assert page.count(f"Workshop {index}</a>") == 2
    assert page.count("Zofia Nowak") == 6
    assert page.count("9 places left") == 14


def test_programme_hit_runs_one_query_whatever_its_size(
    client, conference, django_assert_num_queries
):
    for index in range(30):
        session = SessionFactory(conference=conference, capacity=5)
        session.themes.add(ThemeFactory(conference=conference, name=f"Theme {index}"))
    cold = client.get(programme(conference)).content.decode()

    # The conference, which must still be published.
    with django_assert_num_queries(1):
        warm = client.get(programme(conference)).content.decode()

    assert warm.count("timetable-session") == cold.count("timetable-session") == 30


def test_programme_filters_as_a_form_sends_them_hit_in_one_query(
    client, conference, django_assert_num_queries
):
    SessionFactory(conference=conference, kind="workshop", title="A workshop")
    SessionFactory(conference=conference, kind="plenary", title="A plenary")
    address = programme(conference) + "?kind=workshop&theme=&language="
    client.get(address)

    with django_assert_num_queries(1):
        page = client.get(address).content.decode()

    assert "A workshop" in page and "A plenary" not in page


def test_programme_invalid_filter_served_the_page_of_the_valid_ones(client, conference):
    theme = ThemeFactory(conference=conference, slug="mobility")
    SessionFactory(conference=conference, kind="workshop", title="A workshop").themes.add(theme)
    SessionFactory(conference=conference, kind="plenary", title="A plenary")

    first = client.get(programme(conference) + "?kind=workshop&theme=no-such-theme")
    again = client.get(programme(conference) + "?kind=workshop&theme=another-one")
    themed = client.get(programme(conference) + "?theme=mobility")

    for response in (first, again):
        assert "A workshop" in response.content.decode()
        assert "A plenary" not in response.content.decode()
    assert "A workshop" in themed.content.decode()
    assert "A plenary" not in themed.content.decode()


def test_programme_shows_a_theme_removed_filter_as_unfiltered(client, conference):
    theme = ThemeFactory(conference=conference, slug="mobility")
    SessionFactory(conference=conference, title="A workshop").themes.add(theme)
    SessionFactory(conference=conference, title="A plenary")
    address = programme(conference) + "?theme=mobility"
    assert "A plenary" not in client.get(address).content.decode()

    theme.delete()

    assert "A plenary" in client.get(address).content.decode()


def test_home_page_hit_runs_one_query(client, conference, django_assert_num_queries):
    address = url("conference:detail", slug=conference.slug)
    client.get(address)

    with django_assert_num_queries(1):
        response = client.get(address)

    assert response.status_code == 200


@pytest.mark.parametrize("name", ["conference:detail", "conference:programme"])
def test_page_hit_reads_the_conferences_id_alone(client, conference, name):
    """Whether the conference is still published is all a kept page needs: its 37 columns
    would cost the hit a third of its query's CPU."""
    address = url(name, slug=conference.slug)
    client.get(address)

    with CaptureQueriesContext(connection) as queries:
        assert client.get(address).status_code == 200

    [query] = queries.captured_queries
    selected = query["sql"].split(" FROM ")[0]
    assert selected == 'SELECT "conference_conference"."id" AS "pk"'


def test_page_of_a_conference_unpublished_between_its_id_and_its_render_is_404(
    client, conference, monkeypatch
):
    from conference import views

    read = views.published_conference_id

    def read_then_unpublished(slug: str) -> int:
        conference_id = read(slug)
        Conference.objects.filter(pk=conference_id).update(is_published=False)
        return conference_id

    monkeypatch.setattr(views, "published_conference_id", read_then_unpublished)

    assert client.get(programme(conference)).status_code == 404
    assert client.get(url("conference:detail", slug=conference.slug)).status_code == 404


def test_cached_programme_of_a_conference_unpublished_without_signal_is_404(client):
    conference = ConferenceFactory()
    SessionFactory(conference=conference)
    assert client.get(programme(conference)).status_code == 200

    Conference.objects.filter(pk=conference.pk).update(is_published=False)

    assert client.get(programme(conference)).status_code == 404
    assert client.get(url("conference:detail", slug=conference.slug)).status_code == 404


def test_programme_places_left_follow_a_booking_within_the_cache_time(
    client, conference, monkeypatch
):
    workshop = SessionFactory(conference=conference, capacity=3)
    stored = []
    keep = cache.set

    def kept(key, value, timeout=None):
        stored.append(key)
        keep(key, value, timeout)

    monkeypatch.setattr(cache, "set", kept)
    assert "3 places left" in client.get(programme(conference)).content.decode()
    [page_key] = [key for key in stored if key.startswith("page:")]

    SessionBookingFactory(
        registration=RegistrationFactory(conference=conference),
        session=workshop,
        status=SessionBooking.Status.BOOKED,
    )
    # A booking retires no cached page: the page shows the places of when it was kept...
    assert "3 places left" in client.get(programme(conference)).content.decode()
    # ... until it expires (the entry gone as its timeout would take it).
    cache.delete(page_key)

    assert "2 places left" in client.get(programme(conference)).content.decode()


def test_programme_cached_at_most_page_cache_seconds(client, conference, monkeypatch):
    SessionFactory(conference=conference)
    stored = []
    keep = cache.set

    def kept(key, value, timeout=None):
        stored.append((key.split(":")[0], timeout))
        keep(key, value, timeout)

    monkeypatch.setattr(cache, "set", kept)

    client.get(programme(conference))

    assert stored == [("page", page_cache.PAGE_CACHE_SECONDS)] == [("page", 30)]


def test_programme_cached_per_language(client, conference):
    SessionFactory(conference=conference, kind="workshop")
    english = client.get(programme(conference)).content.decode()
    french = client.get(programme(conference, "fr")).content.decode()
    french_again = client.get(programme(conference, "fr")).content.decode()

    assert "· Workshop" in english and 'lang="en"' in english
    assert "· Atelier" in french and 'lang="fr"' in french
    assert "· Atelier" in french_again and "· Workshop" not in french_again


def test_cached_page_gets_each_request_its_own_nonce_token_and_address(conference):
    SessionFactory(conference=conference)
    first, second = Client(), Client()
    cold = first.get(programme(conference))
    warm = second.get(programme(conference) + "?kind=&utm_source=newsletter")
    cold_html, warm_html = cold.content.decode(), warm.content.decode()

    for response, html in ((cold, cold_html), (warm, warm_html)):
        nonce = style_nonce(html)
        assert f"'nonce-{nonce}'" in response["Content-Security-Policy"]
        assert response.cookies["csrftoken"].value
    assert style_nonce(cold_html) != style_nonce(warm_html)
    assert csrf_token(cold_html) != csrf_token(warm_html)
    assert language_next(cold_html) == programme(conference)
    assert language_next(warm_html) == programme(conference) + "?kind=&amp;utm_source=newsletter"
    # No stand-in left.
    assert not re.search(r"(csrf|nonce|next)[0-9a-f]{24}", cold_html + warm_html)


def test_cached_page_token_lets_its_visitor_switch_language(conference):
    SessionFactory(conference=conference)
    Client().get(programme(conference))  # someone else's visit fills the cache
    visitor = Client(enforce_csrf_checks=True)
    html = visitor.get(programme(conference)).content.decode()

    response = visitor.post(
        url("set_language"),
        {"csrfmiddlewaretoken": csrf_token(html), "language": "fr", "next": language_next(html)},
    )

    assert response.status_code == 302
    assert response["Location"] == programme(conference, "fr")


def test_cached_page_headers_same_as_rendered(conference):
    SessionFactory(conference=conference)
    cold = Client().get(programme(conference))
    warm = Client().get(programme(conference))

    def headers(response) -> dict[str, str]:
        return {
            name: re.sub(r"'nonce-[^']+'", "'nonce'", value)
            for name, value in response.headers.items()
        }

    assert headers(warm) == headers(cold)
    assert set(warm.cookies) == set(cold.cookies) == {"csrftoken"}


def message_cookie(text: str) -> str:
    response = HttpResponse()
    CookieStorage(HttpRequest())._store([Message(constants.SUCCESS, text)], response)
    return response.cookies["messages"].value


def test_page_with_a_message_shows_it_to_its_visitor_only(conference):
    SessionFactory(conference=conference)
    Client().get(programme(conference))
    visitor = Client()
    visitor.cookies["messages"] = message_cookie("Your sessions were saved.")

    with_message = visitor.get(programme(conference)).content.decode()
    after = visitor.get(programme(conference)).content.decode()
    someone_else = Client().get(programme(conference)).content.decode()

    assert "Your sessions were saved." in with_message
    assert "Your sessions were saved." not in after
    assert "Your sessions were saved." not in someone_else


def test_home_page_shows_a_change_of_the_conference_at_once(client):
    conference = ConferenceFactory(tagline="The first tagline")
    address = url("conference:detail", slug=conference.slug)
    assert "The first tagline" in client.get(address).content.decode()

    conference.tagline = "The second tagline"
    conference.save()

    assert "The second tagline" in client.get(address).content.decode()


def test_programme_version_raised_again_when_the_change_commits(
    django_capture_on_commit_callbacks,
):
    conference = ConferenceFactory()
    with django_capture_on_commit_callbacks(execute=True):
        SessionFactory(conference=conference)
        # What a page rendered now, before the commit, is kept under: it read the rows as
        # they were before the session.
        during = page_cache.programme_version(conference.pk)

    assert page_cache.programme_version(conference.pk) != during


@pytest.mark.parametrize(
    "layout",
    [
        "{n}text{c}more{x}end",  # each once
        "{c}{n}{x}",  # at the start, side by side, at the end
        "text only",
        "{n}a{n}b{c}c{n}{n}",  # repeated
    ],
)
def test_page_cut_at_its_markers_as_a_split_on_them(layout):
    markers = cached_pages.PageMarkers.drawn()
    content = layout.format(
        c=markers.csrf_token, n=markers.csp_nonce, x=markers.language_switch_next
    ).encode()
    encoded = [marker.encode() for marker in cached_pages._markers(markers)]
    pattern = b"(" + b"|".join(re.escape(marker) for marker in encoded) + b")"

    assert cached_pages._cut_at_markers(content, encoded) == tuple(re.split(pattern, content))


def test_published_conference_id_reads_a_published_conference_alone_with_sql_compiled_once(
    monkeypatch,
):
    from django.db.models.sql.query import Query
    from django.http import Http404

    from conference import views

    shown, hidden = ConferenceFactory(), ConferenceFactory(is_published=False)
    views._published_id_query.cache_clear()
    compiled = []
    compiler = Query.get_compiler

    def counted(self, *args, **kwargs):
        compiled.append(self.model)
        return compiler(self, *args, **kwargs)

    monkeypatch.setattr(Query, "get_compiler", counted)

    assert views.published_conference_id(shown.slug) == shown.pk
    assert views.published_conference_id(shown.slug) == shown.pk
    for slug in (hidden.slug, "no-such-conference"):
        with pytest.raises(Http404):
            views.published_conference_id(slug)
    assert compiled == [Conference]
    views._published_id_query.cache_clear()


def test_published_conference_id_without_its_sql_asks_the_orm(monkeypatch):
    from django.http import Http404

    from conference import views

    shown, hidden = ConferenceFactory(), ConferenceFactory(is_published=False)
    monkeypatch.setattr(views, "_published_id_query", lambda: None)

    assert views.published_conference_id(shown.slug) == shown.pk
    with pytest.raises(Http404):
        views.published_conference_id(hidden.slug)
