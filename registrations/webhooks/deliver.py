"""Sending one webhook delivery, in two steps, as the email outbox does (outbox/send.py).

1. The claim, in a short transaction under the delivery's row lock: only a queued delivery
   becomes "sending (unconfirmed)", its attempt counted. It commits before the request leaves,
   so running the task twice, or on two workers, sends once; a delivered one is never sent
   again.
2. The request, holding no lock; then, in a second transaction, the attempt's record (status
   code, duration, error, the start of the answer) and the outcome: delivered; queued again
   after a pause that doubles each time; or failed after its last attempt. An endpoint whose
   deliveries failed WEBHOOK_DISABLE_AFTER_FAILURES times in a row is disabled, its waiting
   deliveries withdrawn, and the organisers emailed through the outbox.

Locks are taken endpoint first, then deliveries, wherever both are, so that two workers
recording at once cannot deadlock."""

import json
import logging
import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from registrations.models import (
    OutboundEmail,
    WebhookDelivery,
    WebhookDeliveryAttempt,
    WebhookEndpoint,
)
from registrations.outbox.queue import outbound_email_queue
from registrations.outbox.recipients import Recipient
from registrations.webhooks.addresses import webhook_connection, webhook_target_resolve
from registrations.webhooks.signing import (
    WEBHOOK_EVENT_HEADER,
    WEBHOOK_ID_HEADER,
    WEBHOOK_SIGNATURE_HEADER,
    WEBHOOK_TIMESTAMP_HEADER,
    webhook_signature,
)

logger = logging.getLogger(__name__)

# How much of the receiver's answer the log keeps: enough to read why it refused.
RESPONSE_KEPT_CHARS = 1000


class WebhookRetryLater(Exception):
    """The attempt failed and another is due in `retry_in` seconds."""

    def __init__(self, retry_in: int):
        super().__init__(f"webhook delivery failed, retry in {retry_in} s")
        self.retry_in = retry_in


@dataclass(frozen=True)
class AttemptOutcome:
    status_code: int | None
    response_body: str
    error: str
    duration_ms: int
    # Trying again cannot help: the address is refused by the network guard.
    permanent: bool = False

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def webhook_retry_delay(attempts: int) -> int:
    """Seconds before the next try: 1, 2, 4, 8… minutes (by default), at most an hour."""
    return min(settings.WEBHOOK_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0), 3600)


def webhook_body(delivery: WebhookDelivery) -> bytes:
    """The exact bytes that are signed and sent."""
    return json.dumps(delivery.payload, ensure_ascii=False, separators=(",", ":")).encode()


def _claim(delivery_id: int) -> tuple[WebhookDelivery | None, bool]:
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(of=("self",))
            .select_related("endpoint")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None or delivery.status != WebhookDelivery.Status.QUEUED:
            return delivery, False
        if not delivery.endpoint.is_active:
            delivery.status = WebhookDelivery.Status.WITHDRAWN
            delivery.next_attempt_at = None
            delivery.save(update_fields=["status", "next_attempt_at"])
            return delivery, False
        delivery.status = WebhookDelivery.Status.SENDING
        delivery.attempts += 1
        delivery.sending_started_at = timezone.now()
        delivery.save(update_fields=["status", "attempts", "sending_started_at"])
    return delivery, True


def _post(delivery: WebhookDelivery) -> AttemptOutcome:
    started = time.monotonic()

    def elapsed_ms() -> int:
        return round((time.monotonic() - started) * 1000)

    endpoint = delivery.endpoint
    try:
        # Checked again at each attempt: the name may point elsewhere since it was saved.
        target = webhook_target_resolve(endpoint.url)
    except ValidationError as error:
        return AttemptOutcome(
            status_code=None,
            response_body="",
            error=" ".join(error.messages),
            duration_ms=elapsed_ms(),
            permanent=error.code != "dns",
        )
    body = webhook_body(delivery)
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "conference-registration-webhooks/1",
        WEBHOOK_ID_HEADER: str(delivery.delivery_id),
        WEBHOOK_EVENT_HEADER: delivery.event,
        WEBHOOK_TIMESTAMP_HEADER: str(timestamp),
        WEBHOOK_SIGNATURE_HEADER: webhook_signature(
            secret=endpoint.secret, timestamp=timestamp, body=body
        ),
    }
    connection = webhook_connection(target, timeout=settings.WEBHOOK_TIMEOUT_SECONDS)
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        answer = response.read(RESPONSE_KEPT_CHARS * 4).decode("utf-8", "replace")
        status_code = response.status
    except (OSError, ValueError) as error:
        # Refused, timed out, TLS failure, a malformed answer (http.client's errors are these).
        return AttemptOutcome(
            status_code=None,
            response_body="",
            error=f"{type(error).__name__}: {error}"[:2000],
            duration_ms=elapsed_ms(),
        )
    finally:
        connection.close()
    return AttemptOutcome(
        status_code=status_code,
        response_body=answer[:RESPONSE_KEPT_CHARS],
        error="" if 200 <= status_code < 300 else f"HTTP {status_code}",
        duration_ms=elapsed_ms(),
    )


def _endpoint_disable(endpoint: WebhookEndpoint, *, reason: str) -> None:
    """The endpoint is locked by the caller. Its waiting deliveries are withdrawn, and the
    organisers told: the endpoint's creator and the conference's contact address."""
    now = timezone.now()
    endpoint.is_active = False
    endpoint.disabled_at = now
    endpoint.disabled_reason = reason[:200]
    endpoint.save(update_fields=["is_active", "disabled_at", "disabled_reason"])
    endpoint.deliveries.filter(status=WebhookDelivery.Status.QUEUED).update(
        status=WebhookDelivery.Status.WITHDRAWN, next_attempt_at=None
    )
    for recipient in Recipient.organisers_of(endpoint):
        outbound_email_queue(to=recipient, kind=OutboundEmail.Kind.WEBHOOK_DISABLED)
    logger.error("webhook endpoint %s disabled: %s", endpoint.pk, reason)


def _record(claimed: WebhookDelivery, outcome: AttemptOutcome) -> int | None:
    """Record the attempt and its outcome; the seconds before a retry, if one is due."""
    retry_in = None
    assert claimed.sending_started_at is not None  # set by the claim
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.select_for_update().get(pk=claimed.endpoint_id)
        delivery = WebhookDelivery.objects.select_for_update().get(pk=claimed.pk)
        WebhookDeliveryAttempt.objects.create(
            delivery=delivery,
            number=claimed.attempts,
            started_at=claimed.sending_started_at,
            duration_ms=outcome.duration_ms,
            status_code=outcome.status_code,
            error=outcome.error,
            response_body=outcome.response_body,
        )
        # Claimed again by a later run meanwhile (beat after the lease): that run records.
        if delivery.sending_started_at != claimed.sending_started_at or delivery.status not in (
            WebhookDelivery.Status.SENDING,
            WebhookDelivery.Status.QUEUED,
        ):
            return None
        if outcome.succeeded:
            delivery.status = WebhookDelivery.Status.DELIVERED
            delivery.delivered_at = timezone.now()
            delivery.next_attempt_at = None
            delivery.last_error = ""
            if endpoint.consecutive_failures:
                endpoint.consecutive_failures = 0
                endpoint.save(update_fields=["consecutive_failures"])
            logger.info("webhook delivery %s delivered", delivery.pk)
        elif not outcome.permanent and delivery.attempts < settings.WEBHOOK_MAX_ATTEMPTS:
            retry_in = webhook_retry_delay(delivery.attempts)
            delivery.status = WebhookDelivery.Status.QUEUED
            delivery.next_attempt_at = timezone.now() + timedelta(seconds=retry_in)
            delivery.last_error = outcome.error
            logger.warning("webhook delivery %s failed, retry in %s s", delivery.pk, retry_in)
        else:
            delivery.status = WebhookDelivery.Status.FAILED
            delivery.next_attempt_at = None
            delivery.last_error = outcome.error
            endpoint.consecutive_failures = F("consecutive_failures") + 1
            endpoint.save(update_fields=["consecutive_failures"])
            endpoint.refresh_from_db(fields=["consecutive_failures"])
            logger.error(
                "webhook delivery %s failed after %s attempts", delivery.pk, delivery.attempts
            )
            if (
                endpoint.is_active
                and endpoint.consecutive_failures >= settings.WEBHOOK_DISABLE_AFTER_FAILURES
            ):
                _endpoint_disable(
                    endpoint,
                    reason=f"{endpoint.consecutive_failures} deliveries in a row failed; "
                    f"last: {outcome.error}",
                )
        delivery.save(update_fields=["status", "delivered_at", "next_attempt_at", "last_error"])
    return retry_in


def webhook_delivery_send(*, delivery_id: int) -> WebhookDelivery | None:
    """Send one delivery if it is still queued: claimed, sent, recorded (see above).

    Raises WebhookRetryLater when another attempt is due."""
    delivery, claimed = _claim(delivery_id)
    if delivery is None or not claimed:
        return delivery
    retry_in = _record(delivery, _post(delivery))
    if retry_in is not None:
        raise WebhookRetryLater(retry_in)
    delivery.refresh_from_db()
    return delivery
