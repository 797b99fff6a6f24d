"""`Idempotency-Key` on the POST that creates a registration: a retry with the same key (by the
same token) gets the registration the first attempt made, never a second one."""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions

from registrations.models import ApiIdempotencyKey, ApiToken, Registration

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


def _replay(token: ApiToken, key: str, digest: str) -> IdempotentOutcome | None:
    seen = (
        ApiIdempotencyKey.objects.select_related("registration")
        .filter(token=token, key=key)
        .first()
    )
    if seen is None:
        return None
    if seen.request_digest != digest:
        raise IdempotencyKeyReusedError
    # The row commits with its registration (same transaction), or not at all.
    assert seen.registration is not None
    return IdempotentOutcome(registration=seen.registration, created=False)


def idempotent_create(
    *, token: ApiToken, key: str, body: bytes, create: Callable[[], Registration]
) -> IdempotentOutcome:
    """Run `create` once per (token, key). The key's row is written first in the same
    transaction as the registration: a concurrent retry's insert waits on the unique index until
    the first commits, then fails and replays it; if the first fails (a refusal), nothing is
    kept and a retry runs afresh."""
    digest = request_digest(body)
    replayed = _replay(token, key, digest)
    if replayed is not None:
        return replayed
    try:
        with transaction.atomic():
            row = ApiIdempotencyKey.objects.create(token=token, key=key, request_digest=digest)
            registration = create()
            row.registration = registration
            row.save(update_fields=["registration"])
    except IntegrityError:
        replayed = _replay(token, key, digest)
        if replayed is None:
            raise
        return replayed
    return IdempotentOutcome(registration=registration, created=True)
