"""The site's addresses, plus pages that fail on purpose, for the error pages' tests."""

from django.conf.urls.i18n import i18n_patterns
from django.core.exceptions import BadRequest, PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import urlpatterns as site_urlpatterns


def forbidden(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied


def bad_request(request: HttpRequest) -> HttpResponse:
    raise BadRequest


def server_error(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a page that fails")


urlpatterns = [
    *i18n_patterns(
        path("test-errors/403/", forbidden),
        path("test-errors/400/", bad_request),
        path("test-errors/500/", server_error),
    ),
    *site_urlpatterns,
]
