"""The registration form's page kept per process (registrations/views/register_page.py): the
same bytes as the page rendered for the request, its per-request parts its own."""

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.template import engines
from django.test import Client, RequestFactory
from django.utils import translation

from conference.models import Conference
from registrations.places.selectors import RegistrationAvailability, RegistrationState
from registrations.views import register_page
from tests.registrations.views.test_register_form_cache import masked, register_url

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def nothing_kept():
    register_page._kept.clear()
    yield
    register_page._kept.clear()


@pytest.fixture
def rendered(monkeypatch):
    """The page as rendered for its request, nothing kept: what the kept page must equal."""

    def get(url: str, *, response: bool = False):
        with monkeypatch.context() as patch:
            patch.setattr(register_page, "register_page_html", lambda *a, **k: None)
            patch.setattr(
                "registrations.views.registration.register_page_html", lambda *a, **k: None
            )
            answer = Client().get(url)
        assert answer.status_code == 200
        return answer if response else answer.content.decode()

    return get


def kept_get(url: str, client: Client | None = None) -> str:
    response = (client or Client()).get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("query", ["", '?utm_source=a&b="<x>"'])
def test_the_kept_page_is_the_rendered_one(conference, rendered, language, query):
    url = register_url(conference, language) + query

    expected = rendered(url)
    first, second = kept_get(url), kept_get(url)

    assert len(register_page._kept) == 1
    assert masked(first) == masked(second) == masked(expected)
    assert "places left" in expected or "places restantes" in expected


def test_the_kept_page_has_the_rendered_ones_headers_and_cookies(conference, rendered):
    url = register_url(conference)
    expected = rendered(url, response=True)
    Client().get(url)

    kept = Client().get(url)

    assert sorted(kept.headers) == sorted(expected.headers)
    for name in ("Content-Type", "Vary", "Cache-Control", "Content-Language"):
        assert kept.headers.get(name) == expected.headers.get(name)
    assert sorted(kept.cookies) == sorted(expected.cookies) == ["csrftoken"]


def test_each_request_has_its_own_tokens(conference):
    url = register_url(conference)
    first, second = kept_get(url), kept_get(url)

    assert first != second
    assert masked(first) == masked(second)


def test_a_full_conference_is_kept_apart_and_says_so(conference, rendered):
    url = register_url(conference)
    kept_get(url)
    Conference.objects.filter(pk=conference.pk).update(capacity=0)

    page = kept_get(url)

    assert "The conference is full." in page
    assert masked(page) == masked(rendered(url))


def test_the_places_left_are_this_requests(conference, rendered):
    url = register_url(conference)
    assert "100 places left." in kept_get(url)
    Conference.objects.filter(pk=conference.pk).update(confirmed_count=99)

    page = kept_get(url)

    assert "1 place left." in page
    assert masked(page) == masked(rendered(url))
    assert len(register_page._kept) == 1  # the counters are not part of the key


@pytest.mark.parametrize(
    ("change", "shown"),
    [
        (lambda c: setattr(c, "name", "Safer Cities 2027"), "Safer Cities 2027"),
        (lambda c: setattr(c, "contact_email", "desk@example.org"), "desk@example.org"),
        (lambda c: setattr(c.venue, "city", "Nantes"), "Nantes"),
    ],
    ids=["name", "contact email", "venue's city"],
)
def test_a_conference_or_venue_saved_is_shown_at_once(conference, rendered, change, shown):
    url = register_url(conference)
    assert shown not in kept_get(url)

    change(conference)
    conference.venue.save()
    conference.save()
    page = kept_get(url)

    assert shown in page
    assert masked(page) == masked(rendered(url))


def test_a_page_with_messages_is_rendered_and_shows_them(conference):
    url = register_url(conference)
    client = Client()
    kept_get(url, client)
    storage = CookieStorage(RequestFactory().get("/"))
    client.cookies[storage.cookie_name] = storage._encode(
        [Message(constants.ERROR, "Stored earlier")]
    )

    page = kept_get(url, client)

    assert '<div class="alert alert-danger" role="alert">Stored earlier</div>' in page
    assert "Stored earlier" not in kept_get(url, client)  # shown once, as before


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("places", [0, 1, 2, 1000, 12345])
def test_the_places_line_is_the_templates(conference, language, places):
    template = engines["django"].from_string(
        "{% load i18n %}{% blocktranslate count places=availability.places_left %}"
        "{{ places }} place left.{% plural %}{{ places }} places left.{% endblocktranslate %}"
    )
    availability = RegistrationAvailability(
        state=RegistrationState.OPEN, places_left=places, waiting=0
    )

    with translation.override(language):
        expected = template.render({"availability": availability})
        assert register_page.places_left_line(availability) == expected


def test_not_used_with_debug_on(conference, settings):
    settings.DEBUG = True
    kept_get(register_url(conference))

    assert register_page._kept == {}


def test_a_page_showing_the_csp_nonce_is_not_kept(conference, monkeypatch):
    real = register_page.render_to_string

    def with_nonce(name, context, request):
        return real(name, context, request) + f"<script nonce={request.csp_nonce}></script>"

    monkeypatch.setattr(register_page, "render_to_string", with_nonce)
    url = register_url(conference)
    kept_get(url)

    # Not kept: the page is rendered for each request by the view, as before.
    assert list(register_page._kept.values()) == [None]
