"""Rate limits on the public writes: every POST counts, per client (config.client_ip, through
django-ratelimit's "ip" key) and per email address where there is one, at the rates named in
settings.RATE_LIMITS; over a limit, a 429 page in the site's look and language."""

from typing import ClassVar

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views import View
from django_ratelimit.core import is_ratelimited

from registrations.places.registrations import email_normalise


def rate_limited(request: HttpRequest, group: str, *, email: str = "") -> bool:
    """Count this request against the group's limits; whether it is over one of them."""
    limits = settings.RATE_LIMITS
    checks: list[tuple[str, object]] = [(group, "ip")]
    address = email_normalise(email)
    if address and f"{group}:email" in limits:
        checks.append((f"{group}:email", lambda _group, _request: address))
    # Every limit counts the request, even once another refused it: a client over its own
    # limit cannot go on spending the budget of the addresses it tries.
    over = [
        is_ratelimited(
            request, group=name, key=key, rate=limits[name], method="POST", increment=True
        )
        for name, key in checks
    ]
    return any(over)


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
