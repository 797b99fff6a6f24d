"""Exports too large for a request: a job, built by a Celery task."""

import logging

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation

from registrations.models import ExportFormat, ExportJob, ExportKind, Registration
from registrations.organiser.exports.build import export_jobs_purge
from registrations.organiser.exports.tasks import build_export

logger = logging.getLogger(__name__)

# Above this many rows the attendee list is built as XLSX by a Celery task, not in the request.
# bench/exports.py measures it at about 15,000 rows a second: 5,000 rows take a third of a
# second, 100,000 rows 7 s, too long to hold a web worker (and a proxy's patience) for.
EXPORT_SYNC_LIMIT = 5000


def export_job_start(
    *,
    user: User,
    registrations: QuerySet[Registration],
    filter: str,
    searched: bool,
    special_needs: bool,
    export_format: ExportFormat = ExportFormat.XLSX,
) -> ExportJob:
    """Ask for the attendee list as a file (XLSX, or either CSV), built by a Celery task.
    `registrations` is the list in export order (exports.selectors.attendee_list); its rows
    are noted now, so the file holds what the list showed even though the search that
    narrowed it is not stored."""
    registration_ids = list(registrations.values_list("pk", flat=True))
    with transaction.atomic():
        export_jobs_purge()
        job = ExportJob.objects.create(
            user=user,
            kind=ExportKind.ATTENDEES,
            format=export_format,
            filter=filter,
            searched=searched,
            special_needs=special_needs,
            language=translation.get_language() or "en",
            registration_ids=registration_ids,
            rows_total=len(registration_ids),
        )
        transaction.on_commit(lambda: _enqueue_build(job.pk), robust=True)
    logger.info("export job %s: %s rows queued by user %s", job.pk, job.rows_total, user.pk)
    return job


def _enqueue_build(job_id: int) -> None:

    try:
        build_export.apply_async(args=[job_id], retry=False)
    except Exception:
        # Nothing would ever build it: say so on the job's page rather than leave it queued.
        logger.warning("export job %s not handed to the broker", job_id, exc_info=True)
        ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.QUEUED).update(
            status=ExportJob.Status.FAILED, finished_at=timezone.now()
        )
