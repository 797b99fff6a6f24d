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
lifetime at most, page_cache_seconds, which also ends it before a boundary in time.

A page missing under the current versions (retired by a change, or expired) is rendered once:
the first request to miss it takes a lock in the cache (for these versions) and renders; the
others asking meanwhile wait for its entry instead of each rendering the same page (a sync
worker each, at once). They never serve the entry of older versions while they wait: a change
shows at once, as without the lock. Should the renderer die, its lock expires after
RENDER_LOCK_SECONDS and the next to ask renders; a waiter waits no longer than that in all, then
renders itself. With the cache down, every request renders, as before."""

import hashlib
import secrets
import time
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

# How long the request rendering a retired page keeps the others waiting for it, at most: a
# cold render takes tens of milliseconds (a few hundred on a loaded machine); the lock is freed
# as soon as the page is stored, so this only matters if the renderer dies on the way.
RENDER_LOCK_SECONDS = 3
# A waiting request looks again after each of these pauses, then every last one: a render
# takes 20-100 ms, each look one small read of the cache.
RENDER_WAIT_PAUSES = (0.005, 0.01, 0.02, 0.03, 0.05)


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
    return _response(
        request, _rendered_once(page_key, key, versions, render=render, timeout=timeout)
    )


def _rendered_once(
    page_key: PageKey,
    key: str,
    versions: tuple[str, ...],
    *,
    render: Callable[[PageMarkers], HttpResponse],
    timeout: Callable[[], int],
) -> "CachedPage":
    """The page missing under `versions` at `key`: rendered and stored by this request if it is
    the first to take the render lock, else the entry the request holding it stores (waited
    for, RENDER_LOCK_SECONDS at most); rendered here if the versions change meanwhile and their
    lock is free, or the wait is over."""
    deadline = time.monotonic() + RENDER_LOCK_SECONDS
    pauses = iter(RENDER_WAIT_PAUSES)
    while True:
        lock = _render_lock_key(key, versions)
        if _render_lock_take(lock):
            try:
                # The renderer before may have stored the page and freed this lock between
                # this request's miss and its taking the lock: one read saves a render.
                _versions, found = page_versions_read(
                    page_key.conference_id, network=page_key.network, entry_keys=[key]
                )
                page = found.get(key)
                if page is not None and page.versions == versions:
                    return page
                return _rendered_kept(key, versions, render=render, timeout=timeout)
            finally:
                _render_lock_free(lock)
        # Another request renders this page: wait until its lock is gone (stored, or expired).
        while _render_lock_held(lock):
            if time.monotonic() >= deadline:
                return _rendered_kept(key, versions, render=render, timeout=timeout)
            time.sleep(next(pauses, RENDER_WAIT_PAUSES[-1]))
        versions, found = page_versions_read(
            page_key.conference_id, network=page_key.network, entry_keys=[key]
        )
        page = found.get(key)
        if page is not None and page.versions == versions:
            return page
        if time.monotonic() >= deadline:
            return _rendered_kept(key, versions, render=render, timeout=timeout)


def _rendered_kept(
    key: str,
    versions: tuple[str, ...],
    *,
    render: Callable[[PageMarkers], HttpResponse],
    timeout: Callable[[], int],
) -> "CachedPage":
    page = _rendered(render, versions=versions)
    _page_keep(key, page, timeout())
    return page


def _render_lock_key(key: str, versions: tuple[str, ...]) -> str:
    # Per versions: a change while a page renders has a render of its own.
    return f"{key}:render:{hashlib.sha256(':'.join(versions).encode()).hexdigest()[:16]}"


@without_cache_if_down("a page's render lock taken", default=lambda: True)
def _render_lock_take(lock: str) -> bool:
    return cache.add(lock, 1, timeout=RENDER_LOCK_SECONDS)


@without_cache_if_down("a page's render lock read", default=lambda: False)
def _render_lock_held(lock: str) -> bool:
    return cache.get(lock) is not None


@without_cache_if_down("a page's render lock freed", default=lambda: None)
def _render_lock_free(lock: str) -> None:
    # Not checked to be this request's own: a render that outlived the lock frees the next
    # renderer's, which costs at most one more render, never a page of other versions.
    cache.delete(lock)


@without_cache_if_down("a page kept", default=lambda: None)
def _page_keep(key: str, page: "CachedPage", timeout: int) -> None:
    cache.set(key, page, timeout)


def _rendered(render: Callable[[PageMarkers], HttpResponse], *, versions) -> CachedPage:
    markers = PageMarkers.drawn()
    response = render(markers)
    if isinstance(response, SimpleTemplateResponse):
        response.render()
    return CachedPage(
        versions=versions,
        pieces=_cut_at_markers(response.content, [m.encode() for m in _markers(markers)]),
        markers=markers,
        content_type=response["Content-Type"],
    )


def _cut_at_markers(content: bytes, markers: list[bytes]) -> tuple[bytes, ...]:
    """`content` cut at each of `markers` (which cannot overlap: each holds the same random
    stem once): text, marker, text, …, text, as re.split with the markers as one captured
    alternative gives it, a tenth of its cost on a page of 800 kB (bytes.find for each, one
    copy)."""
    found = []
    for marker in markers:
        at = content.find(marker)
        while at != -1:
            found.append((at, marker))
            at = content.find(marker, at + len(marker))
    found.sort()
    pieces: list[bytes] = []
    start = 0
    for at, marker in found:
        pieces += (content[start:at], marker)
        start = at + len(marker)
    pieces.append(content[start:])
    return tuple(pieces)


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
