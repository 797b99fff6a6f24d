"""One-time form tokens: a double-clicked "Register" registers once and emails once.

Showing the form remembers a random token in the session and puts it in a hidden field. The
first POST with it claims it on the cache (an atomic add, so two POSTs that arrive together
cannot both win); when it ends on a redirect, where it led is recorded under the token. A POST
that finds the token already used gets the same redirect and does nothing else; one that finds
it being used waits for that outcome. A POST that fails (invalid form, refusal) releases the
token, so the corrected form can be sent with it."""

import logging
import secrets
import time
from collections.abc import Callable
from typing import ClassVar

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.views import View

logger = logging.getLogger(__name__)

SESSION_TOKENS = "form_tokens"
# Forms open in other tabs keep working: the session remembers this many tokens.
TOKENS_KEPT = 20
# A claim whose request died without releasing it lapses after this.
CLAIM_SECONDS = 60
OUTCOME_SECONDS = 24 * 60 * 60
WAIT_SECONDS = 10.0
PENDING = "pending"


def form_token_issue(request: HttpRequest) -> str:
    token = secrets.token_urlsafe(24)
    tokens = request.session.get(SESSION_TOKENS, [])
    request.session[SESSION_TOKENS] = [*tokens, token][-TOKENS_KEPT:]
    return token


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


def form_submit_once(
    request: HttpRequest, token: str, session_key: str, submit: Callable[[], HttpResponse]
) -> HttpResponse:
    """Run submit() once per token; repeats get the first outcome: the same redirect, with the
    same value under session_key (the done page reads it)."""
    if not token or token not in request.session.get(SESSION_TOKENS, []):
        # No form shown in this session (an expired session, a script): nothing to match.
        return submit()
    try:
        outcome = _claim_or_outcome(token)
    except Exception:
        # The cache is down: the form still works, without the guard.
        logger.warning("form token not checked: cache unavailable", exc_info=True)
        return submit()
    if outcome is not None:
        if outcome["session"] is not None:
            request.session[session_key] = outcome["session"]
        return HttpResponseRedirect(outcome["location"])
    try:
        response = submit()
    except BaseException:
        cache.delete(_cache_key(token))
        raise
    if isinstance(response, HttpResponseRedirect):
        done = {"location": response["Location"], "session": request.session.get(session_key)}
        cache.set(_cache_key(token), done, OUTCOME_SECONDS)
    else:
        cache.delete(_cache_key(token))
    return response


class SubmitOnceMixin(View):
    """For a form view whose success is a redirect to a page that reads `once_session_key`."""

    once_session_key: ClassVar[str]

    def submit_once(self, submit: Callable[[], HttpResponse]) -> HttpResponse:
        token = self.request.POST.get("form_token", "")
        return form_submit_once(self.request, token, self.once_session_key, submit)
