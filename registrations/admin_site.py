"""The project's admin site: Django's, with the organisers' dashboard of each conference and its
logistics export among its pages, and the dashboards listed on its index.

It lives outside the admin package: Django builds the site (ConferenceAdminConfig.default_site)
the first time a model admin registers, and the admin package registers its model admins as it
is imported."""

from typing import Protocol, cast
from urllib.parse import urlencode

from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django_otp import user_has_device
from two_factor.views import LoginView

from conference.models import Conference
from registrations.permissions import VIEW_REGISTRATION, two_factor_required
from registrations.views.answer_files import AnswerFileAdminView
from registrations.views.answer_sheets import AnswerSheetExportView
from registrations.views.dashboard import ConferenceDashboardView, LogisticsExportView


class OTPUser(Protocol):
    """A request's user as django_otp's OTPMiddleware leaves it."""

    def is_verified(self) -> bool: ...


def session_verified(request: HttpRequest) -> bool:
    """Whether this session passed a second factor (django_otp.login recorded the device)."""
    return cast(OTPUser, request.user).is_verified()


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
            path(
                "conference/<slug:slug>/answers/<str:sheet>.<str:export_format>",
                self.admin_view(AnswerSheetExportView.as_view()),
                name="conference_answer_sheet",
            ),
            path(
                "answers/<int:pk>/file/",
                self.admin_view(AnswerFileAdminView.as_view()),
                name="registrations_answer_file",
            ),
            *super().get_urls(),
        ]

    def has_permission(self, request: HttpRequest) -> bool:
        """Staff who can see special needs, change registrations or export are let in only once
        this session passed their second factor; the others with their password alone."""
        if not super().has_permission(request):
            return False
        return session_verified(request) or not two_factor_required(request.user)

    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        """Two-factor's login (the password, then the second factor of a user who has one) in
        place of the admin's. Staff who must have a second factor and have none yet are sent to
        set one up first (their enrolment on first login), then on to where they were going."""
        user = request.user
        next_url = request.GET.get(
            REDIRECT_FIELD_NAME, reverse("admin:index", current_app=self.name)
        )
        if user.is_authenticated and not session_verified(request) and two_factor_required(user):
            if not user_has_device(user):
                query = urlencode({REDIRECT_FIELD_NAME: next_url})
                return redirect(f"{reverse('two_factor:setup')}?{query}")
        elif request.method == "GET" and self.has_permission(request):
            return redirect(reverse("admin:index", current_app=self.name))
        return LoginView.as_view()(request)

    def index(self, request: HttpRequest, extra_context: dict | None = None) -> TemplateResponse:
        """The index, with the published conferences' dashboards listed on top for whoever may
        see them (templates/admin/index.html), and the second factor offered to whoever has
        none."""
        conferences = []
        if request.user.has_perm(VIEW_REGISTRATION):
            conferences = list(Conference.objects.published().order_by("-start_date", "name"))
        context = {
            "dashboard_conferences": conferences,
            "two_factor_enrolled": user_has_device(request.user),
            **(extra_context or {}),
        }
        return super().index(request, extra_context=context)
