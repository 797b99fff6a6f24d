"""The Celery task that builds an export file. Its name is kept from when every task lived in
registrations.tasks, so that messages already in the broker still find it."""

from celery import shared_task

from registrations.organiser.exports.build import export_job_build


# Acknowledged late: a job whose worker dies is built again by the next worker.
@shared_task(name="registrations.tasks.build_export", acks_late=True)
def build_export(job_id: int) -> None:
    export_job_build(job_id=job_id)
