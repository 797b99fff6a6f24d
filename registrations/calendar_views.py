"""The delegate's personal agenda: a calendar feed at a secret address, which calendar apps
fetch without logging in. The token in the address is the only credential, so the response
must not be cached by proxies, indexed, or leaked through a Referer header."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from django.views.decorators.http import require_safe

from conference.calendar import calendar_ics, conference_event, session_event
from registrations.models import Registration, SessionBooking


def agenda_url(registration: Registration) -> str:
    """The absolute address of the delegate's agenda feed, for emails."""
    return settings.SITE_URL + reverse(
        "agenda_calendar", kwargs={"token": registration.agenda_token}
    )


def agenda_ics(registration: Registration) -> bytes:
    """The sessions the delegate holds a place in, with the same UID and SEQUENCE as everywhere
    else, and the conference itself once their place at it is confirmed."""
    conference = registration.conference
    bookings = (
        registration.bookings.filter(status=SessionBooking.Status.BOOKED)
        .select_related("session__conference", "session__room__venue")
        .prefetch_related("session__speakers")
        .order_by("session__starts_at", "session__pk")
    )
    events = [session_event(booking.session) for booking in bookings]
    if registration.status == Registration.Status.CONFIRMED:
        events.insert(0, conference_event(conference))
    name = gettext("My agenda – %(conference)s") % {"conference": conference.name}
    return calendar_ics(conference, events, name=name, feed=True)


@require_safe
def agenda_calendar(request: HttpRequest, token: str) -> HttpResponse:
    registration = get_object_or_404(
        Registration.objects.active().select_related("conference__venue"),
        agenda_token=token,
    )
    # The address has no language prefix: the feed speaks the delegate's language.
    with translation.override(registration.preferred_language):
        content = agenda_ics(registration)
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{registration.conference.slug}.ics"'
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    return response
