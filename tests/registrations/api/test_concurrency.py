"""The create endpoint under real concurrency on PostgreSQL: threads, each with its own
connection, sending requests at once."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from registrations.models import ApiIdempotencyKey, Registration
from tests.concurrency import run_concurrently
from tests.factories import AuthorityFactory, ConferenceFactory
from tests.registrations.api.conftest import bearer

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def secret(make_token):
    # A superuser: the groups made by data migrations are gone once a transactional test has
    # flushed the tables.
    user = get_user_model().objects.create_superuser("organiser", password="x")
    return make_token(user=user)


def registration_body(authority, email: str) -> dict:
    return {
        "authority": authority.pk,
        "first_name": "Delegate",
        "last_name": "Concurrent",
        "email": email,
        "job_title": "Adviser",
        "privacy_consent": True,
    }


def test_40_concurrent_creates_for_10_places_confirm_exactly_10(secret):
    conference = ConferenceFactory(capacity=10)
    authority = AuthorityFactory()
    headers = bearer(secret)
    url = reverse("api:registrations", args=[conference.slug])

    def register(index: int) -> tuple[int, str]:
        response = Client().post(
            url,
            registration_body(authority, f"racer{index}@example.org"),
            content_type="application/json",
            **headers,
        )
        return response.status_code, response.json()["status"]

    answers = run_concurrently(40, register)

    assert [status for status, _ in answers].count(201) == 40
    statuses = [registration_status for _, registration_status in answers]
    assert statuses.count(Registration.Status.CONFIRMED) == 10
    assert statuses.count(Registration.Status.WAITLISTED) == 30
    assert conference.registrations.filter(status=Registration.Status.CONFIRMED).count() == 10


def test_concurrent_retries_with_one_idempotency_key_create_one(secret):
    conference = ConferenceFactory(capacity=10)
    headers = {**bearer(secret), "HTTP_IDEMPOTENCY_KEY": "retry-7f3a"}
    url = reverse("api:registrations", args=[conference.slug])
    body = registration_body(AuthorityFactory(), "once@example.org")

    def post(index: int) -> tuple[int, str]:
        response = Client().post(url, body, content_type="application/json", **headers)
        return response.status_code, response.json()["reference"]

    answers = run_concurrently(10, post)

    assert sorted(status for status, _ in answers) == [200] * 9 + [201]
    assert len({reference for _, reference in answers}) == 1
    assert conference.registrations.count() == 1
    assert ApiIdempotencyKey.objects.count() == 1
