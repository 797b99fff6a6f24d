"""Whole public pages (the programme, the home page) kept in the cache, so that a visitor asking
again for a page nothing changed on costs a query (the conference, which must still be
published) and one read of the cache, not a render.

What a page holds for one visitor only never enters the cache: the page is rendered with
markers in place of the CSRF token, the Content-Security-Policy nonce and the address the
language switch comes back to, and every response, rendered or cached, gets this request's
values put in their place. A request that has messages to show (they are the visitor's own)
or a signed-in user renders afresh and stores nothing.

An entry is kept under the page's address, host, language and the view's own key parts (the
programme's filters), and holds the versions (conference.page_cache) it was rendered under: a
change of the programme, or of who takes part for a page that shows it, raises a version, and
the next request renders afresh. Figures no version follows (places left) lag by the entry's
lifetime at most, page_cache_seconds, which also ends it before a boundary in time."""

import hashlib
import re
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

from conference.page_cache import page_versions_read
from config.cache_safety import without_cache_if_down


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
    versions: tuple[str, ...]
    # The body cut at its markers: text, marker, text, marker, …, text.
    pieces: tuple[bytes, ...]
    markers: PageMarkers
    content_type: str


@dataclass(frozen=True)
class PageKey:
    """Where a page is kept: `parts` select its content beyond its address (the filters)."""

    conference_id: int
    parts: tuple[str, ...] = ()
    # Whether the page shows who takes part (the network's version).
    network: bool = False

    def key(self, request: HttpRequest) -> str:
        # The host is in the page (the calendar links), the address names the page and its
        # language.
        address = "\n".join([request.get_host(), request.path, get_language(), *self.parts])
        digest = hashlib.sha256(address.encode()).hexdigest()[:32]
        return f"page:{self.conference_id}:{digest}"


def page_is_personal(request: HttpRequest) -> bool:
    """Whether the page would show this visitor something of their own: messages (counting
    them does not mark them shown) or, for a signed-in user, whatever a template may add."""
    return bool(len(get_messages(request))) or request.user.is_authenticated


def cached_page_response(
    request: HttpRequest,
    *,
    keys: Sequence[PageKey | Callable[[], PageKey]],
    timeout: Callable[[], int],
    render: Callable[[PageMarkers], HttpResponse],
) -> HttpResponse:
    """The page kept under the first of `keys` if cached under the current versions, else
    `render`ed (with the markers in its context) and stored for `timeout()` seconds; with this
    request's values in place either way.

    `keys` after the first are callables, tried in turn when the one before is missing: a view
    may ask first under the key the request names (the filters as given) and work out the key
    it must be kept under (the filters that are valid) only then. The last is the one a render
    is stored under."""
    if page_is_personal(request):
        return _response(request, _rendered(render, versions=()))
    tried = None
    for key_or_callable in keys:
        page_key = key_or_callable() if callable(key_or_callable) else key_or_callable
        key = page_key.key(request)
        if key == tried:  # the same entry, missing a moment ago
            continue
        tried = key
        versions, found = page_versions_read(
            page_key.conference_id, network=page_key.network, entry_keys=[key]
        )
        page = found.get(key)
        if page is not None and page.versions == versions:
            return _response(request, page)
    page = _rendered(render, versions=versions)
    _page_keep(key, page, timeout())
    return _response(request, page)


@without_cache_if_down("a page kept", default=lambda: None)
def _page_keep(key: str, page: "CachedPage", timeout: int) -> None:
    cache.set(key, page, timeout)


def _rendered(render: Callable[[PageMarkers], HttpResponse], *, versions) -> CachedPage:
    markers = PageMarkers.drawn()
    response = render(markers)
    if isinstance(response, SimpleTemplateResponse):
        response.render()
    pattern = b"(" + b"|".join(re.escape(marker.encode()) for marker in _markers(markers)) + b")"
    return CachedPage(
        versions=versions,
        pieces=tuple(re.split(pattern, response.content)),
        markers=markers,
        content_type=response["Content-Type"],
    )


def _markers(markers: PageMarkers) -> list[str]:
    return [markers.csrf_token, markers.csp_nonce, markers.language_switch_next]


def _response(request: HttpRequest, page: CachedPage) -> HttpResponse:
    markers = page.markers
    values: dict[bytes, bytes] = {}
    # Each asked for only when the page prints it: the nonce is then named by the policy, the
    # CSRF cookie set, as when the page is rendered.
    for marker in set(page.pieces[1::2]):
        if marker == markers.csrf_token.encode():
            values[marker] = get_token(request).encode()
        elif marker == markers.csp_nonce.encode():
            values[marker] = str(request.csp_nonce).encode()  # type: ignore[attr-defined]
        else:
            values[marker] = escape(request.get_full_path()).encode()
    body = b"".join(
        piece if position % 2 == 0 else values[piece] for position, piece in enumerate(page.pieces)
    )
    return HttpResponse(body, content_type=page.content_type)
