"""Tokens of staff in each of the groups the migrations make, and a client that sends them."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone

from registrations.api.tokens import api_token_issue
from registrations.models import ApiScope

ORGANISERS, VIEWERS, DESK = "Organisers", "Viewers", "Registration desk"
ALL_SCOPES = tuple(ApiScope.values)


def staff_user(group: str | None, username: str | None = None):
    user = get_user_model().objects.create_user(
        username or (group or "nobody").lower().replace(" ", "-"), password="x", is_staff=True
    )
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def make_token(db):
    """make_token(group, scopes) -> the secret of a live token of a new member of `group`."""

    def make(group: str | None = ORGANISERS, scopes=ALL_SCOPES, *, user=None, **fields) -> str:
        issued = api_token_issue(
            user=user or staff_user(group, username=f"{group}-{timezone.now().timestamp()}"),
            name="Test system",
            scopes=scopes,
            expires_at=fields.get("expires_at", timezone.now() + dt.timedelta(days=30)),
        )
        return issued.secret

    return make


def bearer(secret: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.fixture
def api(client: Client):
    """api(secret).get/post/delete(url, json=…) with the token in the Authorization header."""

    class TokenClient:
        def __init__(self, secret: str | None):
            self.headers = bearer(secret) if secret else {}

        def get(self, url, params=None, **extra):
            return client.get(url, params or {}, **self.headers, **extra)

        def post(self, url, json=None, **extra):
            return client.post(
                url, json or {}, content_type="application/json", **self.headers, **extra
            )

        def delete(self, url, **extra):
            return client.delete(url, **self.headers, **extra)

    return TokenClient
