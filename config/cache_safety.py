"""The shared cache (Redis in production) makes pages cheap and counts rate limits; it never
decides whether someone may register or an organiser may save. When it cannot be reached, its
callers go on without it: pages are rendered afresh, limits let requests through, and the
versions that would retire cached pages are not raised (every cached page expires within
conference.page_cache.PAGE_CACHE_SECONDS all the same).

After a failure, reads and writes that only save work leave the cache alone for RETRY_SECONDS:
a server that does not answer would otherwise cost every call its socket timeout, several to a
page. Raising a version, which tells every process that what it kept changed, is always tried."""

import functools
import logging
import time
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import redis

logger = logging.getLogger(__name__)

# What the cache's client raises when the server is down, unreachable or too slow.
CACHE_ERRORS: tuple[type[BaseException], ...] = (redis.exceptions.RedisError, OSError)

RETRY_SECONDS = 5.0
# With the cache down, every request would log: once a minute per process is enough.
LOG_EVERY_SECONDS = 60.0
_logged_at = -LOG_EVERY_SECONDS
_down_until = 0.0

P = ParamSpec("P")
R = TypeVar("R")


def cache_unavailable(what: str) -> None:
    """Say, at most once a minute per process, that `what` went on without the cache; leave
    the cache alone for RETRY_SECONDS."""
    global _logged_at, _down_until
    now = time.monotonic()
    _down_until = now + RETRY_SECONDS
    if now - _logged_at >= LOG_EVERY_SECONDS:
        _logged_at = now
        logger.warning("cache unavailable, %s without it", what, exc_info=True)


def without_cache_if_down(
    what: str, *, default: Callable[[], R], always_try: bool = False
) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Decorate a function that only reads or writes the cache: when the cache cannot be
    reached, it returns `default()` instead of raising; within RETRY_SECONDS of a failure it
    does so without trying, unless `always_try`."""

    def decorate(function: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(function)
        def tolerant(*args: P.args, **kwargs: P.kwargs) -> R:
            if not always_try and time.monotonic() < _down_until:
                return default()
            try:
                return function(*args, **kwargs)
            except CACHE_ERRORS:
                cache_unavailable(what)
                return default()

        return tolerant

    return decorate
