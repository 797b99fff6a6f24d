"""Lets conference pages show where registration and session sign-up stand without the conference
app knowing about registrations."""

from collections.abc import Iterable
from dataclasses import dataclass

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from conference.models import Session
from registrations.places.selectors import (
    registration_availability,
    session_availability,
)

register = template.Library()


@register.inclusion_tag("registrations/registration_status.html")
def registration_status(conference):
    return {
        "conference": conference,
        "availability": registration_availability(conference=conference),
    }


@register.inclusion_tag("registrations/session_places.html")
def session_places(session: Session):
    """ "12 places left", "Waiting list", or nothing when the session needs no sign-up or has no
    limit; for one session (a page of many uses `session_places_badges`)."""
    return {"availability": session_availability([session]).get(session.pk)}


@register.simple_tag
def session_places_badges(sessions: Iterable[Session]) -> dict[int, SafeString]:
    """What `session_places` prints, for every session of a page that needs sign-up, by id,
    without a query: `{% session_places_badges sessions as places %}`. The places booked are the
    session's counter (Session.places_booked, kept by the booking services with the bookings
    and checked against them by place_counts_check), which the sessions read for the page
    carry; counting the bookings of a few hundred sessions was a sixth of the programme's
    render. A page of many sessions shows few different badges: each is rendered once."""
    badges: dict[int | None, SafeString] = {}
    by_session = {}
    for session in sessions:
        if not session.requires_sign_up:
            continue
        capacity = session.effective_capacity
        places_left = None if capacity is None else max(capacity - session.places_booked, 0)
        if places_left not in badges:
            badges[places_left] = SafeString(
                render_to_string(
                    "registrations/session_places.html",
                    {"availability": _PlacesLeft(places_left=places_left)},
                )
            )
        by_session[session.pk] = badges[places_left]
    return by_session


@dataclass(frozen=True)
class _PlacesLeft:
    """What registrations/session_places.html reads of a session's availability
    (registrations.places.selectors.SessionAvailability, whose waiting count needs a query)."""

    places_left: int | None

    @property
    def is_full(self) -> bool:
        return self.places_left == 0
