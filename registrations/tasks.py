"""Thin Celery tasks: they take ids, call a service, and own the retries."""

from celery import shared_task

from registrations import exports, services


# The service counts attempts and marks the email failed after the last one, so Celery's own
# retry limit is off.
@shared_task(bind=True, acks_late=True, max_retries=None)
def send_outbound_email(self, email_id: int) -> None:
    try:
        services.outbound_email_send(email_id=email_id)
    except services.TemporaryEmailError as error:
        if self.request.is_eager:
            # In-process mode has no broker to wait on: the row stays queued with its error, and
            # an organiser can send it again from the admin.
            return
        raise self.retry(countdown=error.retry_in, exc=error) from error


@shared_task
def requeue_stalled_emails() -> int:
    return services.outbound_emails_requeue_stalled()


@shared_task
def dispatch_due_emails() -> int:
    return services.outbound_emails_dispatch_due()


# Acknowledged late: a job whose worker dies is built again by the next worker.
@shared_task(acks_late=True)
def build_export(job_id: int) -> None:
    exports.export_job_build(job_id=job_id)


@shared_task
def purge_export_files() -> int:
    return exports.export_jobs_purge()
