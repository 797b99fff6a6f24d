"""Handing webhook deliveries to the worker: once their transaction commits, again when an
organiser asks, and again when the broker lost them or a worker died while sending; and
forgetting finished ones after a while."""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from registrations.models import WebhookDelivery
from registrations.webhooks.tasks import send_webhook_delivery

logger = logging.getLogger(__name__)

# Beat hands a queued delivery to the worker again once it is this late.
WEBHOOK_STALLED_AFTER = timedelta(minutes=5)


def webhook_delivery_enqueue(delivery_id: int) -> None:
    try:
        send_webhook_delivery.apply_async(args=[delivery_id], retry=False)
    except Exception:
        # The broker is down. The row is saved; webhook_deliveries_requeue_stalled hands it over.
        logger.warning(
            "webhook delivery %s not handed to the broker; it stays queued",
            delivery_id,
            exc_info=True,
        )


def webhook_delivery_retry(*, delivery: WebhookDelivery) -> bool:
    """An organiser asks for a delivery to be tried now: a failed one starts its attempts
    again, a queued one waiting for its next try goes at once. A delivered one is never sent
    again; nor is one withdrawn, or one whose endpoint is disabled."""
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(of=("self",))
            .select_related("endpoint")
            .get(pk=delivery.pk)
        )
        if not delivery.endpoint.is_active or delivery.status not in (
            WebhookDelivery.Status.FAILED,
            WebhookDelivery.Status.QUEUED,
        ):
            return False
        if delivery.status == WebhookDelivery.Status.FAILED:
            delivery.attempts = 0
        delivery.status = WebhookDelivery.Status.QUEUED
        delivery.next_attempt_at = timezone.now()
        delivery.save(update_fields=["status", "attempts", "next_attempt_at"])
        transaction.on_commit(lambda: webhook_delivery_enqueue(delivery.pk), robust=True)
    return True


def webhook_deliveries_requeue_stalled(*, now: datetime | None = None) -> int:
    """Hand the worker again every queued delivery that is overdue (the broker was down, or a
    retry was lost) and every one still sending after the lease (its worker died before
    recording the answer: the receiver may have it, and drops the copy by its delivery id)."""
    now = now or timezone.now()
    lease = timedelta(seconds=settings.WEBHOOK_SENDING_LEASE_SECONDS)
    with transaction.atomic():
        unconfirmed = list(
            WebhookDelivery.objects.select_for_update(skip_locked=True)
            .filter(status=WebhookDelivery.Status.SENDING, sending_started_at__lt=now - lease)
            .values_list("pk", flat=True)[:500]
        )
        WebhookDelivery.objects.filter(pk__in=unconfirmed).update(
            status=WebhookDelivery.Status.QUEUED,
            next_attempt_at=now,
            last_error="No answer recorded: the worker stopped while sending.",
        )
        stalled = list(
            WebhookDelivery.objects.filter(
                status=WebhookDelivery.Status.QUEUED,
                next_attempt_at__lt=now - WEBHOOK_STALLED_AFTER,
            ).values_list("pk", flat=True)[:500]
        )
        WebhookDelivery.objects.filter(pk__in=stalled).update(next_attempt_at=now)
    handed_over = unconfirmed + stalled
    for delivery_id in handed_over:
        webhook_delivery_enqueue(delivery_id)
    if handed_over:
        logger.info("requeued %s stalled webhook deliveries", len(handed_over))
    return len(handed_over)


def webhook_deliveries_purge(*, now: datetime | None = None) -> int:
    """Delete finished deliveries (with their attempts) older than WEBHOOK_LOG_DAYS: the log is
    there to see why a receiver refused, and the receivers' answers are not ours to keep."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.WEBHOOK_LOG_DAYS)
    finished = WebhookDelivery.objects.filter(
        created_at__lt=cutoff,
        status__in=[
            WebhookDelivery.Status.DELIVERED,
            WebhookDelivery.Status.FAILED,
            WebhookDelivery.Status.WITHDRAWN,
        ],
    )
    deleted, by_model = finished.delete()
    count = by_model.get(WebhookDelivery._meta.label, 0)
    if count:
        logger.info("purged %s webhook deliveries (%s rows)", count, deleted)
    return count
