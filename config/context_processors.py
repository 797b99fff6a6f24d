"""What every page's template needs beyond Django's own context processors."""

from django.conf import settings
from django.http import HttpRequest
from django.urls import translate_url


def language_alternates(request: HttpRequest) -> dict[str, object]:
    """This page's address in each language (the same page under /en/ and /fr/), for the
    language switch and the <link rel="alternate" hreflang> that point to it, and the address
    the switch comes back to (a cached page puts this request's in its place:
    conference.cached_pages)."""
    return {
        "language_alternates": [
            {"code": code, "url": translate_url(request.path, code)}
            for code, _name in settings.LANGUAGES
        ],
        "language_switch_next": request.get_full_path(),
    }
