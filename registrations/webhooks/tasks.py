"""The Celery task that sends one webhook delivery. It takes an id and calls the service, which
owns the rules and counts the attempts; the task owns the waiting between them."""

from celery import shared_task

from registrations.webhooks.deliver import WebhookRetryLater, webhook_delivery_send


@shared_task(
    name="registrations.webhooks.tasks.send_webhook_delivery",
    bind=True,
    acks_late=True,
    max_retries=None,
)
def send_webhook_delivery(self, delivery_id: int) -> None:
    try:
        webhook_delivery_send(delivery_id=delivery_id)
    except WebhookRetryLater as later:
        if self.request.is_eager:
            # In-process mode has no broker to wait on: the row stays queued with its due time,
            # and beat's task (or an organiser's "retry now") hands it over again.
            return
        raise self.retry(countdown=later.retry_in, exc=later) from later
