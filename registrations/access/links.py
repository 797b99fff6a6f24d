"""Personal links: issued to a delegate or a coordinator, stored only hashed, revoked once they
no longer speak for their holder."""

import hashlib
import secrets
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from registrations.models import Delegation, ManagementLink, Registration

# Links stay valid this long after the last day, for certificates and data requests: the
# retention deadline no link outlives.
MANAGEMENT_LINK_GRACE = timedelta(days=60)

# Each link is valid this long from when it is issued (within the deadline above); each email
# carries a fresh one, so a link found in an old mailbox or a forwarded email soon dies.
MANAGEMENT_LINK_LIFETIME = timedelta(days=30)

# At most this many links are live for one registration or delegation: issuing one more
# retires the oldest ("Lost your link?" asked again and again leaves five, not hundreds).
MANAGEMENT_LINKS_LIVE = 5


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def management_link_issue(
    *,
    registration: Registration | None = None,
    delegation: Delegation | None = None,
    now: datetime | None = None,
) -> str:
    """A new personal link for a delegate, or for a delegation's coordinator; returns its
    token, which is stored only hashed. It is valid MANAGEMENT_LINK_LIFETIME, and never past
    the conference's retention deadline; beyond MANAGEMENT_LINKS_LIVE live links, the oldest
    are retired."""
    opens = registration or delegation
    if opens is None:
        raise ValueError("a link opens a registration or a delegation")
    now = now or timezone.now()
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        ManagementLink.objects.create(
            registration=registration,
            delegation=delegation,
            token_hash=_token_hash(token),
            expires_at=min(
                now + MANAGEMENT_LINK_LIFETIME, opens.conference.ends_at + MANAGEMENT_LINK_GRACE
            ),
        )
        live = ManagementLink.objects.filter(
            registration=registration, delegation=delegation, revoked_at=None, expires_at__gt=now
        )
        # The newest first: ids rise with time, and the new link is the newest.
        kept = list(live.order_by("-pk").values_list("pk", flat=True)[:MANAGEMENT_LINKS_LIVE])
        live.exclude(pk__in=kept).update(revoked_at=now)
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
