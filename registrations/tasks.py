"""Celery's entry point for this app (autodiscovery imports it): the periodic tasks that beat
runs, and the tasks that services enqueue, imported from beside those services so that a worker
knows them all. Nothing imports this module."""

from celery import shared_task
from django.utils import timezone

from registrations.api.idempotency import idempotency_keys_purge
from registrations.network_map.coordinates import authority_coordinates_fill
from registrations.organiser.exports.build import export_jobs_purge
from registrations.organiser.exports.tasks import build_export
from registrations.outbox.queue import outbound_emails_dispatch_due, outbound_emails_requeue_stalled
from registrations.outbox.tasks import send_outbound_email
from registrations.privacy.purge import personal_data_purge
from registrations.privacy.reminder import final_purge_reminders_send
from registrations.questions.files import answer_files_orphaned_delete
from registrations.webhooks.queue import (
    webhook_deliveries_purge,
    webhook_deliveries_requeue_stalled,
)
from registrations.webhooks.tasks import send_webhook_delivery

__all__ = [
    "build_export",
    "dispatch_due_emails",
    "place_authorities",
    "purge_api_idempotency_keys",
    "purge_export_files",
    "purge_personal_data",
    "purge_webhook_deliveries",
    "requeue_stalled_emails",
    "requeue_stalled_webhook_deliveries",
    "send_outbound_email",
    "send_webhook_delivery",
]


@shared_task
def requeue_stalled_emails() -> int:
    return outbound_emails_requeue_stalled()


@shared_task
def requeue_stalled_webhook_deliveries() -> int:
    return webhook_deliveries_requeue_stalled()


@shared_task
def purge_webhook_deliveries() -> int:
    return webhook_deliveries_purge()


@shared_task
def purge_api_idempotency_keys() -> int:
    return idempotency_keys_purge()


@shared_task
def dispatch_due_emails() -> int:
    return outbound_emails_dispatch_due()


@shared_task
def purge_export_files() -> int:
    return export_jobs_purge()


@shared_task
def purge_personal_data() -> int:
    now = timezone.now()
    final_purge_reminders_send(now=now)
    return personal_data_purge(now=now).total()


@shared_task
def purge_orphaned_answer_files() -> int:
    """The answer files no answer holds, left by a rolled-back transaction."""
    return answer_files_orphaned_delete()


@shared_task
def place_authorities() -> int:
    """Coordinates for the authorities added since (network_map.coordinates)."""
    return len(authority_coordinates_fill().filled)
