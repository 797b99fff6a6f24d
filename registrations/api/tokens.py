"""API tokens: issued with their secret shown once, stored as a SHA-256, resolved, revoked."""

import hashlib
import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.db.models import Q
from django.utils import timezone

from registrations.models import ApiToken

logger = logging.getLogger(__name__)

# Recognisable in a configuration file or a leak report, as GitHub's "ghp_" is.
SECRET_PREFIX = "cra_"
# The last use is written at most this often: a busy scanner must not write a row per request.
LAST_USED_PRECISION = timedelta(minutes=1)


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    # Shown to the organiser once; only its hash is kept.
    secret: str


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def api_token_issue(
    *, user: User, name: str, scopes: Iterable[str], expires_at: datetime
) -> IssuedToken:
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user=user,
        name=name,
        scopes=sorted(set(scopes)),
        expires_at=expires_at,
        prefix=secret[: len(SECRET_PREFIX) + 6],
        secret_hash=secret_hash(secret),
    )
    token.full_clean()
    token.save()
    logger.info("API token %s issued for user %s", token.pk, user.pk)
    return IssuedToken(token=token, secret=secret)


def api_token_resolve(secret: str, *, now: datetime | None = None) -> ApiToken | None:
    """The live token (not revoked, not expired, of an active user) with this secret."""
    now = now or timezone.now()
    if not secret.startswith(SECRET_PREFIX):
        return None
    return (
        ApiToken.objects.select_related("user")
        .filter(
            secret_hash=secret_hash(secret),
            revoked_at__isnull=True,
            expires_at__gt=now,
            user__is_active=True,
        )
        .first()
    )


def api_token_touch(token: ApiToken, *, now: datetime | None = None) -> None:
    """Record the token's use, unless it was recorded less than a minute ago: one conditional
    UPDATE, so that concurrent requests write it once."""
    now = now or timezone.now()
    if token.last_used_at is not None and token.last_used_at > now - LAST_USED_PRECISION:
        return
    ApiToken.objects.filter(pk=token.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - LAST_USED_PRECISION)
    ).update(last_used_at=now)
    token.last_used_at = now


def api_token_revoke(*, token: ApiToken, now: datetime | None = None) -> ApiToken:
    now = now or timezone.now()
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now)
    token.refresh_from_db(fields=["revoked_at"])
    logger.info("API token %s revoked", token.pk)
    return token
