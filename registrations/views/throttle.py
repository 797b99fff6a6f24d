"""Rate limits on the public writes: every POST counts, per client (config.client_ip, through
django-ratelimit's "ip" key) and per email address where there is one, at the rates named in
settings.RATE_LIMITS; over a limit, a 429 page in the site's look and language."""

from collections.abc import Callable
from typing import ClassVar

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views import View
from django_ratelimit import core as ratelimit
from django_ratelimit.core import is_ratelimited

from config.cache_safety import without_cache_if_down
from registrations.places.registrations import email_normalise


# Throttling is a guard, not a gate for delegates: with the cache down, requests go through.
@without_cache_if_down("rate limits counted", default=lambda: False)
def rate_limited(request: HttpRequest, group: str, *, email: str = "") -> bool:
    """Count this request against the group's limits; whether it is over one of them."""
    limits = settings.RATE_LIMITS
    checks: list[tuple[str, str | Callable]] = [(group, "ip")]
    address = email_normalise(email)
    if address and f"{group}:email" in limits:
        checks.append((f"{group}:email", lambda _group, _request: address))
    cache = caches[getattr(settings, "RATELIMIT_USE_CACHE", "default")]
    if (
        isinstance(cache, RedisCache)
        and request.method == "POST"
        and getattr(settings, "RATELIMIT_ENABLE", True)
    ):
        return _redis_rate_limited(
            request, cache, [(name, key, limits[name]) for name, key in checks]
        )
    # Every limit counts the request, even once another refused it: a client over its own
    # limit cannot go on spending the budget of the addresses it tries.
    over = [
        is_ratelimited(
            request, group=name, key=key, rate=limits[name], method="POST", increment=True
        )
        for name, key in checks
    ]
    return any(over)


def _redis_rate_limited(
    request: HttpRequest, cache: RedisCache, checks: list[tuple[str, str | Callable, str]]
) -> bool:
    """What is_ratelimited(increment=True) does for each limit (the same keys, windows,
    expiry and counts, which it reads back), in one round trip to Redis instead of two or
    three a limit: created at 0 if missing, then incremented."""
    # Django's Redis client (no public way to a pipeline); the stubs do not know it.
    client = cache._cache.get_client(write=True)  # type: ignore[attr-defined]
    pipeline = client.pipeline(transaction=False)
    limits = []
    for group, key, rate in checks:
        limit, period = ratelimit._split_rate(rate)
        value = key(group, request) if callable(key) else ratelimit._SIMPLE_KEYS[key](request)
        window = ratelimit._get_window(value, period)
        cache_key = cache.make_and_validate_key(
            ratelimit._make_cache_key(group, window, rate, value, "POST")
        )
        pipeline.set(cache_key, 0, ex=period + ratelimit.EXPIRATION_FUDGE, nx=True)
        pipeline.incr(cache_key)
        limits.append(limit)
    replies = pipeline.execute()
    counts = replies[1::2]
    return any(count > limit for count, limit in zip(counts, limits, strict=True))


def too_many_requests(request: HttpRequest) -> HttpResponse:
    return render(request, "registrations/too_many_requests.html", status=429)


class RateLimitMixin(View):
    """Refuses a POST over the group's limits before the handler runs. Mixed in after the
    mixins that find what the request is about, so that rate_limit_email() can use it."""

    rate_limit_group: ClassVar[str]

    def rate_limit_email(self) -> str:
        return ""

    def rate_limit_response(self) -> HttpResponse:
        return too_many_requests(self.request)

    def dispatch(self, request, *args, **kwargs):
        if request.method == "POST" and rate_limited(
            request, self.rate_limit_group, email=self.rate_limit_email()
        ):
            return self.rate_limit_response()
        return super().dispatch(request, *args, **kwargs)
