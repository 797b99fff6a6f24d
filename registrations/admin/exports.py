"""Exports from the admin: the responses, and the admin of export jobs and records."""

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from registrations.models import ExportFormat, ExportJob, ExportKind, ExportRecord
from registrations.organiser.exports.build import EXPORT_FILE_RETENTION
from registrations.organiser.exports.jobs import EXPORT_SYNC_LIMIT, export_job_start
from registrations.organiser.exports.questions import attendee_columns_with_questions
from registrations.organiser.exports.records import (
    conference_ids_of,
    export_filter,
    export_record_create,
)
from registrations.organiser.exports.selectors import attendee_list, attendee_rows
from registrations.organiser.exports.writers import (
    CHUNK_SIZE,
    FILE_EXTENSIONS,
    XLSX_CONTENT_TYPE,
    attendee_csv,
    content_type,
    csv_stream,
    export_filename,
    xlsx_temporary_file,
)
from registrations.permissions import EXPORT_REGISTRATIONS, VIEW_SPECIAL_NEEDS

SPECIAL_NEEDS_FIELDS = ("dietary_needs", "accessibility_needs")


# The end of each format's address: both CSV flavours end in .csv.
EXPORT_SUFFIXES = {
    ExportFormat.CSV: "csv",
    ExportFormat.CSV_EXCEL: "excel.csv",
    ExportFormat.XLSX: "xlsx",
}


def export_paths(model_admin, route: str, view, name: str) -> list:
    """The URLs of one export in every format: `<route>.csv` named `<name>_csv`,
    `<route>.excel.csv` named `<name>_csv_excel`, `<route>.xlsx` named `<name>_xlsx`."""
    return [
        path(
            f"{route}.{EXPORT_SUFFIXES[export_format]}",
            model_admin.admin_site.admin_view(view),
            {"export_format": export_format},
            name=f"{name}_{export_format}",
        )
        for export_format in ExportFormat
    ]


def can_see_special_needs(request: HttpRequest) -> bool:
    return request.user.has_perm(VIEW_SPECIAL_NEEDS)


def csv_response(lines, *, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(lines, content_type=content_type(ExportFormat.CSV))
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def xlsx_response(rows, columns, *, filename: str, sheet_name: str) -> tuple[FileResponse, int]:
    """The rows as an XLSX attachment, sent from a temporary file; and how many there were."""
    output, count = xlsx_temporary_file(rows, columns, sheet_name=sheet_name)
    response = FileResponse(
        output, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE
    )
    return response, count


def export_response(
    export_format: str, rows, columns, *, filename: str, sheet_name: str, count: int
) -> tuple[HttpResponse, int]:
    """The export in either CSV (streamed; `count` counted beforehand) or XLSX; and its row
    count."""
    if export_format == ExportFormat.XLSX:
        return xlsx_response(rows, columns, filename=filename, sheet_name=sheet_name)
    lines = csv_stream(rows, columns, export_format=export_format)
    return csv_response(lines, filename=filename), count


def session_export_response(
    request: HttpRequest,
    session,
    export_format: str,
    rows,
    columns,
    *,
    name: str,
    sheet_name: str,
    filter: str,
) -> HttpResponse:
    """A list of one session's delegates (`rows`, a queryset) as CSV or XLSX, recorded as an
    export of that session's attendees."""
    response, count = export_response(
        export_format,
        rows.iterator(chunk_size=2000),
        columns,
        filename=f"session-{session.pk}-{name}.{FILE_EXTENSIONS[ExportFormat(export_format)]}",
        sheet_name=sheet_name,
        count=rows.count() if export_format != ExportFormat.XLSX else 0,
    )
    export_record_create(
        user=request.user,
        source=ExportRecord.Source.ADMIN,
        kind=ExportKind.SESSION_ATTENDEES,
        export_format=ExportFormat(export_format),
        conference_ids=[session.conference_id],
        filter=filter,
        searched=False,
        special_needs=False,
        rows=count,
    )
    return response


def changelist_filter_parameters(changelist) -> list[str]:
    """The query parameters of a changelist's filters and date hierarchy: what an export record
    may keep of its address."""
    parameters = [
        parameter for spec in changelist.filter_specs for parameter in spec.expected_parameters()
    ]
    if changelist.date_hierarchy:
        parameters += [f"{changelist.date_hierarchy}__{part}" for part in ("year", "month", "day")]
    return parameters


class AttendeeExportMixin:
    """The registration changelist's export: the attendee list for the current filters and
    search, in the request or, when large, as a background job."""

    def can_export(self, request) -> bool:
        return self.has_view_permission(request) and request.user.has_perm(EXPORT_REGISTRATIONS)

    def get_urls(self):
        exports = export_paths(
            self, "export", self.export_view, "registrations_registration_export"
        )
        return [*exports, *super().get_urls()]

    def export_view(self, request, export_format: str):
        """The attendee list for the changelist's current filters and search, as CSV (always
        streamed) or XLSX. An XLSX of more than EXPORT_SYNC_LIMIT rows is built by a Celery
        task: this page offers it, and posting the offer starts the job (a GET changes
        nothing)."""
        if not self.can_export(request):
            raise PermissionDenied
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            return HttpResponseRedirect(reverse("admin:registrations_registration_changelist"))
        registrations = attendee_list(changelist.get_queryset(request))
        special_needs = can_see_special_needs(request)
        recorded_filter, searched = export_filter(
            request.GET, recorded=changelist_filter_parameters(changelist)
        )
        count = registrations.count()
        if export_format == ExportFormat.XLSX and count > EXPORT_SYNC_LIMIT:
            if request.method != "POST":
                return self.export_job_offer_view(request, count=count)
            job = export_job_start(
                user=request.user,
                registrations=registrations,
                filter=recorded_filter,
                searched=searched,
                special_needs=special_needs,
            )
            return HttpResponseRedirect(
                reverse("admin:registrations_exportjob_progress", args=[job.pk]), status=303
            )
        filename = export_filename("attendees", export_format)
        response: HttpResponseBase
        if export_format == ExportFormat.XLSX:
            response, rows = xlsx_response(
                attendee_rows(registrations, special_needs=special_needs, chunk_size=CHUNK_SIZE),
                attendee_columns_with_questions(
                    registrations, special_needs=special_needs, export_format=export_format
                ),
                filename=filename,
                sheet_name=gettext("Attendees"),
            )
        else:
            lines = attendee_csv(
                registrations, special_needs=special_needs, export_format=export_format
            )
            response, rows = csv_response(lines, filename=filename), count
        export_record_create(
            user=request.user,
            source=ExportRecord.Source.ADMIN,
            kind=ExportKind.ATTENDEES,
            export_format=ExportFormat(export_format),
            conference_ids=conference_ids_of(registrations),
            filter=recorded_filter,
            searched=searched,
            special_needs=special_needs,
            rows=rows,
        )
        return response

    def export_job_offer_view(self, request, *, count: int):
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Export the attendee list (XLSX)"),
            "opts": self.opts,
            "count": count,
            "limit": EXPORT_SYNC_LIMIT,
            "changelist_url": reverse("admin:registrations_registration_changelist")
            + (f"?{request.GET.urlencode()}" if request.GET else ""),
        }
        return TemplateResponse(
            request, "admin/registrations/registration/export_job_offer.html", context
        )


@admin.register(ExportJob)
class ExportJobAdmin(admin.ModelAdmin):
    """Each user sees their own jobs only, and only they may download a job's file: it holds
    the delegates' data as they were allowed to see it."""

    list_display = ["created_at", "kind", "format", "status", "progress", "download"]
    list_display_links = None
    list_filter = ["status"]
    fields = readonly_fields = [
        "kind",
        "format",
        "filter",
        "searched",
        "special_needs",
        "status",
        "rows_done",
        "rows_total",
        "created_at",
        "finished_at",
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(user=request.user).defer("registration_ids")

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and request.user.has_perm(
            EXPORT_REGISTRATIONS
        )

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("progress"))
    def progress(self, job):
        return format_html(
            '<a href="{}">{} / {}</a>',
            reverse("admin:registrations_exportjob_progress", args=[job.pk]),
            job.rows_done,
            job.rows_total,
        )

    @admin.display(description=_("file"))
    def download(self, job):
        if job.status != ExportJob.Status.DONE or not job.file:
            return None
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:registrations_exportjob_download", args=[job.pk]),
            gettext("Download"),
        )

    def get_urls(self):
        urls = [
            path(
                "<int:pk>/progress/",
                self.admin_site.admin_view(self.progress_view),
                name="registrations_exportjob_progress",
            ),
            path(
                "<int:pk>/download/",
                self.admin_site.admin_view(self.download_view),
                name="registrations_exportjob_download",
            ),
        ]
        return [*urls, *super().get_urls()]

    def owned_job(self, request, pk: int) -> ExportJob:
        if not self.has_view_permission(request):
            raise PermissionDenied
        job = get_object_or_404(ExportJob.objects.defer("registration_ids"), pk=pk)
        if job.user_id != request.user.pk:
            raise PermissionDenied
        if job.special_needs and not can_see_special_needs(request):
            # The permission was withdrawn since the job was asked for.
            raise PermissionDenied
        return job

    def progress_view(self, request, pk: int):
        """Where the job stands; the page reloads itself every 2 s until it is finished."""
        job = self.owned_job(request, pk)
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Export of the attendee list"),
            "opts": self.opts,
            "job": job,
            "percent": round(100 * job.rows_done / job.rows_total) if job.rows_total else 0,
            "refresh_seconds": 2,
            "retention_days": EXPORT_FILE_RETENTION.days,
        }
        return TemplateResponse(request, "admin/registrations/exportjob/progress.html", context)

    def download_view(self, request, pk: int):
        job = self.owned_job(request, pk)
        if job.status != ExportJob.Status.DONE or not job.file:
            raise Http404
        try:
            output = job.file.open("rb")
        except FileNotFoundError as error:
            raise Http404 from error
        return FileResponse(
            output,
            as_attachment=True,
            filename=(
                f"{job.kind}-{job.created_at:%Y-%m-%d}-{job.pk}"
                f".{FILE_EXTENSIONS[ExportFormat(job.format)]}"
            ),
            content_type=content_type(job.format),
        )


@admin.register(ExportRecord)
class ExportRecordAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "user",
        "source",
        "kind",
        "format",
        "conference_list",
        "filter",
        "searched",
        "special_needs",
        "rows",
    ]
    list_filter = ["source", "kind", "format", "special_needs", "conferences"]
    list_select_related = ["user"]
    date_hierarchy = "created_at"
    fields = readonly_fields = [
        "created_at",
        "user",
        "source",
        "kind",
        "format",
        "conference_list",
        "filter",
        "searched",
        "special_needs",
        "rows",
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("conferences")

    @admin.display(description=_("conferences"))
    def conference_list(self, record):
        return ", ".join(conference.name for conference in record.conferences.all())

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
