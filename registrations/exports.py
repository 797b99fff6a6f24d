"""Spreadsheet exports of delegates: the columns of each list, the CSV and XLSX writers, the
background jobs that build large files and the record kept of every export.

Rows are written as they are read from the database, so memory stays flat whatever the number
of registrations: CSV streams line by line, XLSX is written by xlsxwriter in constant-memory
mode, which sends each finished row to a temporary file."""

import csv
import itertools
import logging
import secrets
import tempfile
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from datetime import datetime, timedelta
from typing import IO, Any, TypeVar

import xlsxwriter
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.files import File
from django.db import transaction
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_countries.fields import Country

from conference.models import Conference
from registrations.models import (
    Authority,
    ExportFormat,
    ExportJob,
    ExportKind,
    ExportRecord,
    Registration,
    SessionBooking,
)
from registrations.selectors import attendee_list

logger = logging.getLogger(__name__)

# Above this many rows the attendee list is built as XLSX by a Celery task, not in the request.
# bench/exports.py measures it at about 4,000 rows a second: 5,000 rows take little more
# than a second, 100,000 rows 25 s, too long for a request.
EXPORT_SYNC_LIMIT = 5000
CHUNK_SIZE = 2000
# Job files hold personal data: they are deleted this long after they were asked for.
EXPORT_FILE_RETENTION = timedelta(days=2)
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSX_MAX_ROWS = 1_048_575  # a worksheet's 1,048,576 rows, less the header
# Columns are as wide as their header and first rows need, within these bounds (characters).
XLSX_WIDTH_SAMPLE = 200
XLSX_MIN_WIDTH, XLSX_MAX_WIDTH = 8, 50
# The changelist's free-text search: it may hold a delegate's name, so it is never stored.
SEARCH_PARAMETER = "q"

# A cell starting with one of these is read as a formula by spreadsheet programs (CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
UTF8_BOM = "\ufeff"

Row = TypeVar("Row")
Column = tuple[str, Callable[[Any], object]]


def spreadsheet_safe(value: object) -> str:
    """The value as text that a spreadsheet shows as text: a leading quote disarms formulas."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


# --- Columns --------------------------------------------------------------------------------------


def _labels(choices: Iterable[tuple[str, object]]) -> Callable[[str], str]:
    """A choice's label from its value, translated once per export: get_FOO_display()
    translates every label of the field at each call, which is most of an export's time."""
    labels = {value: str(label) for value, label in choices}
    return lambda value: labels.get(value, value)


def _country_names() -> Callable[[Country], str]:
    """A country's name, looked up once per country and export."""
    names: dict[str, str] = {}

    def name(country: Country) -> str:
        if country.code not in names:
            names[country.code] = str(country.name)
        return names[country.code]

    return name


def _registered_at(registration: Registration) -> str:
    local = timezone.localtime(registration.created_at, registration.conference.tzinfo)
    return local.strftime("%Y-%m-%d %H:%M")


def attendee_columns(*, special_needs: bool = False) -> list[Column]:
    """The attendee list. Dietary and accessibility needs only for those allowed to see them
    (registrations.view_special_needs): the caller decides."""
    status = _labels(Registration.Status.choices)
    category = _labels(Registration.Category.choices)
    language = _labels(Registration.Language.choices)
    country = _country_names()
    columns = [
        (_("Reference"), lambda r: r.reference),
        (_("Status"), lambda r: status(r.status)),
        (_("First name"), lambda r: r.first_name),
        (_("Last name"), lambda r: r.last_name),
        (_("Email"), lambda r: r.email),
        (_("Job title"), lambda r: r.job_title),
        (_("Department or organisation"), lambda r: r.organisation),
        (_("City or region"), lambda r: r.authority.name),
        (_("Country"), lambda r: country(r.authority.country)),
        (_("Category"), lambda r: category(r.category)),
        (_("Language"), lambda r: language(r.preferred_language)),
        (_("Registered at"), _registered_at),
    ]
    if special_needs:
        columns += [
            (_("Dietary needs"), lambda r: r.dietary_needs),
            (_("Accessibility needs"), lambda r: r.accessibility_needs),
        ]
    return columns


def session_attendee_columns() -> list[Column]:
    """Bookings of one session, with their registration and its authority."""
    booking = _labels(SessionBooking.Status.choices)
    category = _labels(Registration.Category.choices)
    language = _labels(Registration.Language.choices)
    country = _country_names()
    return [
        (_("Reference"), lambda b: b.registration.reference),
        (_("Booking"), lambda b: booking(b.status)),
        (_("First name"), lambda b: b.registration.first_name),
        (_("Last name"), lambda b: b.registration.last_name),
        (_("Email"), lambda b: b.registration.email),
        (_("City or region"), lambda b: b.registration.authority.name),
        (_("Country"), lambda b: country(b.registration.authority.country)),
        (_("Category"), lambda b: category(b.registration.category)),
        (_("Language"), lambda b: language(b.registration.preferred_language)),
    ]


def _coordinator_cell(registration: Registration) -> str:
    if not registration.coordinator_name:
        return ""
    return f"{registration.coordinator_name} <{registration.coordinator_email}>"


def delegation_columns() -> list[Column]:
    """Registrations as authorities.delegation_list annotates them (coordinator_name and
    coordinator_email)."""
    yes, no = _("yes"), _("no")
    kind = _labels(Authority.Kind.choices)
    status = _labels(Registration.Status.choices)
    category = _labels(Registration.Category.choices)
    country = _country_names()
    return [
        (_("Country"), lambda r: country(r.authority.country)),
        (_("City or region"), lambda r: r.authority.name),
        (_("Kind"), lambda r: kind(r.authority.kind)),
        (_("Member"), lambda r: yes if r.authority.is_member else no),
        (_("Coordinator"), _coordinator_cell),
        (_("Reference"), lambda r: r.reference),
        (_("Status"), lambda r: status(r.status)),
        (_("First name"), lambda r: r.first_name),
        (_("Last name"), lambda r: r.last_name),
        (_("Email"), lambda r: r.email),
        (_("Job title"), lambda r: r.job_title),
        (_("Category"), lambda r: category(r.category)),
    ]


# --- Writers --------------------------------------------------------------------------------------


class _Echo:
    """A file-like object whose write() hands the line back, so csv.writer can feed a stream."""

    def write(self, value: str) -> str:
        return value


def csv_stream(rows: Iterable[Row], columns: Sequence[Column]) -> Iterator[str]:
    """UTF-8 CSV lines, beginning with a byte-order mark so that Excel reads accents right."""
    writer = csv.writer(_Echo())
    yield UTF8_BOM + writer.writerow([spreadsheet_safe(label) for label, _getter in columns])
    for row in rows:
        yield writer.writerow([spreadsheet_safe(getter(row)) for _label, getter in columns])


def attendee_csv(queryset: QuerySet[Registration], *, special_needs: bool = False) -> Iterator[str]:
    return csv_stream(
        queryset.iterator(chunk_size=CHUNK_SIZE), attendee_columns(special_needs=special_needs)
    )


class ExportTooLarge(Exception):
    pass


def xlsx_write(
    rows: Iterable[Row],
    columns: Sequence[Column],
    output: str | IO[bytes],
    *,
    sheet_name: str,
    on_progress: Callable[[int], None] | None = None,
) -> int:
    """Write the rows to an XLSX workbook in `output` (a path, or a binary file open for
    writing) and return how many there were. Every cell is written with write_string, after
    spreadsheet_safe: text that looks like a formula, a number or a link stays text, and reads
    the same as in the CSV. `on_progress` is called with the rows written so far, every
    CHUNK_SIZE rows."""
    # xlsxwriter's temporary files hold the rows until close(): a directory of our own is
    # removed with them however the writing ends.
    with tempfile.TemporaryDirectory(prefix="export-") as tmpdir:
        workbook = xlsxwriter.Workbook(
            output,
            {
                "constant_memory": True,
                "in_memory": False,
                "tmpdir": tmpdir,
                "strings_to_formulas": False,
                "strings_to_numbers": False,
                "strings_to_urls": False,
            },
        )
        sheet = workbook.add_worksheet(sheet_name[:31])
        header = [spreadsheet_safe(label) for label, _getter in columns]
        values = ([spreadsheet_safe(getter(row)) for _label, getter in columns] for row in rows)
        # Constant-memory mode writes rows in order and never goes back: widths are decided
        # from the first rows, which are held until then.
        first = list(itertools.islice(values, XLSX_WIDTH_SAMPLE))
        for index, label in enumerate(header):
            width = max([len(label), *(len(cells[index]) for cells in first)]) + 2
            sheet.set_column(index, index, min(max(width, XLSX_MIN_WIDTH), XLSX_MAX_WIDTH))
        bold = workbook.add_format({"bold": True})
        for index, label in enumerate(header):
            sheet.write_string(0, index, label, bold)
        sheet.freeze_panes(1, 0)
        count = 0
        for cells in itertools.chain(first, values):
            count += 1
            if count > XLSX_MAX_ROWS:
                raise ExportTooLarge(f"more than {XLSX_MAX_ROWS} rows")
            for index, cell in enumerate(cells):
                sheet.write_string(count, index, cell)
            if on_progress is not None and count % CHUNK_SIZE == 0:
                on_progress(count)
        sheet.autofilter(0, 0, count, len(header) - 1)
        workbook.close()
    return count


def xlsx_temporary_file(
    rows: Iterable[Row], columns: Sequence[Column], *, sheet_name: str
) -> tuple[IO[bytes], int]:
    """The rows as an XLSX workbook in an anonymous temporary file, rewound, and their count.
    The file disappears when it is closed, e.g. by the FileResponse that sends it."""
    output = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 (the response closes it)
    try:
        count = xlsx_write(rows, columns, output, sheet_name=sheet_name)
    except BaseException:
        output.close()
        raise
    output.seek(0)
    return output, count


def export_filename(kind: str, export_format: str) -> str:
    return f"{kind}-{timezone.localdate():%Y-%m-%d}.{export_format}"


# --- Records --------------------------------------------------------------------------------------


def export_filter(
    params: QueryDict, *, recorded: Collection[str], ignored: Collection[str] = ("o", "p")
) -> tuple[str, bool]:
    """What may be stored of a changelist's query string: the parameters in `recorded` (its
    filters), and whether anything else narrowed the list: the search, or a lookup typed into
    the address, either of which may hold a name. `ignored` parameters (order, page) narrow
    nothing."""
    kept = QueryDict(mutable=True)
    narrowed = False
    for key, values in params.lists():
        if key in recorded:
            kept.setlist(key, values)
        elif key not in ignored and any(value.strip() for value in values):
            narrowed = True
    return kept.urlencode(), narrowed


def export_record_create(
    *,
    user: AbstractBaseUser | None,
    source: ExportRecord.Source,
    kind: ExportKind,
    export_format: ExportFormat,
    conference_ids: Iterable[int],
    filter: str,
    searched: bool,
    special_needs: bool,
    rows: int,
) -> ExportRecord:
    """Keep a record that delegates' data left the system: who, when, what; nothing personal."""
    with transaction.atomic():
        record = ExportRecord.objects.create(
            user=user,
            source=source,
            kind=kind,
            format=export_format,
            filter=filter,
            searched=searched,
            special_needs=special_needs,
            rows=rows,
        )
        record.conferences.set(set(conference_ids))
    logger.info(
        "export %s: %s %s, %s rows, by user %s",
        record.pk,
        kind,
        export_format,
        rows,
        user.pk if user else None,
    )
    return record


def conference_ids_of(registrations: QuerySet[Registration]) -> list[int]:
    return list(registrations.order_by().values_list("conference", flat=True).distinct())


# --- Background jobs ------------------------------------------------------------------------------


def export_job_start(
    *,
    user: AbstractBaseUser,
    registrations: QuerySet[Registration],
    filter: str,
    searched: bool,
    special_needs: bool,
) -> ExportJob:
    """Ask for the attendee list as XLSX, built by a Celery task. `registrations` is the list in
    export order (selectors.attendee_list); its rows are noted now, so the file holds what the
    list showed even though the search that narrowed it is not stored."""
    registration_ids = list(registrations.values_list("pk", flat=True))
    with transaction.atomic():
        export_jobs_purge()
        job = ExportJob.objects.create(
            user=user,
            kind=ExportKind.ATTENDEES,
            format=ExportFormat.XLSX,
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
    # Imported here: tasks import this module.
    from registrations.tasks import build_export

    try:
        build_export.apply_async(args=[job_id], retry=False)
    except Exception:
        # Nothing would ever build it: say so on the job's page rather than leave it queued.
        logger.warning("export job %s not handed to the broker", job_id, exc_info=True)
        ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.QUEUED).update(
            status=ExportJob.Status.FAILED, finished_at=timezone.now()
        )


def _registrations_by_id(
    registration_ids: list[int], conference_ids: set[int]
) -> Iterator[Registration]:
    """The registrations in the order of their ids, read CHUNK_SIZE at a time; those deleted
    since are skipped. Notes each row's conference in `conference_ids`."""
    for start in range(0, len(registration_ids), CHUNK_SIZE):
        chunk = registration_ids[start : start + CHUNK_SIZE]
        found = Registration.objects.select_related("authority", "conference").in_bulk(chunk)
        for pk in chunk:
            if pk in found:
                conference_ids.add(found[pk].conference_id)
                yield found[pk]


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
            rows = xlsx_write(
                _registrations_by_id(job.registration_ids or [], conference_ids),
                attendee_columns(special_needs=job.special_needs),
                output,
                sheet_name=_("Attendees"),
                on_progress=progress,
            )
            output.seek(0)
            # A random part: the name of a file of personal data should not be guessable.
            name = f"attendees-{timezone.localdate():%Y-%m-%d}-{secrets.token_urlsafe(12)}.xlsx"
            job.file.save(name, File(output), save=False)
    except Exception:
        logger.exception("export job %s failed", job_id)
        ExportJob.objects.filter(pk=job_id).update(
            status=ExportJob.Status.FAILED, finished_at=timezone.now(), registration_ids=None
        )
        job.refresh_from_db()
        return job

    with transaction.atomic():
        job.status, job.rows_done, job.finished_at = ExportJob.Status.DONE, rows, timezone.now()
        job.registration_ids = None
        job.save(update_fields=["status", "rows_done", "finished_at", "registration_ids", "file"])
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


# --- The management command ----------------------------------------------------------------------


def registrations_for_export(
    *,
    conference: Conference,
    status: str | None = None,
    category: str | None = None,
    country: str | None = None,
) -> QuerySet[Registration]:
    """The registrations of a conference, optionally of one status, category and country of
    their authority, in the attendee list's order."""
    registrations = Registration.objects.filter(conference=conference)
    if status:
        registrations = registrations.filter(status=status)
    if category:
        registrations = registrations.filter(category=category)
    if country:
        registrations = registrations.filter(authority__country=country)
    return attendee_list(registrations)


def attendee_export_write(
    *,
    registrations: QuerySet[Registration],
    export_format: ExportFormat,
    path: str,
    special_needs: bool = False,
    on_progress: Callable[[int], None] | None = None,
) -> int:
    """Write the attendee list to a file; returns how many rows."""
    columns = attendee_columns(special_needs=special_needs)
    rows = registrations.iterator(chunk_size=CHUNK_SIZE)
    if export_format == ExportFormat.XLSX:
        # Opened first: xlsxwriter would only open it once every row is written.
        with open(path, "wb") as output:
            return xlsx_write(
                rows, columns, output, sheet_name=_("Attendees"), on_progress=on_progress
            )
    count = 0
    with open(path, "w", encoding="utf-8", newline="") as output:
        lines = csv_stream(rows, columns)
        output.write(next(lines))
        for count, line in enumerate(lines, start=1):
            output.write(line)
            if on_progress is not None and count % CHUNK_SIZE == 0:
                on_progress(count)
    return count


def bookings_for_export(bookings: QuerySet[SessionBooking]) -> QuerySet[SessionBooking]:
    """A session's bookings as its attendee list prints them: booked first, then the waiting
    list in order of arrival."""
    return bookings.select_related("registration__authority").order_by("status", "created_at", "pk")
