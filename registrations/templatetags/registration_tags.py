"""Lets conference pages show where registration stands without the conference app knowing
about registrations."""

from django import template

from registrations.selectors import registration_availability

register = template.Library()


@register.inclusion_tag("registrations/registration_status.html")
def registration_status(conference):
    return {
        "conference": conference,
        "availability": registration_availability(conference=conference),
    }
