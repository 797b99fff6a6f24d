"""Rate limits: per token for organisers' systems, per client address for the public part."""

from rest_framework.throttling import SimpleRateThrottle

from config.cache_safety import without_cache_if_down
from config.client_ip import client_ip
from registrations.models import ApiToken


class CacheTolerantThrottle(SimpleRateThrottle):
    """A limit counted in the shared cache that lets requests through while the cache is
    down, as the site's own limits do (registrations.views.throttle)."""

    @without_cache_if_down("API rate limits counted", default=lambda: True)
    def allow_request(self, request, view) -> bool:
        return super().allow_request(request, view)


class TokenRateThrottle(CacheTolerantThrottle):
    scope = "api-token"

    def get_cache_key(self, request, view) -> str | None:
        if not isinstance(request.auth, ApiToken):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}


class PublicRateThrottle(CacheTolerantThrottle):
    scope = "api-public"

    def get_cache_key(self, request, view) -> str | None:
        # The client's address through the trusted proxies, as the site's other limits use.
        return self.cache_format % {"scope": self.scope, "ident": client_ip(request)}
