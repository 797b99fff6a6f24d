"""Recording webhook events: a delivery row per subscribed endpoint, in the caller's transaction
(so an event exists exactly when its change does), handed to the worker once that commits.

A payload says which registration, the event, when, and what changed: ids, the reference, the
status, and the names of the changed fields among those in WEBHOOK_FIELDS. The values stay in
the application, for the receiver to read through the API with its token, where the token
user's permissions apply. Special-category data (dietary and accessibility needs) never appears
here, not even as a changed field's name: the field list is an allow-list, so a field added to
the model later is left out until someone decides it may be told."""

from collections.abc import Iterable
from datetime import datetime
from functools import partial
from typing import Any

from django.db import transaction
from django.utils import timezone

from registrations.models import (
    CheckIn,
    Registration,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from registrations.webhooks.queue import webhook_delivery_enqueue

# The fields whose change a `registration.updated` event may name.
WEBHOOK_FIELDS = frozenset(
    {
        "first_name",
        "last_name",
        "badge_name",
        "email",
        "job_title",
        "organisation",
        "phone",
        "category",
        "preferred_language",
        "interpretation_language",
        "authority",
        "delegation",
        "sessions",
    }
)

# The event that tells a registration now stands at this status.
STATUS_EVENTS = {
    Registration.Status.CONFIRMED: WebhookEvent.REGISTRATION_CONFIRMED,
    Registration.Status.WAITLISTED: WebhookEvent.REGISTRATION_WAITLISTED,
    Registration.Status.CANCELLED: WebhookEvent.REGISTRATION_CANCELLED,
}


def webhook_status_event(status: str) -> WebhookEvent | None:
    """The event of a registration reaching `status`, if there is one (pending has none)."""
    return STATUS_EVENTS.get(Registration.Status(status))


def webhook_creation_events(status: str) -> tuple[WebhookEvent, WebhookEvent | None]:
    """A new registration is `registration.created`, and also the event of its status, so that
    a receiver that listens only for confirmations hears of the delegates confirmed at once."""
    return WebhookEvent.REGISTRATION_CREATED, webhook_status_event(status)


def registration_summary(registration: Registration) -> dict[str, Any]:
    return {
        "id": registration.pk,
        "reference": registration.reference,
        "status": registration.status,
        "authority_id": registration.authority_id,
        "delegation_id": registration.delegation_id,
    }


def webhook_payload(
    *,
    event: str,
    delivery_id: str,
    registration: Registration,
    changes: dict[str, Any],
    check_in: CheckIn | None,
    now: datetime,
) -> dict[str, Any]:
    data: dict[str, Any] = {"registration": registration_summary(registration)}
    if check_in is not None:
        data["check_in"] = {
            "id": check_in.pk,
            "session_id": check_in.session_id,
            "checked_in_at": check_in.checked_in_at.isoformat(),
        }
    if changes:
        data["changes"] = changes
    return {
        "id": delivery_id,
        "event": event,
        "created_at": now.isoformat(),
        "conference": {"id": registration.conference_id, "slug": registration.conference.slug},
        "data": data,
    }


def webhook_event_record(
    *events: str | None,
    registration: Registration,
    previous_status: str | None = None,
    changed_fields: Iterable[str] = (),
    check_in: CheckIn | None = None,
    now: datetime | None = None,
    endpoints: list[WebhookEndpoint] | None = None,
) -> list[WebhookDelivery]:
    """Record `events` about `registration` for every active endpoint of its conference that
    subscribed to them. None among the events is skipped (a status with no event of its own);
    an update that changed only fields outside WEBHOOK_FIELDS records nothing. Call it inside
    the transaction that makes the change. `endpoints`: those of webhook_endpoints_active, read
    by the caller before it took the conference lock."""
    now = now or timezone.now()
    changes: dict[str, Any] = {}
    if previous_status is not None and previous_status != registration.status:
        changes["status"] = {"from": previous_status, "to": registration.status}
    wanted = [event for event in events if event is not None]
    if WebhookEvent.REGISTRATION_UPDATED in wanted:
        fields = sorted(WEBHOOK_FIELDS.intersection(changed_fields))
        if not fields:
            wanted.remove(WebhookEvent.REGISTRATION_UPDATED)
        else:
            changes["fields"] = fields
    if not wanted:
        return []
    if endpoints is None:
        endpoints = webhook_endpoints_active(conference_id=registration.conference_id)
    deliveries = []
    for endpoint in endpoints:
        for event in wanted:
            if event not in endpoint.events:
                continue
            delivery = WebhookDelivery(
                endpoint=endpoint, event=event, registration=registration, next_attempt_at=now
            )
            delivery.payload = webhook_payload(
                event=event,
                delivery_id=str(delivery.delivery_id),
                registration=registration,
                changes=changes,
                check_in=check_in,
                now=now,
            )
            deliveries.append(delivery)
    if not deliveries:
        return []
    WebhookDelivery.objects.bulk_create(deliveries)
    for delivery in deliveries:
        transaction.on_commit(partial(webhook_delivery_enqueue, delivery.pk), robust=True)
    return deliveries


def webhook_endpoints_active(*, conference_id: int) -> list[WebhookEndpoint]:
    """The endpoints that may hear of a conference's registrations."""
    return list(
        WebhookEndpoint.objects.filter(conference_id=conference_id, is_active=True).only(
            "pk", "events"
        )
    )
