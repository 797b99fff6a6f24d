"""Celery's entry point for this app (autodiscovery imports it): the periodic tasks that beat
runs, and the tasks that services enqueue, imported from beside those services so that a worker
knows them all. Nothing imports this module."""

from celery import shared_task

from registrations.organiser.exports.build import export_jobs_purge
from registrations.organiser.exports.tasks import build_export
from registrations.outbox.queue import outbound_emails_dispatch_due, outbound_emails_requeue_stalled
from registrations.outbox.tasks import send_outbound_email

__all__ = [
    "build_export",
    "dispatch_due_emails",
    "purge_export_files",
    "requeue_stalled_emails",
    "send_outbound_email",
]


@shared_task
def requeue_stalled_emails() -> int:
    return outbound_emails_requeue_stalled()


@shared_task
def dispatch_due_emails() -> int:
    return outbound_emails_dispatch_due()


@shared_task
def purge_export_files() -> int:
    return export_jobs_purge()
