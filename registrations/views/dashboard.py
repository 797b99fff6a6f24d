"""The organisers' dashboard and its logistics export, served by the admin site."""

from django.contrib import admin
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ImproperlyConfigured
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext
from django.views import View
from django.views.generic import TemplateView

from conference.models import Conference
from registrations.models import ExportFormat, ExportKind, ExportRecord
from registrations.organiser.charts import dashboard_charts
from registrations.organiser.dashboard import conference_dashboard
from registrations.organiser.exports.records import export_record_create
from registrations.organiser.exports.writers import (
    content_type,
    csv_stream,
    export_filename,
    xlsx_temporary_file,
)
from registrations.organiser.logistics import logistics_columns, logistics_lines
from registrations.permissions import (
    EXPORT_REGISTRATIONS,
    VIEW_REGISTRATION,
    VIEW_SPECIAL_NEEDS,
    permitted_user,
)


class ConferenceDashboardView(PermissionRequiredMixin, TemplateView):
    """One conference's figures for its organisers; dietary and accessibility figures only for
    those allowed to see special needs. Served by the admin site (admin_site.py), staff only."""

    permission_required = VIEW_REGISTRATION
    raise_exception = True  # a logged-in member of staff without the permission gets a 403
    template_name = "admin/registrations/dashboard.html"
    admin_site: admin.AdminSite | None = None  # the site that serves the page sets it

    def get_context_data(self, **kwargs) -> dict:
        if self.admin_site is None:
            raise ImproperlyConfigured(
                "the dashboard is served by an admin site: as_view(admin_site=…)"
            )
        conference = get_object_or_404(Conference, slug=self.kwargs["slug"])
        special_needs = self.request.user.has_perm(VIEW_SPECIAL_NEEDS)
        dashboard = conference_dashboard(conference, special_needs=special_needs)
        return {
            **super().get_context_data(**kwargs),
            **self.admin_site.each_context(self.request),
            "title": gettext("Dashboard: %(conference)s") % {"conference": conference.name},
            "conference": conference,
            "dashboard": dashboard,
            "charts": dashboard_charts(dashboard),
            "special_needs": special_needs,
            "generated_at": timezone.localtime(timezone.now(), conference.tzinfo),
        }


class LogisticsExportView(PermissionRequiredMixin, View):
    """The logistics figures of the dashboard as CSV or XLSX, for caterers, interpreters and
    the venue. Needs the export permission, like every export; dietary and access figures only
    for those allowed to see special needs. Served by the admin site, staff only."""

    permission_required = (VIEW_REGISTRATION, EXPORT_REGISTRATIONS)
    raise_exception = True

    def get(self, request: HttpRequest, slug: str, export_format: str) -> HttpResponseBase:
        if export_format not in ExportFormat.values:
            raise Http404
        conference = get_object_or_404(Conference, slug=slug)
        special_needs = request.user.has_perm(VIEW_SPECIAL_NEEDS)
        lines = logistics_lines(conference_dashboard(conference, special_needs=special_needs))
        columns = logistics_columns()
        filename = export_filename(f"logistics-{conference.slug}", export_format)
        response: HttpResponseBase
        if export_format == ExportFormat.XLSX:
            output, rows = xlsx_temporary_file(lines, columns, sheet_name=gettext("Logistics"))
            response = FileResponse(output, as_attachment=True, filename=filename)
        else:
            rows = len(lines)
            response = HttpResponse(
                "".join(csv_stream(lines, columns, export_format=export_format)),
                content_type=content_type(export_format),
            )
            response["Content-Disposition"] = f'attachment; filename="{filename}"'
        export_record_create(
            user=permitted_user(request),
            source=ExportRecord.Source.ADMIN,
            kind=ExportKind.LOGISTICS,
            export_format=ExportFormat(export_format),
            conference_ids=[conference.pk],
            filter="",
            searched=False,
            special_needs=special_needs,
            rows=rows,
        )
        return response
