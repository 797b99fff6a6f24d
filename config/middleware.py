"""Guards every request and response passes, whatever the page."""

import http
import re
from collections.abc import Callable
from fnmatch import fnmatchcase
from urllib.parse import unquote_plus

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
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
    except on the views `settings.PERMISSIONS_POLICY_VIEWS` allows it to. The header of each
    view is written once, again when either setting is replaced (override_settings)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        self.settings_read: tuple[object, object] | None = None
        self.headers: dict[str, str] = {}

    def header(self, name: str) -> str:
        read = (settings.PERMISSIONS_POLICY, settings.PERMISSIONS_POLICY_VIEWS)
        if self.settings_read is None or any(
            now is not before for now, before in zip(read, self.settings_read, strict=True)
        ):
            self.settings_read, self.headers = read, {}
        header = self.headers.get(name)
        if header is None:
            allowed = settings.PERMISSIONS_POLICY_VIEWS.get(name, {})
            policy = {**settings.PERMISSIONS_POLICY, **allowed}
            header = ", ".join(f"{feature}={allowlist}" for feature, allowlist in policy.items())
            self.headers[name] = header
        return header

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        response["Permissions-Policy"] = self.header(view_name(request))
        return response


# Stands for the request's nonce in a policy kept (base64 never holds it).
_NONCE_MARK = "\x00nonce\x00"
# What django-csp's decorators (csp_update, csp_replace, csp_exempt…) set on a response: the
# response then gets its own policy, built by django-csp's middleware.
_PER_RESPONSE = (
    "_csp_config",
    "_csp_update",
    "_csp_replace",
    "_csp_config_ro",
    "_csp_update_ro",
    "_csp_replace_ro",
)


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, whose header (and report-only header) is built from the settings
    once, with a mark where the request's nonce goes, then only the nonce put in: django-csp
    builds it from the settings for every response (copying and sorting each directive's
    sources), 0.3 M instructions, 4 % of a cached page. A response a decorator gave a policy of
    its own gets it from django-csp as before; the policy is built again when the setting is
    replaced (override_settings). Headers, exemptions and the nonce's guard are django-csp's
    (tests/test_middleware_csp.py compares them)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        super().__init__(get_response)
        self.policies: dict[tuple[bool, bool], tuple[object, str]] = {}

    def policy(self, *, report_only: bool, nonce: str | None) -> str:
        name = "CONTENT_SECURITY_POLICY_REPORT_ONLY" if report_only else "CONTENT_SECURITY_POLICY"
        setting = getattr(settings, name, None)
        key = (report_only, bool(nonce))
        kept = self.policies.get(key)
        if kept is None or kept[0] is not setting:
            mark = _NONCE_MARK if nonce else None
            kept = (setting, build_policy(nonce=mark, report_only=report_only))
            self.policies[key] = kept
        return kept[1].replace(_NONCE_MARK, nonce) if nonce else kept[1]

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if any(getattr(response, name, None) is not None for name in _PER_RESPONSE):
            return super().process_response(request, response)
        if settings.DEBUG and response.status_code in (
            http.HTTPStatus.INTERNAL_SERVER_ERROR,
            http.HTTPStatus.NOT_FOUND,
        ):
            return response
        nonce = getattr(request, "_csp_nonce", None)
        for report_only, header, exempt in (
            (False, HEADER, "_csp_exempt"),
            (True, HEADER_REPORT_ONLY, "_csp_exempt_ro"),
        ):
            policy = self.policy(report_only=report_only, nonce=nonce)
            if not policy or header in response or getattr(response, exempt, False) is not False:
                continue
            name = (
                "CONTENT_SECURITY_POLICY_REPORT_ONLY" if report_only else "CONTENT_SECURITY_POLICY"
            )
            prefixes = (getattr(settings, name, None) or {}).get("EXCLUDE_URL_PREFIXES") or ()
            if not request.path_info.startswith(tuple(prefixes)):
                response[header] = policy
        if getattr(request, "_csp_nonce", None) is None:
            request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)  # type: ignore[attr-defined]
        return response
