"""The Content-Security-Policy middleware (config.middleware.ContentSecurityPolicyMiddleware)
writes what django-csp's CSPMiddleware writes, for every kind of response, though it builds each
policy once; the Permissions-Policy header written once per view is the one of the settings in
force."""

import pytest
from csp.constants import NONCE, SELF
from csp.decorators import csp_exempt, csp_replace, csp_update
from csp.middleware import CSPMiddleware
from django.http import HttpResponse
from django.test import RequestFactory, override_settings

from config.middleware import ContentSecurityPolicyMiddleware, PermissionsPolicyMiddleware

REPORT_ONLY = {
    "EXCLUDE_URL_PREFIXES": ["/admin/"],
    "DIRECTIVES": {"default-src": [SELF], "script-src": [SELF, NONCE, "https://cdn.example"]},
}


def plain(request):
    return HttpResponse("ok")


def missing(request):
    return HttpResponse("missing", status=404)


def failing(request):
    return HttpResponse("failed", status=500)


@csp_update({"img-src": ["https://img.example"]})
def updated(request):
    return HttpResponse("ok")


@csp_replace({"style-src": ["https://css.example"]})
def replaced(request):
    return HttpResponse("ok")


@csp_exempt()
def exempt(request):
    return HttpResponse("ok")


def with_header(request):
    response = HttpResponse("ok")
    response["Content-Security-Policy"] = "default-src 'none'"
    return response


VIEWS = [plain, missing, failing, updated, replaced, exempt, with_header]


def answers(middleware_class, view, *, path, nonce_used):
    """The CSP headers and the nonce guard of one response through the middleware."""

    def respond(request):
        if nonce_used:
            str(request.csp_nonce)
        return view(request)

    request = RequestFactory().get(path)
    response = middleware_class(respond)(request)
    headers = {
        name: response.get(name)
        for name in ("Content-Security-Policy", "Content-Security-Policy-Report-Only")
    }
    nonce = getattr(request, "_csp_nonce", None)
    if nonce is not None:
        # Each middleware makes its own nonce: the same place in the header is what matters.
        headers = {
            name: value.replace(nonce, "<nonce>") if value else value
            for name, value in headers.items()
        }
    return headers, nonce is None


@pytest.mark.parametrize("view", VIEWS, ids=lambda view: view.__name__)
@pytest.mark.parametrize("nonce_used", [False, True], ids=["no nonce", "nonce"])
@pytest.mark.parametrize("path", ["/en/nice-2021/", "/admin/login/"])
@pytest.mark.parametrize("report_only", [None, REPORT_ONLY], ids=["enforced", "report-only too"])
@pytest.mark.parametrize("debug", [False, True], ids=["", "DEBUG"])
def test_same_headers_as_django_csp(view, nonce_used, path, report_only, debug):
    with override_settings(CONTENT_SECURITY_POLICY_REPORT_ONLY=report_only, DEBUG=debug):
        ours = answers(ContentSecurityPolicyMiddleware, view, path=path, nonce_used=nonce_used)
        theirs = answers(CSPMiddleware, view, path=path, nonce_used=nonce_used)

    assert ours == theirs


def test_nonce_read_after_the_header_is_refused_as_by_django_csp():
    from csp.exceptions import CSPNonceError

    request = RequestFactory().get("/")
    ContentSecurityPolicyMiddleware(plain)(request)

    with pytest.raises(CSPNonceError):
        str(request.csp_nonce)


def test_policy_built_once_and_again_when_the_setting_is_replaced():
    middleware = ContentSecurityPolicyMiddleware(plain)
    first = middleware(RequestFactory().get("/"))["Content-Security-Policy"]
    kept = dict(middleware.policies)
    second = middleware(RequestFactory().get("/"))["Content-Security-Policy"]
    assert first == second
    assert middleware.policies == kept

    with override_settings(CONTENT_SECURITY_POLICY={"DIRECTIVES": {"default-src": ["'none'"]}}):
        replaced = middleware(RequestFactory().get("/"))["Content-Security-Policy"]
    after = middleware(RequestFactory().get("/"))["Content-Security-Policy"]

    assert replaced == "default-src 'none'"
    assert after == first


def test_nonce_of_each_request_in_its_own_header():
    def respond(request):
        str(request.csp_nonce)
        return HttpResponse("ok")

    middleware = ContentSecurityPolicyMiddleware(respond)
    requests = [RequestFactory().get("/") for _ in range(2)]
    headers = [middleware(request)["Content-Security-Policy"] for request in requests]

    assert requests[0]._csp_nonce != requests[1]._csp_nonce
    for request, header in zip(requests, headers, strict=True):
        assert f"style-src 'self' 'nonce-{request._csp_nonce}'" in header
        assert "\x00" not in header


def test_permissions_policy_follows_the_settings_in_force(rf):
    middleware = PermissionsPolicyMiddleware(plain)
    before = middleware(rf.get("/"))["Permissions-Policy"]

    with override_settings(PERMISSIONS_POLICY={"camera": "()", "usb": "()"}):
        replaced = middleware(rf.get("/"))["Permissions-Policy"]
    with override_settings(PERMISSIONS_POLICY_VIEWS={"": {"camera": "(self)"}}):
        allowed = middleware(rf.get("/"))["Permissions-Policy"]

    assert before == "camera=(), geolocation=(), microphone=()"
    assert replaced == "camera=(), usb=()"
    assert allowed == "camera=(self), geolocation=(), microphone=()"
    assert middleware(rf.get("/"))["Permissions-Policy"] == before
