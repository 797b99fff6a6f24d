"""Staff sign-in: the page a login locked out by axes gets (the login page itself is
two-factor's, served by the admin site: admin_site.py)."""

from axes.helpers import get_cool_off
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict | None
) -> HttpResponse:
    """Axes's answer to a locked-out login (AXES_LOCKOUT_CALLABLE): 429, in the site's look and
    language, saying how long to wait; never echoing the name tried, which may be another's."""
    cool_off = get_cool_off(request)
    minutes = int(cool_off.total_seconds() // 60) if cool_off else 0
    return render(request, "registrations/lockout.html", {"minutes": minutes}, status=429)
