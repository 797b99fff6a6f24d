"""Building the file of an export job, and deleting old ones."""

import logging
import secrets
import tempfile
from collections.abc import Iterator
from datetime import datetime, timedelta

from django.core.files import File
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from registrations.models import ExportFormat, ExportJob, ExportKind, ExportRecord, Registration

# Through the module: tests and benchmarks change the chunk size there.
from registrations.organiser.exports import writers
from registrations.organiser.exports.columns import attendee_annotations, attendee_fields
from registrations.organiser.exports.questions import attendee_columns_with_questions
from registrations.organiser.exports.records import export_record_create
from registrations.organiser.exports.selectors import id_list, with_answers

logger = logging.getLogger(__name__)

# Job files hold personal data: they are deleted this long after they were asked for.
EXPORT_FILE_RETENTION = timedelta(days=2)


def _attendee_rows_by_id(
    registration_ids: list[int], conference_ids: set[int], *, special_needs: bool
) -> Iterator[tuple]:
    """The rows of the registrations (the tuples of attendee_fields()) in the order of
    their ids, read CHUNK_SIZE at a time; those deleted since are skipped. Notes each row's
    conference in `conference_ids`."""
    fields = attendee_fields(special_needs=special_needs)
    for start in range(0, len(registration_ids), writers.CHUNK_SIZE):
        chunk = registration_ids[start : start + writers.CHUNK_SIZE]
        found = {
            pk: (conference_id, row)
            for pk, conference_id, *row in Registration.objects.filter(pk__in=id_list(chunk))
            .annotate(**attendee_annotations())
            .values_list("pk", "conference_id", *fields)
        }
        for pk in chunk:
            if pk in found:
                conference_id, row = found[pk]
                conference_ids.add(conference_id)
                yield row


def _write(job: ExportJob, rows: Iterator[tuple], output, *, on_progress) -> int:
    """The job's rows in its format to `output` (a binary file); returns how many."""
    columns = attendee_columns_with_questions(
        Registration.objects.filter(pk__in=id_list(job.registration_ids or [])),
        special_needs=job.special_needs,
        export_format=job.format,
    )
    if job.format == ExportFormat.XLSX:
        return writers.xlsx_write(
            rows, columns, output, sheet_name=_("Attendees"), on_progress=on_progress
        )
    count = 0

    def counted() -> Iterator[tuple]:
        nonlocal count
        for count, row in enumerate(rows, start=1):  # noqa: B007 (read by the loop below)
            yield row

    for text in writers.csv_stream(counted(), columns, export_format=job.format):
        output.write(text.encode("utf-8"))
        if count and count % writers.CHUNK_SIZE == 0:
            on_progress(count)
    return count


def export_job_build(*, job_id: int) -> ExportJob | None:
    """Build the file of a queued job (or of a running one whose worker died: the task is
    acknowledged late, so it comes back), then record the export. A job already done or
    failed is left as it is. A failure marks the job failed and is logged."""
    with transaction.atomic():
        job = ExportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.is_finished:
            return job
        job.status, job.rows_done = ExportJob.Status.RUNNING, 0
        job.save(update_fields=["status", "rows_done"])

    def progress(rows_done: int) -> None:
        ExportJob.objects.filter(pk=job_id).update(rows_done=rows_done)

    conference_ids: set[int] = set()
    try:
        with translation.override(job.language), tempfile.TemporaryFile() as output:
            rows = _write(
                job,
                with_answers(
                    _attendee_rows_by_id(
                        job.registration_ids or [], conference_ids, special_needs=job.special_needs
                    ),
                    special_needs=job.special_needs,
                    chunk_size=writers.CHUNK_SIZE,
                ),
                output,
                on_progress=progress,
            )
            output.seek(0)
            # A random part: the name of a file of personal data should not be guessable.
            extension = writers.FILE_EXTENSIONS[ExportFormat(job.format)]
            name = (
                f"attendees-{timezone.localdate():%Y-%m-%d}-{secrets.token_urlsafe(12)}.{extension}"
            )
            job.file.save(name, File(output), save=False)
    except Exception:
        logger.exception("export job %s failed", job_id)
        ExportJob.objects.filter(pk=job_id).update(
            status=ExportJob.Status.FAILED, finished_at=timezone.now(), registration_ids=None
        )
        job.refresh_from_db()
        return job

    with transaction.atomic():
        if not ExportJob.objects.select_for_update().filter(pk=job_id).exists():
            # Deleted while it was built, by an erasure: the file may hold the erased person.
            job.file.delete(save=False)
            logger.info("export job %s deleted while built: file removed", job_id)
            return None
        job.status, job.rows_done, job.finished_at = ExportJob.Status.DONE, rows, timezone.now()
        # Its list stays until the job goes: an erasure or a purge deletes the jobs whose
        # files hold the people it removes, and only those (privacy.export_jobs).
        job.save(update_fields=["status", "rows_done", "finished_at", "file"])
        export_record_create(
            user=job.user,
            source=ExportRecord.Source.ADMIN,
            kind=ExportKind(job.kind),
            export_format=ExportFormat(job.format),
            conference_ids=conference_ids,
            filter=job.filter,
            searched=job.searched,
            special_needs=job.special_needs,
            rows=rows,
        )
    logger.info("export job %s done: %s rows", job_id, rows)
    return job


def export_jobs_purge(*, now: datetime | None = None) -> int:
    """Delete the jobs asked for more than EXPORT_FILE_RETENTION ago, with their files; the
    export records stay. Returns how many jobs were deleted."""
    cutoff = (now or timezone.now()) - EXPORT_FILE_RETENTION
    expired = list(ExportJob.objects.filter(created_at__lt=cutoff))
    for job in expired:
        if job.file:
            job.file.delete(save=False)
    ExportJob.objects.filter(pk__in=[job.pk for job in expired]).delete()
    if expired:
        logger.info("%s export jobs purged", len(expired))
    return len(expired)
