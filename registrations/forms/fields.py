"""Fields and validators the delegate forms share."""

import unicodedata

from crispy_forms.layout import HTML
from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from conference.models import Session
from registrations.models import Authority
from registrations.places.selectors import SessionAvailability

# Besides letters and combining marks (any script), names may hold these.
NAME_PUNCTUATION = set(" -'’.")


def validate_person_name(value: str) -> None:
    """Names in any script — Łukasz, Σοφία, Jean-Noël O’Neill — but no digits or symbols."""
    for char in value:
        if char in NAME_PUNCTUATION:
            continue
        if unicodedata.category(char)[0] not in ("L", "M"):
            raise ValidationError(
                _("Use letters only (any alphabet), with spaces, hyphens or apostrophes."),
                code="invalid_name",
            )


class AuthorityChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Authority) -> str:
        return f"{obj.name} — {obj.country.name}"


class SessionChoiceField(forms.ModelMultipleChoiceField):
    """Sessions to sign up for, each labelled with its time, room and places left."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.availability: dict[int, SessionAvailability] = {}

    def label_from_instance(self, session: Session) -> str:
        start = timezone.localtime(session.starts_at, session.conference.tzinfo)
        end = timezone.localtime(session.ends_at, session.conference.tzinfo)
        place = session.room.name if session.room else session.location
        when = f"{date_format(start, 'D j M')} {start:%H:%M}–{end:%H:%M}"
        availability = self.availability.get(session.pk)
        if availability is None or availability.places_left is None:
            status = ""
        elif availability.is_full:
            status = gettext("full: waiting list")
        else:
            status = ngettext(
                "%(count)d place left", "%(count)d places left", availability.places_left
            ) % {"count": availability.places_left}
        parts = [when, session.title, place, status]
        return " · ".join(part for part in parts if part)


def privacy_link() -> HTML:
    return HTML(
        format_html(
            '<p><a href="{}" target="_blank" rel="noopener">{}</a></p>',
            reverse("registrations:privacy"),
            _("Read the privacy notice (opens in a new tab)"),
        )
    )
