"""Lets conference pages show where registration and session sign-up stand without the conference
app knowing about registrations."""

from collections.abc import Iterable

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
    """What `session_places` prints, for every session of a page that needs sign-up, by id, in
    one query: `{% session_places_badges sessions as places %}`. A page of many sessions shows
    few different badges: each is rendered once."""
    badges: dict[tuple[bool, int | None], SafeString] = {}
    by_session = {}
    for session_id, availability in session_availability(sessions).items():
        # What the badge's template reads of the availability.
        shown = (availability.is_full, availability.places_left)
        if shown not in badges:
            badges[shown] = SafeString(
                render_to_string(
                    "registrations/session_places.html", {"availability": availability}
                )
            )
        by_session[session_id] = badges[shown]
    return by_session
