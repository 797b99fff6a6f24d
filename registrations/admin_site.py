"""The project's admin site: Django's, with the organisers' dashboard of each conference and its
logistics export among its pages, and the dashboards listed on its index.

It lives outside the admin package: Django builds the site (ConferenceAdminConfig.default_site)
the first time a model admin registers, and the admin package registers its model admins as it
is imported."""

from django.contrib import admin
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import path

from conference.models import Conference
from registrations.permissions import VIEW_REGISTRATION
from registrations.views.dashboard import ConferenceDashboardView, LogisticsExportView


class ConferenceAdminSite(admin.AdminSite):
    site_header = "Conference registrations"
    site_title = "Conference registrations"

    def get_urls(self) -> list:
        # Before the admin's own URLs, which would otherwise take these addresses.
        return [
            path(
                "conference/<slug:slug>/dashboard/",
                self.admin_view(ConferenceDashboardView.as_view(admin_site=self)),
                name="conference_dashboard",
            ),
            path(
                "conference/<slug:slug>/logistics.<str:export_format>",
                self.admin_view(LogisticsExportView.as_view()),
                name="conference_logistics",
            ),
            *super().get_urls(),
        ]

    def index(self, request: HttpRequest, extra_context: dict | None = None) -> TemplateResponse:
        """The index, with the published conferences' dashboards listed on top for whoever may
        see them (templates/admin/index.html)."""
        conferences = []
        if request.user.has_perm(VIEW_REGISTRATION):
            conferences = list(Conference.objects.published().order_by("-start_date", "name"))
        return super().index(
            request, extra_context={"dashboard_conferences": conferences, **(extra_context or {})}
        )
