"""iCalendar (RFC 5545) documents for the conference, using the icalendar package."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

from conference.models import Conference


def _calendar(method: str | None = None) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", "-//Conference registration//EN")
    calendar.add("version", "2.0")
    if method:
        calendar.add("method", method)
    return calendar


def site_domain() -> str:
    """The host name of SITE_URL, for identifiers that must be globally unique."""
    return settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "localhost"


def conference_event(conference: Conference) -> Event:
    """The whole conference as one all-day event spanning its days."""
    event = Event()
    event.add("uid", f"conference-{conference.slug}@{site_domain()}")
    event.add("dtstamp", timezone.now())
    event.add("summary", conference.name)
    event.add("dtstart", conference.start_date)
    # DTEND of an all-day event is exclusive: the day after the last day.
    event.add("dtend", conference.end_date + timedelta(days=1))
    event.add("location", vText(conference.venue.full_address))
    if conference.tagline:
        event.add("description", conference.tagline)
    event.add("url", settings.SITE_URL + conference.get_absolute_url())
    organizer = vCalAddress(f"mailto:{conference.contact_email}")
    organizer.params["cn"] = vText(conference.organiser or conference.name)
    event.add("organizer", organizer)
    return event


def conference_ics(conference: Conference) -> bytes:
    calendar = _calendar(method="PUBLISH")
    calendar.add_component(conference_event(conference))
    return calendar.to_ical()
