"""`Idempotency-Key` on the POST that creates a registration: a retry with the same key (by the
same token, to the same conference) within API_IDEMPOTENCY_KEY_HOURS gets the registration the
first attempt made, never a second one; after that the key is forgotten (purged by beat)."""

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions

from conference.models import Conference
from registrations.models import ApiIdempotencyKey, ApiToken, Registration

logger = logging.getLogger(__name__)

IDEMPOTENCY_KEY_MAX_LENGTH = 255


class IdempotencyKeyReusedError(exceptions.APIException):
    status_code = 422
    default_detail = _("This Idempotency-Key was already used with another request body.")
    default_code = "idempotency_key_reused"


@dataclass(frozen=True)
class IdempotentOutcome:
    registration: Registration
    # False when the key had been seen: the registration is the first attempt's.
    created: bool


def request_digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def _honoured_since(now: datetime) -> datetime:
    return now - timedelta(hours=settings.API_IDEMPOTENCY_KEY_HOURS)


def _replay(
    token: ApiToken, key: str, digest: str, conference: Conference
) -> IdempotentOutcome | None:
    seen = (
        ApiIdempotencyKey.objects.select_related("registration")
        .filter(token=token, key=key, created_at__gte=_honoured_since(timezone.now()))
        .first()
    )
    if seen is None:
        return None
    if seen.request_digest != digest:
        raise IdempotencyKeyReusedError
    # The row commits with its registration (same transaction), or not at all.
    assert seen.registration is not None
    # A token may write to several conferences: its key, once used for one, is not a new
    # request for another (whose URL would not find the first one's registration).
    if seen.registration.conference_id != conference.pk:
        raise IdempotencyKeyReusedError(
            _("This Idempotency-Key was already used for another conference.")
        )
    return IdempotentOutcome(registration=seen.registration, created=False)


def idempotent_create(
    *,
    token: ApiToken,
    key: str,
    body: bytes,
    conference: Conference,
    create: Callable[[], Registration],
) -> IdempotentOutcome:
    """Run `create` (a registration to `conference`) once per (token, key). The key's row is
    written first in the same transaction as the registration: a concurrent retry's insert
    waits on the unique index until the first commits, then fails and replays it; if the first
    fails (a refusal), nothing is kept and a retry runs afresh. A key older than
    API_IDEMPOTENCY_KEY_HOURS that beat has not purged yet is forgotten here, so the promise
    ends at the same time whenever beat runs."""
    digest = request_digest(body)
    replayed = _replay(token, key, digest, conference)
    if replayed is not None:
        return replayed
    try:
        with transaction.atomic():
            ApiIdempotencyKey.objects.filter(
                token=token, key=key, created_at__lt=_honoured_since(timezone.now())
            ).delete()
            row = ApiIdempotencyKey.objects.create(token=token, key=key, request_digest=digest)
            registration = create()
            row.registration = registration
            row.save(update_fields=["registration"])
    except IntegrityError:
        replayed = _replay(token, key, digest, conference)
        if replayed is None:
            raise
        return replayed
    return IdempotentOutcome(registration=registration, created=True)


def idempotency_keys_purge(*, now: datetime | None = None) -> int:
    """Delete the keys no longer honoured (older than API_IDEMPOTENCY_KEY_HOURS); returns how
    many. The registrations they point to stay."""
    deleted, _by_model = ApiIdempotencyKey.objects.filter(
        created_at__lt=_honoured_since(now or timezone.now())
    ).delete()
    if deleted:
        logger.info("purged %s API idempotency keys", deleted)
    return deleted
