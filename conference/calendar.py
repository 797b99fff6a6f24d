"""iCalendar (RFC 5545) documents for the conference, using the icalendar package."""

from collections.abc import Iterable
from datetime import date, timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from icalendar import Calendar, Event, vCalAddress, vDuration, vText

from conference.models import Conference, Session

# How often calendar apps that subscribe to a feed should fetch it again.
FEED_REFRESH_INTERVAL = timedelta(hours=1)


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


def session_location(session: Session) -> str:
    """Where the session takes place, as a calendar app or a map search wants it."""
    room = session.room  # None, without a query, when the session has no room
    if room is not None:
        return f"{room.name}, {room.venue.full_address}"
    return session.location


def _session_description(session: Session) -> str:
    parts = [session.description.strip()] if session.description.strip() else []
    speakers = [
        ", ".join(part for part in (speaker.full_name, speaker.role, speaker.organisation) if part)
        for speaker in session.speakers.all()
    ]
    if speakers:
        parts.append(gettext("Speakers:") + "\n" + "\n".join(speakers))
    parts.append(session.interpretation_summary())
    return "\n\n".join(parts)


def session_event(session: Session) -> Event:
    """One session. Its UID never changes and its SEQUENCE rises when it moves, so a calendar
    that already holds it (from an email, the programme or an agenda feed) updates it in place.
    Times carry the conference's time zone, which the calendar must define in a VTIMEZONE."""
    tz = session.conference.tzinfo
    event = Event()
    event.add("uid", f"session-{session.pk}@{site_domain()}")
    event.add("sequence", session.sequence)
    event.add("dtstamp", timezone.now())
    event.add("dtstart", timezone.localtime(session.starts_at, tz))
    event.add("dtend", timezone.localtime(session.ends_at, tz))
    event.add("summary", session.title)
    location = session_location(session)
    if location:
        event.add("location", location)
    event.add("description", _session_description(session))
    event.add("categories", [str(session.get_kind_display())])
    event.add(
        "url",
        settings.SITE_URL
        + reverse("conference:session", kwargs={"slug": session.conference.slug, "pk": session.pk}),
    )
    return event


def calendar_ics(
    conference: Conference, events: Iterable[Event], *, name: str, feed: bool = False
) -> bytes:
    """A calendar of `events` in the conference's time zone, with the VTIMEZONE they need.
    A feed also tells subscribing apps how often to fetch it again."""
    calendar = _calendar(method="PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", conference.time_zone)
    if feed:
        interval = vDuration(FEED_REFRESH_INTERVAL)
        calendar.add("refresh-interval", interval, parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", interval)
    for event in events:
        calendar.add_component(event)
    # The time zone's rules for the years around the conference are enough, and keep it short.
    calendar.add_missing_timezones(
        first_date=date(conference.start_date.year - 1, 1, 1),
        last_date=date(conference.end_date.year + 2, 1, 1),
    )
    # Some clients read the time zones only if they come before the events that use them.
    calendar.subcomponents.sort(key=lambda component: component.name != "VTIMEZONE")
    return calendar.to_ical()


def programme_sessions(conference: Conference) -> QuerySet[Session]:
    """The sessions a calendar of the programme shows, with what their events print."""
    return (
        conference.sessions.exclude(kind=Session.Kind.BREAK)
        .select_related("conference", "room__venue")
        .prefetch_related("speakers")
        .order_by("starts_at", "room__position", "title")
    )


def programme_ics(conference: Conference) -> bytes:
    return calendar_ics(
        conference,
        (session_event(session) for session in programme_sessions(conference)),
        name=conference.name,
        feed=True,
    )


def session_ics(session: Session) -> bytes:
    return calendar_ics(session.conference, [session_event(session)], name=session.title)
