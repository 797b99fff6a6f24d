"""Redis down (the shared cache: page and form caches, rate limits, the once-only guard): a
delegate still sees the pages and registers, and the registration is kept."""

import time

import pytest
from django.urls import reverse
from django.utils import translation

from conference import page_cache
from config import cache_safety
from registrations.forms import registration as registration_form
from registrations.models import OutboundEmail, Registration
from tests.factories import AuthorityFactory, SessionFactory
from tests.factories.questions import QuestionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_down(settings):
    # Nothing listens on port 1: every cache call fails at once with a connection error.
    settings.CACHES = {
        "default": {
            "BACKEND": "config.redis_cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    return settings


def url(name: str, conference) -> str:
    with translation.override("en"):
        return reverse(name, kwargs={"slug": conference.slug})


def test_a_delegate_registers_while_redis_is_down(client, conference, redis_down):
    form = client.get(url("registrations:register", conference))
    assert form.status_code == 200
    token = form.content.decode().split('name="form_token" value="', 1)[1].split('"', 1)[0]

    response = client.post(
        url("registrations:register", conference),
        {
            "authority": AuthorityFactory(name="Rotterdam", country="NL").pk,
            "first_name": "Sanne",
            "last_name": "de Vries",
            "email": "sanne.devries@rotterdam.nl",
            "job_title": "Policy adviser",
            "category": "delegate",
            "preferred_language": "en",
            "privacy_consent": "on",
            "form_token": token,
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    registration = Registration.objects.get(email="sanne.devries@rotterdam.nl")
    assert OutboundEmail.objects.filter(registration=registration).exists()


@pytest.mark.parametrize("name", ["conference:detail", "conference:programme"])
def test_the_conference_pages_show_while_redis_is_down(client, conference, redis_down, name):
    assert client.get(url(name, conference)).status_code == 200


def test_the_public_api_answers_while_redis_is_down(client, conference, redis_down):
    response = client.get(reverse("api:sessions", kwargs={"slug": conference.slug}))
    assert response.status_code == 200


def test_an_organisers_changes_are_saved_while_redis_is_down(conference, redis_down):
    # The receivers that retire cached pages and renderings run on every save.
    session = SessionFactory(conference=conference, title="Night-time economy")
    session.title = "Night-time economies"
    session.save()
    conference.name = "Security, Democracy and Cities"
    conference.save()
    AuthorityFactory(name="Liège", country="BE").delete()

    session.refresh_from_db()
    assert session.title == "Night-time economies"


def test_a_change_retires_cached_pages_right_after_a_cache_failure(client, conference):
    """Reads leave the cache alone for a few seconds after a failure; raising a version, which
    every process reads to know its pages changed, is tried all the same."""
    session = SessionFactory(conference=conference, title="Night-time economy")
    programme = url("conference:programme", conference)
    assert "Night-time economy" in client.get(programme).content.decode()

    cache_safety._down_until = time.monotonic() + 60  # a failure a moment ago in this process
    session.title = "Night-time economies"
    session.save()
    cache_safety._down_until = 0.0  # the cache answers again

    assert "Night-time economies" in client.get(programme).content.decode()


def test_questions_kept_by_a_process_are_read_again_within_the_page_cache_time(
    client, conference, monkeypatch
):
    """Should a question's change not reach the cache (its version not raised), a process
    checks the forms sent in against the questions as they are within PAGE_CACHE_SECONDS."""
    data = {
        "authority": AuthorityFactory(name="Rotterdam", country="NL").pk,
        "first_name": "Sanne",
        "last_name": "de Vries",
        "job_title": "Policy adviser",
        "category": "delegate",
        "preferred_language": "en",
        "privacy_consent": "on",
    }
    register = url("registrations:register", conference)
    assert client.post(register, {**data, "email": "a@example.org"}).status_code == 302

    monkeypatch.setattr(page_cache, "_version_new", lambda key: None)  # the raise is lost
    QuestionFactory(conference=conference, label_en="Badge colour", required=True)
    later = time.monotonic() + page_cache.PAGE_CACHE_SECONDS
    monkeypatch.setattr(registration_form.time, "monotonic", lambda: later)
    response = client.post(register, {**data, "email": "b@example.org"})

    assert response.status_code == 400
    assert not Registration.objects.filter(email="b@example.org").exists()
