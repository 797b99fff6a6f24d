"""The map of the authorities taking part, on the conference's home page, without the
conference app knowing about registrations."""

from django import template

from conference.models import Conference
from registrations.network_map.selectors import (
    network_map,
    network_summary,
    participating_authorities,
)

register = template.Library()


@register.inclusion_tag("registrations/network_map/_home.html")
def network_map_section(conference: Conference) -> dict:
    # No confirmed delegate yet (the conference's counter): nothing to ask the database.
    if not conference.confirmed_count:
        return {"map": None}
    authorities = list(participating_authorities(conference))
    return {
        "conference": conference,
        "summary": network_summary(authorities),
        "map": network_map(authorities) if authorities else None,
    }
