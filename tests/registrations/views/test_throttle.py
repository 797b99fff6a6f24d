"""Rate limits on the public writes (registrations/views/throttle.py), counted in Redis as in
production, per client (through the trusted proxies) and per email address."""

import json
import uuid

import pytest
import redis
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import translation

from registrations.access.links import management_link_issue
from registrations.models import Registration
from tests.factories import AuthorityFactory, RegistrationFactory

pytestmark = [pytest.mark.django_db, pytest.mark.services]

PROXY = "10.0.0.2"


def url(name: str, language: str = "en", **kwargs) -> str:
    with translation.override(language):
        return reverse(f"registrations:{name}", kwargs=kwargs)


@pytest.fixture
def redis_limits(settings):
    """Counters in Redis (this run's database), under a key prefix of this test's own, deleted
    afterwards (clearing the cache would empty the whole Redis database, other runs' keys
    included); the limits low enough to reach."""
    prefix = f"{settings.REDIS_KEY_PREFIX}limits-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": "config.redis_cache.RedisCache",
            "LOCATION": settings.REDIS_URL,
            "KEY_PREFIX": prefix,
        }
    }
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    settings.RATE_LIMITS = {
        **settings.RATE_LIMITS,
        "register": "3/h",
        "register:email": "2/h",
        "manage": "2/h",
        "coordinator": "2/h",
        "delegation": "2/h",
        "desk-scan": "2/m",
    }
    server = redis.Redis.from_url(settings.REDIS_URL)
    yield settings
    for key in server.scan_iter(f"{prefix}:*"):
        server.delete(key)
    server.close()


def form_data(email: str, authority) -> dict:
    return {
        "authority": authority.pk,
        "first_name": "Sanne",
        "last_name": "de Vries",
        "email": email,
        "job_title": "Policy adviser",
        "category": "delegate",
        "preferred_language": "en",
        "privacy_consent": "on",
    }


def register(client, conference, email: str, *, client_address: str, language: str = "en"):
    return client.post(
        url("register", language, slug=conference.slug),
        form_data(email, AuthorityFactory()),
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=client_address,
    )


def test_registration_is_limited_per_client_behind_the_proxy(client, conference, redis_limits):
    statuses = [
        register(client, conference, f"d{n}@example.org", client_address="198.51.100.1").status_code
        for n in range(4)
    ]
    other_client = register(client, conference, "e@example.org", client_address="198.51.100.2")

    assert statuses == [302, 302, 302, 429]
    assert other_client.status_code == 302
    assert Registration.objects.count() == 4


def test_registration_limit_cannot_be_dodged_by_a_forged_header(client, conference, redis_limits):
    statuses = [
        client.post(
            url("register", slug=conference.slug),
            form_data(f"d{n}@example.org", AuthorityFactory()),
            REMOTE_ADDR="203.0.113.9",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        ).status_code
        for n in range(4)
    ]

    assert statuses == [302, 302, 302, 429]


def test_registration_is_limited_per_address_whoever_sends_it(client, conference, redis_limits):
    statuses = [
        register(
            client, conference, "Same@Example.org", client_address=f"198.51.100.{n}"
        ).status_code
        for n in range(3)
    ]

    assert statuses == [302, 302, 429]


def test_too_many_requests_page_is_in_the_sites_look_and_language(client, conference, redis_limits):
    for n in range(3):
        register(client, conference, f"d{n}@example.org", client_address="198.51.100.1")

    response = register(
        client, conference, "d9@example.org", client_address="198.51.100.1", language="fr"
    )

    content = response.content.decode()
    assert response.status_code == 429
    assert '<html lang="fr">' in content
    assert "<h1>Trop de requêtes</h1>" in content
    assert "bootstrap.min.css" in content


def test_personal_page_changes_are_limited(client, conference, redis_limits):
    registration = RegistrationFactory(conference=conference)
    client.get(url("manage_enter", token=management_link_issue(registration=registration)))

    statuses = [client.post(url("manage_sessions")).status_code for _ in range(3)]

    assert statuses == [302, 302, 429]


def test_coordinator_pages_are_limited(client, conference, redis_limits):
    from registrations.authorities.delegations import Coordinator, delegation_register
    from registrations.places.registrations import RegistrationData

    delegation = delegation_register(
        conference=conference,
        authority=AuthorityFactory(),
        coordinator=Coordinator(first_name="Marie", last_name="Dupont", email="marie@liege.be"),
        members=[
            RegistrationData(first_name="Jan", last_name="Peeters", email="j@x.be", job_title="x")
        ],
    )
    client.get(url("manage_enter", token=management_link_issue(delegation=delegation)))

    statuses = [client.post(url("manage_delegation")).status_code for _ in range(3)]

    assert statuses == [400, 400, 429]


def test_delegation_form_is_limited(client, conference, redis_limits):
    statuses = [
        client.post(url("delegation_register", slug=conference.slug), {}).status_code
        for _ in range(3)
    ]

    assert statuses == [400, 400, 429]


def test_desk_scan_api_answers_429_in_json(client, conference, redis_limits):
    user = get_user_model().objects.create_user("desk", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name="Registration desk"))
    client.force_login(user)

    responses = [
        client.post(
            url("desk_scan", slug=conference.slug),
            data=json.dumps({"token": "forged"}),
            content_type="application/json",
        )
        for _ in range(3)
    ]

    assert [r.status_code for r in responses] == [404, 404, 429]
    assert responses[2].json() == {
        "found": False,
        "code": "too_many_requests",
        "message": "Too many scans: wait a minute and try again.",
    }


def test_counts_on_redis_are_django_ratelimits_in_one_round_trip(
    rf, client, conference, redis_limits, monkeypatch
):
    """The counters of both limits are written in one pipeline, under django-ratelimit's keys
    and with its expiry: its own reading of them finds every request counted."""
    from django_ratelimit.core import get_usage

    from registrations.views import throttle

    pipelines = []
    real = redis.client.Pipeline.execute

    def execute(self, *args, **kwargs):
        pipelines.append([command[0][0] for command in self.command_stack])
        return real(self, *args, **kwargs)

    monkeypatch.setattr(redis.client.Pipeline, "execute", execute)
    request = rf.post("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.7")

    over = [throttle.rate_limited(request, "register", email=" Ana@Example.org") for _ in range(3)]

    assert over == [False, False, True]  # the address's limit is 2/h
    assert pipelines == [["SET", "INCRBY"] * 2] * 3
    usage = {
        name: get_usage(request, group=name, key=key, rate=rate, method="POST")
        for name, key, rate in [
            ("register", "ip", "3/h"),
            ("register:email", lambda _group, _request: "ana@example.org", "2/h"),
        ]
    }
    assert {name: found["count"] for name, found in usage.items()} == {
        "register": 3,
        "register:email": 3,
    }
    assert usage["register"]["should_limit"] is False
    assert usage["register:email"]["should_limit"] is True
