"""Placeholders organisers may use in a message to many delegates, filled in for each."""

import re

from registrations.models import Registration

# Placeholders organisers may use in a message, filled in for each delegate.
BULK_PLACEHOLDERS = {
    "first_name": lambda registration: registration.first_name,
    "last_name": lambda registration: registration.last_name,
    "reference": lambda registration: registration.reference,
    "authority": lambda registration: registration.authority.name,
    "conference": lambda registration: registration.conference.name,
}

PERSONAL_LINK_PLACEHOLDER = "personal_link"

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def bulk_placeholders_unknown(text: str) -> set[str]:
    known = {*BULK_PLACEHOLDERS, PERSONAL_LINK_PLACEHOLDER}
    return {name for name in _PLACEHOLDER.findall(text) if name not in known}


def bulk_text_render(text: str, *, registration: Registration, personal_link: str) -> str:
    """The text with each {placeholder} filled in for this delegate; other braces stay."""

    def fill(match: re.Match) -> str:
        name = match.group(1)
        if name == PERSONAL_LINK_PLACEHOLDER:
            return personal_link
        if name in BULK_PLACEHOLDERS:
            return str(BULK_PLACEHOLDERS[name](registration))
        return match.group(0)

    return _PLACEHOLDER.sub(fill, text)
