from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from config.views import healthz
from registrations import calendar_views as registration_calendar_views
from registrations import dashboard_views

admin.site.site_header = "Conference registrations"
admin.site.site_title = "Conference registrations"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    # Before the admin's own URLs, which would otherwise take these addresses.
    path(
        "admin/conference/<slug:slug>/dashboard/",
        admin.site.admin_view(dashboard_views.ConferenceDashboardView.as_view()),
        name="admin_conference_dashboard",
    ),
    path(
        "admin/conference/<slug:slug>/logistics.<str:export_format>",
        admin.site.admin_view(dashboard_views.LogisticsExportView.as_view()),
        name="admin_conference_logistics",
    ),
    path("admin/", admin.site.admin_view(dashboard_views.admin_index)),
    path("admin/", admin.site.urls),
    # Not language-prefixed: calendar apps keep this address for as long as they subscribe.
    path(
        "agenda/<str:token>.ics",
        registration_calendar_views.agenda_calendar,
        name="agenda_calendar",
    ),
]
urlpatterns += i18n_patterns(
    path("", include("registrations.urls")),
    path("", include("conference.urls")),
)
