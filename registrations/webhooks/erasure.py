"""Webhook deliveries of a delegate whose data go (their erasure, the retention purge)."""

from django.db.models import QuerySet

from registrations.models import WebhookDelivery, WebhookDeliveryAttempt


def webhook_deliveries_scrub(deliveries: QuerySet[WebhookDelivery]) -> None:
    """Payloads name the delegate and the receivers' answers may quote them: both are emptied.
    Those not sent yet are withdrawn: their payload is gone, there is nothing left to send."""
    ids = list(deliveries.values_list("pk", flat=True))
    WebhookDelivery.objects.filter(
        pk__in=ids,
        status__in=[WebhookDelivery.Status.QUEUED, WebhookDelivery.Status.SENDING],
    ).update(status=WebhookDelivery.Status.WITHDRAWN, next_attempt_at=None)
    WebhookDelivery.objects.filter(pk__in=ids).update(payload={}, last_error="")
    WebhookDeliveryAttempt.objects.filter(delivery__in=ids).update(response_body="", error="")
