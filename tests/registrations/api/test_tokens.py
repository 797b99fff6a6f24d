"""API tokens: hashed, expiring, revocable, their last use recorded once a minute, rate-limited
per token; errors as problem details."""

import datetime as dt
import hashlib

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from registrations.api.throttles import TokenRateThrottle
from registrations.api.tokens import SECRET_PREFIX, api_token_resolve, api_token_revoke
from registrations.models import ApiToken
from tests.factories import ConferenceFactory
from tests.registrations.api.conftest import ORGANISERS, staff_user
from tests.staff import verified_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def list_url():
    return reverse("api:registrations", args=[ConferenceFactory().slug])


def test_token_is_stored_as_its_sha256_only(make_token):
    secret = make_token()

    token = ApiToken.objects.get()
    assert secret.startswith(SECRET_PREFIX)
    assert len(secret) > 40
    assert token.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(list(ApiToken.objects.values()))
    assert token.prefix == secret[: len(SECRET_PREFIX) + 6]


def test_missing_wrong_expired_and_revoked_tokens_get_401_problems(api, make_token, list_url):
    expired = make_token(expires_at=timezone.now() - dt.timedelta(seconds=1))
    revoked = make_token()
    api_token_revoke(token=api_token_resolve(revoked))

    for secret in (None, SECRET_PREFIX + "guessed", expired, revoked):
        response = api(secret).get(list_url)
        assert response.status_code == 401
        assert response["Content-Type"] == "application/problem+json"
        assert response["WWW-Authenticate"].startswith("Bearer")
        assert response.json()["status"] == 401
        assert response.json()["title"] == "Unauthorized"


def test_token_of_an_inactive_user_is_refused(api, make_token, list_url):
    secret = make_token()
    get_user_model().objects.update(is_active=False)

    assert api(secret).get(list_url).status_code == 401


def test_last_use_is_written_at_most_once_a_minute(api, make_token, list_url):
    secret = make_token()
    assert ApiToken.objects.get().last_used_at is None

    api(secret).get(list_url)
    first = ApiToken.objects.get().last_used_at
    api(secret).get(list_url)
    second = ApiToken.objects.get().last_used_at
    ApiToken.objects.update(last_used_at=first - dt.timedelta(minutes=2))
    api(secret).get(list_url)
    third = ApiToken.objects.get().last_used_at

    assert first is not None
    assert second == first
    assert third > first


def test_rate_limit_is_per_token(api, make_token, list_url, monkeypatch):
    # The rates are read once, when DRF's settings load.
    monkeypatch.setattr(TokenRateThrottle, "THROTTLE_RATES", {"api-token": "3/min"})
    busy, other = make_token(), make_token()

    statuses = [api(busy).get(list_url).status_code for _ in range(4)]
    limited = api(busy).get(list_url)

    assert statuses == [200, 200, 200, 429]
    assert limited["Content-Type"] == "application/problem+json"
    assert int(limited["Retry-After"]) > 0
    assert api(other).get(list_url).status_code == 200


def test_validation_errors_point_at_their_fields(api, make_token, list_url):
    response = api(make_token()).get(list_url, {"status": "lost", "updated_since": "yesterday"})

    assert response.status_code == 400
    problem = response.json()
    assert problem["type"] == "about:blank"
    assert {error["pointer"] for error in problem["errors"]} == {"#/status", "#/updated_since"}


def test_admin_shows_the_secret_once_and_keeps_its_hash(client):
    organiser = staff_user(ORGANISERS)
    verified_login(client, organiser)

    response = client.post(
        reverse("admin:registrations_apitoken_add"),
        {
            "name": "CRM sync",
            "scopes": ["registrations:read"],
            "expires_at_0": (timezone.localdate() + dt.timedelta(days=30)).isoformat(),
            "expires_at_1": "12:00:00",
        },
    )

    assert response.status_code == 200
    secret = response.context["secret"]
    assert secret in response.content.decode()
    token = ApiToken.objects.get()
    assert token.user == organiser
    assert token.scopes == ["registrations:read"]
    assert api_token_resolve(secret) == token
    change_page = client.get(reverse("admin:registrations_apitoken_change", args=[token.pk]))
    assert secret not in change_page.content.decode()
    assert token.prefix in change_page.content.decode()


def test_organisers_see_and_revoke_only_their_own_tokens(client, make_token):
    organiser = staff_user(ORGANISERS)
    own = make_token(user=organiser)
    make_token(ORGANISERS)  # someone else's
    verified_login(client, organiser)

    listing = client.get(reverse("admin:registrations_apitoken_changelist"))
    client.post(
        reverse("admin:registrations_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [t.pk for t in ApiToken.objects.all()]},
    )

    assert listing.context["cl"].result_count == 1
    assert api_token_resolve(own) is None
    assert ApiToken.objects.filter(revoked_at__isnull=True).count() == 1


def test_a_superuser_makes_a_token_for_another_user(admin_client):
    desk_user = staff_user("Registration desk")

    response = admin_client.post(
        reverse("admin:registrations_apitoken_add"),
        {
            "user": desk_user.pk,
            "name": "Door scanner",
            "scopes": ["check-in"],
            "expires_at_0": (timezone.localdate() + dt.timedelta(days=3)).isoformat(),
            "expires_at_1": "08:00:00",
        },
    )

    assert response.status_code == 200
    assert api_token_resolve(response.context["secret"]).user == desk_user


def test_an_unknown_scope_is_refused(make_token):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        make_token(scopes=["registrations:delete"])
