from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from config.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    # The site is registrations' (admin_site.py): it adds the organisers' dashboards.
    path("admin/", admin.site.urls),
    path("", include("registrations.calendar_urls")),
]
urlpatterns += i18n_patterns(
    path("", include("registrations.urls")),
    path("", include("conference.urls")),
)
