"""The personal agenda feed."""

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from registrations.access.agenda import agenda_feed


@require_safe
def agenda_calendar(request: HttpRequest, token: str) -> HttpResponse:
    """The delegate's agenda; 410 Gone, with its events cancelled, at a retired address."""
    feed = agenda_feed(token=token)
    if feed is None:
        raise Http404
    response = HttpResponse(
        feed.ics, content_type="text/calendar; charset=utf-8", status=410 if feed.gone else 200
    )
    filename = f"{feed.registration.conference.slug}.ics"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    return response
