"""An Idempotency-Key is one request to one conference: the same key and body sent by the same
token to another conference's URL is refused, not answered with the first conference's
registration (which that URL cannot show)."""

import pytest
from django.urls import reverse

from registrations.models import ApiIdempotencyKey
from tests.factories import AuthorityFactory, ConferenceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def organiser(api, make_token):
    return api(make_token())


def test_a_key_used_for_one_conference_is_refused_for_another(organiser):
    first, other = ConferenceFactory.create_batch(2)
    request = {
        "authority": AuthorityFactory().pk,
        "first_name": "Jan",
        "last_name": "Kowalski",
        "email": "jan.kowalski@example.org",
        "job_title": "Adviser",
        "privacy_consent": True,
    }

    created = organiser.post(
        reverse("api:registrations", args=[first.slug]), request, HTTP_IDEMPOTENCY_KEY="crm-42"
    )
    elsewhere = organiser.post(
        reverse("api:registrations", args=[other.slug]), request, HTTP_IDEMPOTENCY_KEY="crm-42"
    )
    in_french = organiser.post(
        reverse("api:registrations", args=[other.slug]),
        request,
        HTTP_IDEMPOTENCY_KEY="crm-42",
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    retried = organiser.post(
        reverse("api:registrations", args=[first.slug]), request, HTTP_IDEMPOTENCY_KEY="crm-42"
    )

    assert created.status_code == 201
    assert elsewhere.status_code == 422
    assert elsewhere["Content-Type"] == "application/problem+json"
    assert "another conference" in elsewhere.json()["detail"]
    assert "une autre conférence" in in_french.json()["detail"]
    assert not other.registrations.exists()
    assert retried.status_code == 200
    assert retried.json()["reference"] == created.json()["reference"]
    assert ApiIdempotencyKey.objects.count() == 1
