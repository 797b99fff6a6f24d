"""Personal links: issued to a delegate or a coordinator, stored only hashed, revoked once they
no longer speak for their holder."""

import hashlib
import secrets
from datetime import datetime, timedelta

from django.utils import timezone

from registrations.models import Delegation, ManagementLink, Registration

# Links stay valid this long after the last day, for certificates and data requests.
MANAGEMENT_LINK_GRACE = timedelta(days=60)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def management_link_issue(
    *, registration: Registration | None = None, delegation: Delegation | None = None
) -> str:
    """A new personal link for a delegate, or for a delegation's coordinator; returns its
    token, which is stored only hashed."""
    opens = registration or delegation
    if opens is None:
        raise ValueError("a link opens a registration or a delegation")
    conference = opens.conference
    token = secrets.token_urlsafe(32)
    ManagementLink.objects.create(
        registration=registration,
        delegation=delegation,
        token_hash=_token_hash(token),
        expires_at=conference.ends_at + MANAGEMENT_LINK_GRACE,
    )
    return token


def management_link_resolve(*, token: str, now: datetime | None = None) -> ManagementLink | None:
    """The valid link with this token, if any; records its use."""
    now = now or timezone.now()
    link = (
        ManagementLink.objects.select_related("registration")
        .filter(token_hash=_token_hash(token))
        .first()
    )
    if link is None or not link.is_valid(now):
        return None
    if link.registration is not None and link.registration.erased_at is not None:
        return None
    ManagementLink.objects.filter(pk=link.pk).update(last_used_at=now)
    return link


def management_links_revoke(*, registration: Registration, now: datetime | None = None) -> int:
    return ManagementLink.objects.filter(registration=registration, revoked_at=None).update(
        revoked_at=now or timezone.now()
    )
