"""The personal agenda feed."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import translation
from django.views.decorators.http import require_safe

from registrations.access.agenda import agenda_ics
from registrations.models import Registration


@require_safe
def agenda_calendar(request: HttpRequest, token: str) -> HttpResponse:
    registration = get_object_or_404(
        Registration.objects.active().select_related("conference__venue"),
        agenda_token=token,
    )
    # The address has no language prefix: the feed speaks the delegate's language.
    with translation.override(registration.preferred_language):
        content = agenda_ics(registration)
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{registration.conference.slug}.ics"'
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    return response
