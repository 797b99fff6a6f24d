"""The retention schedule of each conference, the figures kept past the purge, and the record of
what the purge removed."""

import csv
from operator import itemgetter

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from conference.models import Conference
from registrations.admin.exports import can_see_special_needs
from registrations.models import PurgeRecord, RetentionSchedule
from registrations.models.retention import RETENTION_PERIOD_FIELDS
from registrations.organiser.exports.columns import CellType, Column, spreadsheet_safe_row
from registrations.organiser.exports.writers import XLSX_CONTENT_TYPE, xlsx_temporary_file
from registrations.privacy.figures import (
    SPECIAL_NEEDS_FIGURES,
    conference_figures,
    figure_columns,
)
from registrations.privacy.schedule import retention_deadlines, retention_schedule_update


@admin.register(RetentionSchedule)
class RetentionScheduleAdmin(admin.ModelAdmin):
    list_display = ["conference", "version", "final_purge", "updated_at", "figures_link"]
    list_select_related = ["conference"]
    readonly_fields = ["version", "updated_at", "final_purge", "final_purge_reminded_at"]
    fields = [
        "conference",
        *RETENTION_PERIOD_FIELDS,
        "version",
        "updated_at",
        "final_purge",
        "final_purge_reminded_at",
    ]

    def get_readonly_fields(self, request, obj=None):
        # A schedule belongs to its conference for good.
        return [*self.readonly_fields, "conference"] if obj is not None else self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        # Without a schedule the defaults apply again: deleting would silently change the promise.
        return False

    @admin.display(description=_("final purge"))
    def final_purge(self, obj: RetentionSchedule) -> str:
        if obj.pk is None:
            return "–"
        return timezone.localtime(retention_deadlines(obj.conference).identifying).strftime(
            "%Y-%m-%d"
        )

    @admin.display(description=_("aggregate figures"))
    def figures_link(self, obj: RetentionSchedule) -> str:
        csv_url = reverse("admin:registrations_retentionschedule_figures", args=[obj.pk])
        xlsx_url = reverse("admin:registrations_retentionschedule_figures_xlsx", args=[obj.pk])
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a>',
            csv_url,
            gettext("Download (CSV)"),
            xlsx_url,
            gettext("Download (XLSX)"),
        )

    def save_model(self, request, obj, form, change):
        # The service raises the version, so that later consents name the new promise.
        periods = {name: form.cleaned_data[name] for name in RETENTION_PERIOD_FIELDS}
        retention_schedule_update(schedule=obj, **periods)

    def get_urls(self):
        return [
            path(
                "<int:pk>/figures.csv",
                self.admin_site.admin_view(self.figures_view),
                name="registrations_retentionschedule_figures",
            ),
            path(
                "<int:pk>/figures.xlsx",
                self.admin_site.admin_view(self.figures_xlsx_view),
                name="registrations_retentionschedule_figures_xlsx",
            ),
            *super().get_urls(),
        ]

    def _figures_table(self, request: HttpRequest, pk: int) -> tuple[Conference, list, list]:
        """The conference, and its figures as counts (kept before the purge, or today's until
        then) as a header and lines, each key beside its name in the organiser's language; the
        last line says when they were taken."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        schedule = get_object_or_404(RetentionSchedule.objects.select_related("conference"), pk=pk)
        rows, taken_at = conference_figures(schedule.conference)
        if not can_see_special_needs(request):
            rows = [row for row in rows if row["figure"] not in SPECIAL_NEEDS_FIGURES]
        columns = figure_columns()
        lines = [[get(row) for _label, get in columns] for row in rows]
        taken = timezone.localtime(taken_at or timezone.now()).isoformat()
        lines.append([gettext("Taken at"), taken, *[""] * (len(columns) - 2)])
        return schedule.conference, [label for label, _get in columns], lines

    def figures_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        conference, header, lines = self._figures_table(request, pk)
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="figures-{conference.slug}.csv"'
        writer = csv.writer(response)
        writer.writerow(header)
        for line in lines:
            # Session titles are organisers' text: disarmed as in every export.
            writer.writerow(spreadsheet_safe_row([str(cell) for cell in line]))
        return response

    def figures_xlsx_view(self, request: HttpRequest, pk: int) -> FileResponse:
        conference, header, lines = self._figures_table(request, pk)
        output, _count = xlsx_temporary_file(
            lines,
            # The counts as numbers, so that the sheet sums them; the rest as text.
            [
                Column(
                    label,
                    itemgetter(index),
                    CellType.NUMBER if index == len(header) - 1 else CellType.TEXT,
                )
                for index, label in enumerate(header)
            ],
            sheet_name=gettext("Figures"),
        )
        return FileResponse(
            output,
            as_attachment=True,
            filename=f"figures-{conference.slug}.xlsx",
            content_type=XLSX_CONTENT_TYPE,
        )


@admin.register(PurgeRecord)
class PurgeRecordAdmin(admin.ModelAdmin):
    list_display = ["purged_at", "conference", "kind", "count", "schedule_version"]
    list_filter = ["conference", "kind"]
    list_select_related = ["conference"]
    date_hierarchy = "purged_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
