"""Fields and validators the delegate forms share."""

import functools
import re
import unicodedata
from collections.abc import Callable
from typing import Any

from crispy_forms.layout import HTML
from django import forms
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from conference.models import Session
from config.compiled_query import CompiledLookup, integer_mark
from registrations.authorities.selectors import authorities_for_choice
from registrations.models import Authority
from registrations.places.selectors import SessionAvailability, session_availability

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


# Control characters: none in a line of text, none but tabs and line breaks in a text area. NUL is
# left to Django's CharField, which refuses it with its own message.
LINE_CONTROL_CHARACTERS = re.compile(r"[\x01-\x1f\x7f-\x9f]")
TEXT_CONTROL_CHARACTERS = re.compile(r"[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
CONTROL_CHARACTERS_MESSAGE = _("Remove the invisible control characters from this text.")


def validate_line_of_text(value: str) -> None:
    if LINE_CONTROL_CHARACTERS.search(value):
        raise ValidationError(CONTROL_CHARACTERS_MESSAGE, code="control_characters")


def validate_text(value: str) -> None:
    if TEXT_CONTROL_CHARACTERS.search(value):
        raise ValidationError(CONTROL_CHARACTERS_MESSAGE, code="control_characters")


class PlainTextForm(forms.Form):
    """Its text fields refuse control characters, which nobody types and which would break what
    is made of the text later: email headers, badges, spreadsheets. Email addresses and names
    have validators of their own that refuse them already."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if not isinstance(field, forms.CharField) or isinstance(field, forms.EmailField):
                continue
            if validate_person_name in field.validators:
                continue
            multiline = isinstance(field.widget, forms.Textarea)
            field.validators.append(validate_text if multiline else validate_line_of_text)


def country_choices() -> list[tuple[str, str]]:
    """For a choice field's `choices`: called each time they are listed, so that the names
    follow the active language, and only then (a form sent in with the field empty never
    sorts the 250 names)."""
    return [("", "—"), *countries]


# The authority a form sent in names, read by SQL compiled once (config/compiled_query.py).
_authority_for_choice = CompiledLookup(
    lambda pk: authorities_for_choice().filter(pk=pk).order_by(), mark=integer_mark
)


class AuthorityChoiceField(forms.ModelChoiceField):
    # Set by a form whose queryset is authorities_for_choice(): the choice is read through
    # the compiled lookup of the same queryset.
    choice_lookup_compiled = False

    def label_from_instance(self, obj: Authority) -> str:
        return f"{obj.name} — {obj.country.name}"

    def to_python(self, value: Any) -> Authority | None:
        if not self.choice_lookup_compiled or not isinstance(value, str):
            return super().to_python(value)
        if value in self.empty_values:
            return None
        self.validate_no_null_characters(value)
        # What the queryset's get(pk=value) does with it: int(), a value out of the column's
        # range found nowhere.
        low, high = connection.ops.integer_field_range(Authority._meta.pk.get_internal_type())
        try:
            pk = int(value)
        except ValueError:
            pk = None
        authority = _authority_for_choice.get(pk) if pk is not None and low <= pk <= high else None
        if authority is None:
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )
        return authority


@functools.cache
def _no_sessions() -> QuerySet[Session]:
    return Session.objects.none()


class SessionChoiceField(forms.ModelMultipleChoiceField):
    """Sessions to sign up for, each labelled with its time, room and places left. The places
    are counted when the choices are first labelled (for the sessions in `offered`), not to
    validate a choice: a form sent in that is valid is never shown again."""

    # At class level: Django's __init__ reads the queryset before this one's runs.
    _offer: Callable[[], QuerySet[Session]] | None = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._offered: QuerySet[Session] = Session.objects.none()
        self._availability: dict[int, SessionAvailability] | None = None

    def offer(self, sessions: Callable[[], QuerySet[Session]]) -> None:
        """The sessions to choose from, built when first needed: a form sent in with none
        chosen never builds them (their querysets, half a millisecond a form)."""
        self._offer = sessions

    def _built(self) -> None:
        if self._offer is not None:
            offer, self._offer = self._offer, None
            offered = offer()
            # The conference's time zone labels the choices, which are read again when shown.
            self._set_queryset(offered.select_related("conference"))  # type: ignore[attr-defined]
            # Read, and their places counted, only if the choices are shown.
            self._offered = offered.all()

    def _get_queryset(self) -> QuerySet[Session] | None:
        self._built()
        return self._queryset  # type: ignore[attr-defined]

    # Django's property, whose getter builds the offer first (the stubs know neither half).
    queryset = property(_get_queryset, forms.ModelMultipleChoiceField._set_queryset)  # type: ignore[attr-defined]

    @property
    def offered(self) -> QuerySet[Session]:
        self._built()
        return self._offered

    def clean(self, value: Any) -> QuerySet[Session]:
        # As Django's for no choice (an empty queryset), without building the sessions': a
        # clone of one built per process (the manager's, through modeltranslation, costs more).
        if not self.required and not self.prepare_value(value):
            return _no_sessions().all()
        return super().clean(value)

    @property
    def availability(self) -> dict[int, SessionAvailability]:
        if self._availability is None:
            self._availability = session_availability(self.offered)
        return self._availability

    @availability.setter
    def availability(self, value: dict[int, SessionAvailability]) -> None:
        self._availability = value

    def label_from_instance(self, session: Session) -> str:
        start = timezone.localtime(session.starts_at, session.conference.tzinfo)
        end = timezone.localtime(session.ends_at, session.conference.tzinfo)
        place = session.room.name if session.room else session.location
        # Days and times as the language writes them (config/formats): "Wednesday 20 October,
        # 14:00", "mercredi 20 octobre, 14 h 00" (Django's abbreviations give "mer 20 Oct").
        when = f"{date_format(start, 'l j F')}, {time_format(start)}–{time_format(end)}"
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


def privacy_link(conference=None) -> HTML:
    """The conference's own notice (its retention periods, the version its consents record)."""
    kwargs = {"slug": conference.slug} if conference is not None else {}
    return HTML(
        format_html(
            '<p><a href="{}" target="_blank" rel="noopener">{}</a></p>',
            reverse("registrations:privacy", kwargs=kwargs),
            _("Read the privacy notice (opens in a new tab)"),
        )
    )


def authority_places_note(conference, *, full_text: str = "") -> HTML:
    """Where static/js/authority-places.js says how many places the chosen authority has left;
    `full_text` (with `%s` for the organisers' address) says what to do when it has none."""
    return HTML(
        format_html(
            '<p id="authority-places" class="form-text" aria-live="polite" '
            'data-url-template="{}" data-text-left="{}" data-text-unlimited="{}" '
            'data-text-full="{}" data-contact-email="{}"></p>',
            reverse("registrations:authority_places", args=[conference.slug, 0]),
            _("Places left for this city or region: %s"),
            _("No limit on the number of delegates for this city or region."),
            full_text,
            conference.contact_email,
        )
    )
