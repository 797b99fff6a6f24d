"""The dashboard's sheets from the answers (gala dinner, arrivals and departures, transfers
per hour) as CSV or XLSX, served by the admin site."""

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404
from django.views import View

from conference.models import Conference
from registrations.models import ExportFormat, ExportKind, ExportRecord
from registrations.organiser.answer_sheets import SHEET_NAMES, answer_sheet
from registrations.organiser.exports.records import export_record_create
from registrations.organiser.exports.writers import (
    content_type,
    csv_stream,
    export_filename,
    xlsx_temporary_file,
)
from registrations.permissions import (
    EXPORT_REGISTRATIONS,
    VIEW_REGISTRATION,
    VIEW_SPECIAL_NEEDS,
    permitted_user,
)


class AnswerSheetExportView(PermissionRequiredMixin, View):
    """A sheet of confirmed delegates' answers, for the caterers or the transfers. Needs the
    export permission, like every export; the diets only for those allowed to see special
    needs. Recorded as a logistics export."""

    permission_required = (VIEW_REGISTRATION, EXPORT_REGISTRATIONS)
    raise_exception = True

    def get(
        self, request: HttpRequest, slug: str, sheet: str, export_format: str
    ) -> HttpResponseBase:
        if export_format not in ExportFormat.values or sheet not in SHEET_NAMES:
            raise Http404
        conference = get_object_or_404(Conference, slug=slug)
        special_needs = request.user.has_perm(VIEW_SPECIAL_NEEDS)
        built = answer_sheet(conference, sheet, special_needs=special_needs)
        filename = export_filename(f"{sheet.replace('_', '-')}-{conference.slug}", export_format)
        response: HttpResponseBase
        if export_format == ExportFormat.XLSX:
            output, rows = xlsx_temporary_file(built.rows, built.columns, sheet_name=built.name)
            response = FileResponse(output, as_attachment=True, filename=filename)
        else:
            rows = len(built.rows)
            response = HttpResponse(
                "".join(csv_stream(built.rows, built.columns, export_format=export_format)),
                content_type=content_type(export_format),
            )
            response["Content-Disposition"] = f'attachment; filename="{filename}"'
        export_record_create(
            user=permitted_user(request),
            source=ExportRecord.Source.ADMIN,
            kind=ExportKind.LOGISTICS,
            export_format=ExportFormat(export_format),
            conference_ids=[conference.pk],
            filter=f"sheet={sheet}",
            searched=False,
            special_needs=special_needs,
            rows=rows,
        )
        return response
