"""A page retired or expired is rendered once, not by every request asking for it before the
first render is stored (conference.cached_pages): the others wait for that render, never serve
the page of older versions, render themselves once a dead renderer's lock expires, and all
render when the cache is down. Against the in-process cache and against Redis, as in
production."""

import threading
import time
import uuid

import pytest
import redis
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.test import RequestFactory

from conference import cached_pages, page_cache
from conference.cached_pages import PageKey, cached_page_response


@pytest.fixture(
    params=[
        "locmem",
        pytest.param("redis", marks=[pytest.mark.services, pytest.mark.django_db]),
    ]
)
def shared_cache(request, settings):
    """The cache the pages are kept in: the in-process one, or Redis under a key prefix of this
    test's own, deleted afterwards."""
    if request.param == "locmem":
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                "LOCATION": f"render-once-{uuid.uuid4().hex}",
            }
        }
        yield settings
        return
    prefix = f"{settings.REDIS_KEY_PREFIX}render-once-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": settings.REDIS_URL,
            "KEY_PREFIX": prefix,
        }
    }
    yield settings
    server = redis.Redis.from_url(settings.REDIS_URL)
    for key in server.scan_iter(f"{prefix}:*"):
        server.delete(key)
    server.close()


class Renders:
    """A page's render: counted, taking `seconds`, saying which render it was."""

    def __init__(self, seconds: float = 0.0) -> None:
        self.seconds = seconds
        self.count = 0
        self.lock = threading.Lock()

    def __call__(self, markers) -> HttpResponse:
        with self.lock:
            self.count += 1
            number = self.count
        time.sleep(self.seconds)
        return HttpResponse(f"render {number}".encode())


CONFERENCE_ID = 4242
PAGE = PageKey(CONFERENCE_ID)


def ask(renders) -> HttpResponse:
    request = RequestFactory().get("/programme/")
    request.user = AnonymousUser()
    return cached_page_response(request, keys=[PAGE], timeout=lambda: 30, render=renders)


def retire() -> None:
    page_cache._version_new(page_cache._version_key(CONFERENCE_ID))


def at_once(count: int, renders) -> list[bytes]:
    """`count` requests for the page from as many threads, let go together."""
    start = threading.Barrier(count)
    bodies: list[bytes] = []

    def one() -> None:
        start.wait()
        bodies.append(ask(renders).content)

    threads = [threading.Thread(target=one) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    return bodies


def test_retired_page_asked_for_at_once_rendered_once(shared_cache):
    assert ask(Renders()).content == b"render 1"
    retire()
    # Each render takes long enough that all six ask before the first is stored.
    renders = Renders(seconds=0.3)

    bodies = at_once(6, renders)

    assert renders.count == 1
    assert bodies == [b"render 1"] * 6
    # Then kept: no more renders.
    assert ask(renders).content == b"render 1"
    assert renders.count == 1


def test_page_never_rendered_asked_for_at_once_rendered_once(shared_cache):
    renders = Renders(seconds=0.3)

    assert at_once(4, renders) == [b"render 1"] * 4
    assert renders.count == 1


def test_a_request_waiting_for_a_render_does_not_serve_it_once_the_page_changed(
    shared_cache, monkeypatch
):
    """The first request renders the page as it was; a change comes while the second waits for
    that render: the second renders the page anew instead of serving the first's."""
    waiting = threading.Event()
    take = cached_pages._render_lock_take

    def observed_take(lock: str) -> bool:
        taken = take(lock)
        if not taken:
            waiting.set()
        return taken

    monkeypatch.setattr(cached_pages, "_render_lock_take", observed_take)
    rendering, finish = threading.Event(), threading.Event()
    renders = Renders()

    def first_render(markers) -> HttpResponse:
        rendering.set()
        assert finish.wait(timeout=10)
        return renders(markers)

    first = threading.Thread(target=ask, args=(first_render,))
    first.start()
    assert rendering.wait(timeout=10)
    second_body: list[bytes] = []
    second = threading.Thread(target=lambda: second_body.append(ask(renders).content))
    second.start()
    assert waiting.wait(timeout=10)

    retire()
    finish.set()
    first.join(timeout=10)
    second.join(timeout=10)

    assert renders.count == 2
    assert second_body == [b"render 2"]


def test_a_page_stored_between_the_miss_and_the_lock_is_served_not_rendered_again(
    shared_cache, monkeypatch
):
    """Another request stored the page and freed its lock right after this one missed it:
    this one takes the lock, finds the page and serves it."""
    take = cached_pages._render_lock_take

    def after_another_render(lock: str) -> bool:
        monkeypatch.setattr(cached_pages, "_render_lock_take", take)
        assert ask(Renders()).content == b"render 1"  # the other request, start to end
        return take(lock)

    monkeypatch.setattr(cached_pages, "_render_lock_take", after_another_render)
    renders = Renders()

    assert ask(renders).content == b"render 1"
    assert renders.count == 0


def test_a_dead_renderers_lock_expires_and_the_next_request_renders(shared_cache, monkeypatch):
    monkeypatch.setattr(cached_pages, "RENDER_LOCK_SECONDS", 1)
    request = RequestFactory().get("/programme/")
    versions, _found = page_cache.page_versions_read(CONFERENCE_ID, network=False, entry_keys=[])
    # Taken by a process killed while it rendered: never freed.
    assert cached_pages._render_lock_take(
        cached_pages._render_lock_key(PAGE.key(request), versions)
    )
    renders = Renders()

    started = time.monotonic()
    body = ask(renders).content
    waited = time.monotonic() - started

    assert body == b"render 1"
    assert renders.count == 1
    assert 0.9 <= waited < 3


def test_a_render_that_fails_frees_its_lock(shared_cache, monkeypatch):
    monkeypatch.setattr(cached_pages, "RENDER_LOCK_SECONDS", 5)

    def failing(markers) -> HttpResponse:
        raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError):
        ask(failing)
    renders = Renders()
    started = time.monotonic()

    assert ask(renders).content == b"render 1"
    assert time.monotonic() - started < 2


def test_with_the_cache_down_every_request_renders(settings):
    # Nothing listens on port 1: every cache call fails at once.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    renders = Renders()
    started = time.monotonic()

    bodies = [ask(renders).content for _ in range(3)]

    assert bodies == [b"render 1", b"render 2", b"render 3"]
    assert time.monotonic() - started < 2
