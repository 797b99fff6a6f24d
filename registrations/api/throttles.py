"""Rate limits: per token for organisers' systems, per client address for the public part."""

from rest_framework.throttling import SimpleRateThrottle

from config.client_ip import client_ip
from registrations.models import ApiToken


class TokenRateThrottle(SimpleRateThrottle):
    scope = "api-token"

    def get_cache_key(self, request, view) -> str | None:
        if not isinstance(request.auth, ApiToken):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}


class PublicRateThrottle(SimpleRateThrottle):
    scope = "api-public"

    def get_cache_key(self, request, view) -> str | None:
        # The client's address through the trusted proxies, as the site's other limits use.
        return self.cache_format % {"scope": self.scope, "ident": client_ip(request)}
