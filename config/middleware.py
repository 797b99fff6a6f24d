"""Guards every request and response passes, whatever the page."""

import re
from collections.abc import Callable
from fnmatch import fnmatchcase
from urllib.parse import unquote_plus

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import add_never_cache_headers

# C0 and C1 control characters and DEL. No address of the site holds one, and PostgreSQL
# refuses NUL in any string it is given: a lookup by a value that holds one would fail deep
# inside the page (a 500) instead of finding nothing.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f]")


class ControlCharacterInRequestError(SuspiciousOperation):
    """A path or query string with a control character: answered 400, and logged (without
    the value) by Django's `django.security.ControlCharacterInRequestError` logger."""


class ControlCharactersMiddleware:
    """Answers 400 to a path or query string that holds a control character (percent-encoded or
    not), before any view or static file handler reads it; drops a cookie that holds one, so that
    the session or language it names is simply absent."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        query_string = unquote_plus(request.META.get("QUERY_STRING", ""))
        if CONTROL_CHARACTERS.search(request.path) or CONTROL_CHARACTERS.search(query_string):
            raise ControlCharacterInRequestError("Control character in the path or query string")
        for name, value in list(request.COOKIES.items()):
            if CONTROL_CHARACTERS.search(name) or CONTROL_CHARACTERS.search(value):
                del request.COOKIES[name]
        return self.get_response(request)


def view_name(request: HttpRequest) -> str:
    """The namespaced name of the view that answered ("registrations:desk"), or "" when the
    address matched none."""
    match = request.resolver_match
    return match.view_name if match is not None else ""


class NoStoreMiddleware:
    """Keeps the pages of `settings.NO_STORE_VIEWS` out of every cache, shared or the browser's
    (`Cache-Control: no-store`, as Django's `never_cache`), unless the view said no-store
    itself (the personal downloads: `private, no-store`)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        name = view_name(request)
        if not name or "no-store" in response.get("Cache-Control", ""):
            return response
        if any(fnmatchcase(name, pattern) for pattern in settings.NO_STORE_VIEWS):
            add_never_cache_headers(response)
        return response


class PermissionsPolicyMiddleware:
    """Sends `Permissions-Policy`: the features of `settings.PERMISSIONS_POLICY`, each denied
    except on the views `settings.PERMISSIONS_POLICY_VIEWS` allows it to."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        allowed = settings.PERMISSIONS_POLICY_VIEWS.get(view_name(request), {})
        policy = {**settings.PERMISSIONS_POLICY, **allowed}
        response["Permissions-Policy"] = ", ".join(
            f"{feature}={allowlist}" for feature, allowlist in policy.items()
        )
        return response
