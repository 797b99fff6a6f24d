"""The registration form's page around the form, rendered once per process and kept.

The page (register.html in base_conference.html and base.html: the header, the language
switch, the conference's line, the footer) costs a GET about as much as the rest of it; all of
it is the same for every visitor but four parts: the language switch's CSRF token and return
address, the places-left line, and the form (itself kept, registrations/forms/rendering.py).
It is rendered with a random mark for each, cut at the marks, and joined around the request's
own values.

Kept per language, address, registration state and the values of the conference's and its
venue's columns (all of them but the place counters, whose figure is the places-left line): a
conference or venue saved anywhere is a new entry at once. Not used for a page with messages
to show, for a form sent back (it is rendered for its request), nor with DEBUG on (templates
edited under runserver are read again)."""

import re
import secrets

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.signals import setting_changed
from django.db.models import Model
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.formats import localize
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, ngettext

from conference.models import Conference
from registrations.places.selectors import RegistrationAvailability, RegistrationState

MARKS = ("csrf", "next", "places", "form")
# Entries per process: languages × states × conferences open at once, with room for edits.
KEPT_MAX = 256
# A page cut at its marks: literal text, then the name of a mark, and so on.
Pieces = list[str]
_kept: dict[tuple, Pieces | None] = {}


def places_left_line(availability: RegistrationAvailability) -> SafeString:
    """What the page's {% blocktranslate count %} line printed: the same message, the number
    localised and escaped as a template variable is."""
    count = availability.places_left
    message = ngettext("%(places)s place left.", "%(places)s places left.", count)
    return mark_safe(message % {"places": conditional_escape(localize(count))})


def _columns(instance: Model | None) -> str:
    if instance is None:
        return ""
    skipped = set(getattr(instance, "PLACE_COUNTER_FIELDS", ()))
    return repr(
        [
            getattr(instance, field.attname)
            for field in instance._meta.concrete_fields
            if field.name not in skipped
        ]
    )


def _pieces(request: HttpRequest, template_name: str, context: dict) -> Pieces | None:
    marks = {name: secrets.token_hex(16) for name in MARKS}
    state = context["availability"].state
    nonce_before = getattr(request, "_csp_nonce", None)
    html = render_to_string(
        template_name,
        {
            **context,
            # Above the context processors' values (csrf, language_switch_next).
            "csrf_token": marks["csrf"],
            "language_switch_next": marks["next"],
            "places_left_line": marks["places"],
            "form_html": marks["form"],
        },
        request,
    )
    # A page that shows the request's CSP nonce (django-csp makes it when first read) is this
    # request's own.
    if nonce_before is None and getattr(request, "_csp_nonce", None) is not None:
        return None
    expected = dict.fromkeys(MARKS, 1)
    if state is not RegistrationState.OPEN:
        expected["places"] = 0
    if any(html.count(marks[name]) != count for name, count in expected.items()):
        return None
    by_mark = {mark: name for name, mark in marks.items()}
    parts = re.split(f"({'|'.join(marks.values())})", html)
    return [by_mark.get(part, part) if n % 2 else part for n, part in enumerate(parts)]


def register_page_html(
    request: HttpRequest, template_name: str, context: dict, *, conference: Conference
) -> str | None:
    """The blank form's page for this request, from the kept page; None where it is to be
    rendered as usual."""
    if settings.DEBUG or context.get("form") is not None or not context.get("form_html"):
        return None
    if get_messages(request):
        return None
    availability = context["availability"]
    key = (
        template_name,
        get_language(),
        request.path,
        availability.state,
        _columns(conference),
        _columns(conference.venue),
    )
    if key not in _kept:
        if len(_kept) >= KEPT_MAX:
            _kept.clear()
        _kept[key] = _pieces(request, template_name, context)
    pieces = _kept[key]
    if pieces is None:  # a mark not found as expected (organisers' text holding one)
        return None
    values = {
        "csrf": escape(get_token(request)),
        "next": escape(request.get_full_path()),
        "places": context["places_left_line"],
        "form": context["form_html"],
    }
    return "".join(values[piece] if n % 2 else piece for n, piece in enumerate(pieces))


def _forget(**kwargs) -> None:
    # A setting replaced (tests' override_settings) may change any page.
    _kept.clear()


setting_changed.connect(_forget, dispatch_uid="register_page.forget")
