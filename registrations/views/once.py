"""One-time form tokens: a double-clicked "Register" registers once and emails once.

Showing the form puts a token in a hidden field: a random value, signed with the time and a key
drawn from the browser's CSRF secret, so that only the browser it was shown to can use it, for
SESSION_COOKIE_AGE, as long as a session would have kept it. Nothing is written to show the
form (a new visitor gets no session). The first POST with it claims it on the cache (an atomic
add, so two POSTs that arrive together cannot both win); when it ends on a redirect, where it
led is recorded under the token (with the value the done page reads: in the session, or the
cookie the redirect sets). A POST that finds the token already used gets the same
redirect and does nothing else; one that finds it being used waits for that outcome. A POST
that fails (invalid form, refusal) releases the token, so the corrected form can be sent with
it. With the cache down, the form works without the guard."""

import logging
import secrets
import time
from collections.abc import Callable
from typing import ClassVar

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.middleware.csrf import get_token
from django.views import View

logger = logging.getLogger(__name__)

SALT = "registrations.views.once"
# A claim whose request died without releasing it lapses after this.
CLAIM_SECONDS = 60
OUTCOME_SECONDS = 24 * 60 * 60
WAIT_SECONDS = 10.0
PENDING = "pending"


def _signer(request: HttpRequest) -> signing.TimestampSigner:
    # The CSRF secret is the browser's own (its cookie, checked on every POST): a token shown
    # to another browser does not verify here.
    secret = request.META.get("CSRF_COOKIE") or ""
    return signing.TimestampSigner(salt=f"{SALT}:{secret}")


def form_token_issue(request: HttpRequest) -> str:
    get_token(request)  # the CSRF secret the token is bound to, made now for a new visitor
    return _signer(request).sign(secrets.token_urlsafe(24))


def form_token_valid(request: HttpRequest, token: str) -> bool:
    """Whether this browser was shown a form with this token, within SESSION_COOKIE_AGE."""
    if not token:
        return False
    try:
        _signer(request).unsign(token, max_age=settings.SESSION_COOKIE_AGE)
    except signing.BadSignature:  # SignatureExpired included
        return False
    return True


def _cache_key(token: str) -> str:
    return f"form-token:{token}"


def _claim_or_outcome(token: str) -> dict | None:
    """None once this request holds the claim; otherwise the first request's outcome."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        if cache.add(_cache_key(token), PENDING, CLAIM_SECONDS):
            return None
        outcome = cache.get(_cache_key(token))
        if isinstance(outcome, dict):
            return outcome
        if time.monotonic() > deadline:
            # The first request is still running, or died: take over rather than hang.
            return None
        time.sleep(0.05)


def _cookie_kept(response: HttpResponse, name: str) -> dict | None:
    # The cookie as the response sets it, for set_cookie() to set it again.
    morsel = response.cookies.get(name)
    if morsel is None:
        return None
    return {
        "value": morsel.value,
        "max_age": int(morsel["max-age"]) if morsel["max-age"] != "" else None,
        "path": morsel["path"] or "/",
        "domain": morsel["domain"] or None,
        "secure": bool(morsel["secure"]),
        "httponly": bool(morsel["httponly"]),
        "samesite": morsel["samesite"] or None,
    }


def form_submit_once(
    request: HttpRequest,
    token: str,
    session_key: str | None,
    submit: Callable[[], HttpResponse],
    cookie: str | None = None,
) -> HttpResponse:
    """Run submit() once per token; repeats get the first outcome: the same redirect, with the
    same value under session_key, or the same cookie (the done page reads it)."""
    if not form_token_valid(request, token):
        # No form shown to this browser (another's token, an expired one, a script): nothing
        # to match.
        return submit()
    try:
        outcome = _claim_or_outcome(token)
    except Exception:
        # The cache is down: the form still works, without the guard.
        logger.warning("form token not checked: cache unavailable", exc_info=True)
        return submit()
    if outcome is not None:
        if session_key is not None and outcome["session"] is not None:
            request.session[session_key] = outcome["session"]
        replayed = HttpResponseRedirect(outcome["location"])
        if cookie is not None and outcome.get("cookie") is not None:
            replayed.set_cookie(cookie, **outcome["cookie"])
        return replayed
    try:
        response = submit()
    except BaseException:
        cache.delete(_cache_key(token))
        raise
    if isinstance(response, HttpResponseRedirect):
        done = {
            "location": response["Location"],
            "session": request.session.get(session_key) if session_key is not None else None,
            "cookie": _cookie_kept(response, cookie) if cookie is not None else None,
        }
        cache.set(_cache_key(token), done, OUTCOME_SECONDS)
    else:
        cache.delete(_cache_key(token))
    return response


class SubmitOnceMixin(View):
    """For a form view whose success is a redirect to a page that reads `once_session_key`
    from the session, or the cookie `once_cookie` that the redirect sets."""

    once_session_key: ClassVar[str | None] = None
    once_cookie: ClassVar[str | None] = None

    def submit_once(self, submit: Callable[[], HttpResponse]) -> HttpResponse:
        token = self.request.POST.get("form_token", "")
        return form_submit_once(
            self.request, token, self.once_session_key, submit, cookie=self.once_cookie
        )
