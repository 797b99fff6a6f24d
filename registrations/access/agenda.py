"""A delegate's personal agenda: the address of its calendar feed, and the feed."""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext

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
