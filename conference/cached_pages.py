"""Whole public pages (the programme, the home page) kept in the cache, so that a visitor asking
again for a page nothing changed on costs a query and two cache reads, not a render.

What a page holds for one visitor only never enters the cache: the page is rendered with
markers in place of the CSRF token, the Content-Security-Policy nonce and the address the
language switch comes back to, and every response, rendered or cached, gets this request's
values put in their place. A request that has messages to show (they are the visitor's own)
or a signed-in user renders afresh and stores nothing.

An entry is kept under the page's address, language, host, the versions it was rendered under
(conference.page_cache) and the view's own key parts (the programme's filters): a change of
the programme or of who takes part raises a version, and the next request renders afresh.
Figures no version follows (places left) lag by the entry's lifetime at most,
page_cache_seconds, which also ends it before a boundary in time."""

import hashlib
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.contrib.messages import get_messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template.response import SimpleTemplateResponse
from django.utils.html import escape
from django.utils.translation import get_language


@dataclass(frozen=True)
class PageMarkers:
    """Stand-ins rendered into a page for what belongs to one request. Drawn afresh for each
    render: page content cannot name them."""

    csrf_token: str
    csp_nonce: str
    language_switch_next: str

    @classmethod
    def drawn(cls) -> "PageMarkers":
        stem = secrets.token_hex(12)
        return cls(
            csrf_token=f"csrf{stem}", csp_nonce=f"nonce{stem}", language_switch_next=f"next{stem}"
        )

    def context(self) -> dict[str, str]:
        """What the page's templates print in their place (base.html's language switch, a
        style sheet's nonce)."""
        return {
            "csrf_token": self.csrf_token,
            "csp_nonce": self.csp_nonce,
            "language_switch_next": self.language_switch_next,
        }


@dataclass(frozen=True)
class CachedPage:
    markers: PageMarkers
    body: bytes
    content_type: str


def page_cache_key(request: HttpRequest, conference_id: int, parts: Sequence[str]) -> str:
    """`parts`: the versions the page depends on, then what else selects its content."""
    # The host is in the page (the calendar links), the address names the page and its language.
    address = "\n".join([request.get_host(), request.path, get_language(), *parts])
    digest = hashlib.sha256(address.encode()).hexdigest()[:32]
    return f"page:{conference_id}:{digest}"


def page_is_personal(request: HttpRequest) -> bool:
    """Whether the page would show this visitor something of their own: messages (counting
    them does not mark them shown) or, for a signed-in user, whatever a template may add."""
    return bool(len(get_messages(request))) or request.user.is_authenticated


def cached_page_response(
    request: HttpRequest,
    *,
    key: str,
    timeout: int,
    render: Callable[[PageMarkers], HttpResponse],
) -> HttpResponse:
    """The page of `key` if cached, else `render`ed (with the markers in its context) and
    stored for `timeout` seconds; with this request's values in place either way."""
    personal = page_is_personal(request)
    page = None if personal else cache.get(key)
    if page is None:
        page = _rendered(render)
        if not personal:
            cache.set(key, page, timeout)
    return _response(request, page)


def _rendered(render: Callable[[PageMarkers], HttpResponse]) -> CachedPage:
    markers = PageMarkers.drawn()
    response = render(markers)
    if isinstance(response, SimpleTemplateResponse):
        response.render()
    return CachedPage(
        markers=markers,
        body=response.content,
        content_type=response["Content-Type"],
    )


def _response(request: HttpRequest, page: CachedPage) -> HttpResponse:
    body = page.body
    markers = page.markers
    for marker, value in (
        (markers.csrf_token, lambda: get_token(request)),
        # Asked for only when the page uses it: the policy then names it.
        (markers.csp_nonce, lambda: str(request.csp_nonce)),  # type: ignore[attr-defined]
        (markers.language_switch_next, lambda: escape(request.get_full_path())),
    ):
        encoded = marker.encode()
        if encoded in body:
            body = body.replace(encoded, value().encode())
    return HttpResponse(body, content_type=page.content_type)
