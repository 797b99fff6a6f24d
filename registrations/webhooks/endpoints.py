"""Organisers' webhook endpoints: made with a secret (shown once), turned off and on, and sent
a test event to check that their receiver answers."""

import logging
from collections.abc import Iterable

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from conference.models import Conference
from registrations.models import (
    WEBHOOK_SUBSCRIBABLE_EVENTS,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from registrations.webhooks.addresses import webhook_target_resolve
from registrations.webhooks.queue import webhook_delivery_enqueue
from registrations.webhooks.signing import webhook_secret_new

logger = logging.getLogger(__name__)

# A secret set by hand is at least this long: a short one could be guessed from signatures.
WEBHOOK_SECRET_MIN_LENGTH = 24


def webhook_events_clean(events: Iterable[str]) -> list[str]:
    chosen = list(dict.fromkeys(events))
    unknown = set(chosen) - set(WEBHOOK_SUBSCRIBABLE_EVENTS)
    if unknown or not chosen:
        raise ValidationError({"events": _("Choose one or more of the events offered.")})
    # In the order the events are offered, so that the stored list reads the same every time.
    return [event for event in WEBHOOK_SUBSCRIBABLE_EVENTS if event in chosen]


def webhook_secret_check(secret: str) -> None:
    if len(secret) < WEBHOOK_SECRET_MIN_LENGTH:
        raise ValidationError(
            {
                "secret": _("A secret has at least %(length)d characters.")
                % {"length": WEBHOOK_SECRET_MIN_LENGTH}
            }
        )


def webhook_endpoint_create(
    *,
    conference: Conference,
    url: str,
    events: Iterable[str],
    by: User | None,
    description: str = "",
    secret: str = "",
) -> tuple[WebhookEndpoint, str]:
    """Register an endpoint; its secret is the one given, or a new random one. Returns the
    endpoint and the secret, which the caller shows once."""
    # Refused now, with a message, rather than at each delivery.
    webhook_target_resolve(url)
    if secret:
        webhook_secret_check(secret)
    endpoint = WebhookEndpoint(
        conference=conference,
        url=url,
        description=description.strip(),
        events=webhook_events_clean(events),
        secret=secret or webhook_secret_new(),
        created_by=by,
    )
    endpoint.full_clean()
    endpoint.save()
    logger.info("webhook endpoint %s created by user %s", endpoint.pk, by.pk if by else None)
    return endpoint, endpoint.secret


def webhook_endpoint_change(
    *, endpoint: WebhookEndpoint, url: str, events: Iterable[str], description: str
) -> WebhookEndpoint:
    # Refused now, with a message, rather than at each delivery.
    webhook_target_resolve(url)
    endpoint.url = url
    endpoint.events = webhook_events_clean(events)
    endpoint.description = description.strip()
    endpoint.full_clean()
    endpoint.save(update_fields=["url", "events", "description"])
    return endpoint


def webhook_endpoint_set_active(*, endpoint: WebhookEndpoint, active: bool) -> WebhookEndpoint:
    """Turn an endpoint off (what waits for it is withdrawn) or on again (its count of failed
    deliveries starts afresh)."""
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        if endpoint.is_active == active:
            return endpoint
        endpoint.is_active = active
        if active:
            endpoint.consecutive_failures = 0
            endpoint.disabled_at = None
            endpoint.disabled_reason = ""
        else:
            endpoint.disabled_at = timezone.now()
            endpoint.disabled_reason = ""
            endpoint.deliveries.filter(status=WebhookDelivery.Status.QUEUED).update(
                status=WebhookDelivery.Status.WITHDRAWN, next_attempt_at=None
            )
        endpoint.save(
            update_fields=["is_active", "consecutive_failures", "disabled_at", "disabled_reason"]
        )
    return endpoint


def webhook_test_event_send(*, endpoint: WebhookEndpoint) -> WebhookDelivery:
    """A `webhook.test` delivery, through the same outbox, signature and log as any other."""
    if not endpoint.is_active:
        raise ValidationError(_("Turn the endpoint on before sending it a test event."))
    now = timezone.now()
    with transaction.atomic():
        delivery = WebhookDelivery(endpoint=endpoint, event=WebhookEvent.TEST, next_attempt_at=now)
        delivery.payload = {
            "id": str(delivery.delivery_id),
            "event": WebhookEvent.TEST.value,
            "created_at": now.isoformat(),
            "conference": {"id": endpoint.conference_id, "slug": endpoint.conference.slug},
            "data": {},
        }
        delivery.save()
        transaction.on_commit(lambda: webhook_delivery_enqueue(delivery.pk), robust=True)
    return delivery
