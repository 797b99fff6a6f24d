"""A delegate's personal agenda: the address of its calendar feed, the feed, and the addresses
it no longer answers at.

The address carries a secret token. It changes with the delegate's email address (the old one
went to someone who may no longer speak for them) and is retired by cancellation and erasure.
A retired address answers 410 Gone with the events it last held, cancelled (same UIDs, a
higher SEQUENCE), so that the calendar apps subscribed to it drop them."""

import hashlib
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from icalendar import Event

from conference.calendar import (
    calendar_ics,
    conference_event,
    session_event,
    session_location,
    site_domain,
)
from conference.models import Session
from registrations.models import (
    MeetingRequest,
    Registration,
    RetiredAgendaFeed,
    SessionBooking,
    new_agenda_token,
)


def agenda_url(registration: Registration) -> str:
    """The absolute address of the delegate's agenda feed, for emails."""
    return settings.SITE_URL + reverse(
        "agenda_calendar", kwargs={"token": registration.agenda_token}
    )


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _agenda_name(registration: Registration) -> str:
    return gettext("My agenda – %(conference)s") % {"conference": registration.conference.name}


def _sessions(session_ids) -> list[Session]:
    return list(
        Session.objects.filter(pk__in=session_ids)
        .select_related("conference", "room__venue")
        .prefetch_related("speakers")
        .order_by("starts_at", "pk")
    )


def _booked_session_ids(registration: Registration) -> list[int]:
    return list(
        registration.bookings.filter(status=SessionBooking.Status.BOOKED).values_list(
            "session_id", flat=True
        )
    )


def _meeting_events(registration: Registration) -> list[Event]:
    """The meetings the delegate agreed with another delegate, at their break: the other's name
    and authority, never their address. A meeting leaves the feed once cancelled, or once
    either of them is no longer a confirmed delegate."""
    meetings = (
        MeetingRequest.objects.filter(
            Q(sender=registration) | Q(recipient=registration),
            status=MeetingRequest.Status.ACCEPTED,
            slot__isnull=False,
            sender__status=Registration.Status.CONFIRMED,
            recipient__status=Registration.Status.CONFIRMED,
        )
        .select_related("sender__authority", "recipient__authority", "slot__room__venue")
        .order_by("slot__starts_at", "pk")
    )
    tz = registration.conference.tzinfo
    events = []
    for meeting in meetings:
        slot = meeting.slot
        assert slot is not None  # filtered above
        other = meeting.recipient if meeting.sender_id == registration.pk else meeting.sender
        event = Event()
        event.add("uid", f"meeting-{meeting.pk}@{site_domain()}")
        event.add("dtstamp", timezone.now())
        event.add("dtstart", timezone.localtime(slot.starts_at, tz))
        event.add("dtend", timezone.localtime(slot.ends_at, tz))
        event.add(
            "summary",
            gettext("Meeting with %(name)s (%(authority)s)")
            % {"name": other.full_name, "authority": other.authority.name},
        )
        location = session_location(slot)
        if location:
            event.add("location", location)
        event.add("description", f"{slot.title}\n\n{meeting.message}")
        events.append(event)
    return events


def agenda_ics(registration: Registration) -> bytes:
    """The sessions the delegate holds a place in, with the same UID and SEQUENCE as everywhere
    else, the conference itself once their place at it is confirmed, and the meetings they
    agreed with other delegates."""
    events = [session_event(session) for session in _sessions(_booked_session_ids(registration))]
    if registration.status == Registration.Status.CONFIRMED:
        events.insert(0, conference_event(registration.conference))
        events.extend(_meeting_events(registration))
    return calendar_ics(registration.conference, events, name=_agenda_name(registration), feed=True)


def _cancelled(event: Event) -> Event:
    sequence = int(event.pop("sequence", 0))
    event.add("sequence", sequence + 1)
    event.add("status", "CANCELLED")
    return event


def retired_agenda_ics(feed: RetiredAgendaFeed) -> bytes:
    """What a retired address answers: a valid calendar in which every event it last held is
    cancelled."""
    registration = feed.registration
    events = [session_event(session) for session in _sessions(feed.session_ids)]
    if feed.had_conference:
        events.insert(0, conference_event(registration.conference))
    return calendar_ics(
        registration.conference,
        [_cancelled(event) for event in events],
        name=_agenda_name(registration),
        feed=True,
    )


def agenda_feed_retire(
    *, registration: Registration, new_address: bool, now: datetime | None = None
) -> None:
    """Retire the delegate's feed address, recording the events it held. Called inside the
    change that retires it (a new email, cancellation, rejection, erasure), before the bookings
    change. With `new_address` (a delegate who stays) the registration gets a new token;
    otherwise it keeps its token, which from then on opens only the retired feed: changing it
    would update a unique column, which takes a stronger row lock than cancelling does
    (places.locking) and would deadlock with the bookings of others that reference the row."""
    RetiredAgendaFeed.objects.get_or_create(
        token_hash=_token_hash(registration.agenda_token),
        defaults={
            "registration": registration,
            "session_ids": _booked_session_ids(registration) if registration.is_active else [],
            "had_conference": registration.status == Registration.Status.CONFIRMED,
            "retired_at": now or timezone.now(),
        },
    )
    if new_address:
        registration.agenda_token = new_agenda_token()
        # An update, not save(): the token is no part of the registration's history.
        Registration.objects.filter(pk=registration.pk).update(
            agenda_token=registration.agenda_token
        )


def agenda_feed_unretire(*, registration: Registration) -> None:
    """A cancelled registration reinstated: its address opens the live feed again, and a later
    retirement records the events of then, not those of the first."""
    RetiredAgendaFeed.objects.filter(
        registration=registration, token_hash=_token_hash(registration.agenda_token)
    ).delete()


@dataclass(frozen=True)
class AgendaFeed:
    """What an agenda address answers: the calendar, and whether the address is gone."""

    registration: Registration
    ics: bytes
    gone: bool


def agenda_feed(*, token: str) -> AgendaFeed | None:
    """The calendar at the address with this token, in the delegate's language (the address
    has no language prefix); None if no address ever had it."""
    registration = (
        Registration.objects.select_related("conference__venue").filter(agenda_token=token).first()
    )
    # An inactive registration's token opens its retired feed, if it has one.
    if registration is not None and registration.is_active:
        with translation.override(registration.preferred_language):
            return AgendaFeed(registration, agenda_ics(registration), gone=False)
    retired = (
        RetiredAgendaFeed.objects.select_related("registration__conference__venue")
        .filter(token_hash=_token_hash(token))
        .first()
    )
    if retired is None:
        return None
    registration = retired.registration
    with translation.override(registration.preferred_language):
        return AgendaFeed(registration, retired_agenda_ics(retired), gone=True)
