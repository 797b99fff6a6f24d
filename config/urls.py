from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from config.views import healthz

admin.site.site_header = "Conference registrations"
admin.site.site_title = "Conference registrations"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
urlpatterns += i18n_patterns(
    path("", include("registrations.urls")),
    path("", include("conference.urls")),
)
