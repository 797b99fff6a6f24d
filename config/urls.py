from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from two_factor.urls import urlpatterns as two_factor_urls

from config.views import favicon, healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    # Browsers ask for /favicon.ico whatever the page links to.
    path("favicon.ico", favicon),
    path("i18n/", include("django.conf.urls.i18n")),
    # The site is registrations' (admin_site.py): it adds the organisers' dashboards.
    path("admin/", admin.site.urls),
    # The REST API and its OpenAPI document (registrations/api/).
    path("api/v1/", include("registrations.api.urls")),
    path("", include("registrations.calendar_urls")),
    path("", include("registrations.verify_urls")),
]
urlpatterns += i18n_patterns(
    # Staff accounts' second factor: setup, recovery codes, passkeys (two_factor's pages).
    path("", include(two_factor_urls)),
    path("", include("registrations.urls")),
    path("", include("conference.urls")),
)
