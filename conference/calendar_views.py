"""Calendar files of the programme and of single sessions, for calendar apps."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_safe

from conference.calendar import programme_ics, session_ics
from conference.models import Conference, Session


def _calendar_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_safe
def programme_calendar(request: HttpRequest, slug: str) -> HttpResponse:
    conference = get_object_or_404(
        Conference.objects.published().select_related("venue"), slug=slug
    )
    return _calendar_response(programme_ics(conference), f"{conference.slug}-programme.ics")


@require_safe
def session_calendar(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    session: Session = get_object_or_404(
        Session.objects.filter(conference__is_published=True, conference__slug=slug)
        .exclude(kind=Session.Kind.BREAK)
        .select_related("conference", "room__venue")
        .prefetch_related("speakers"),
        pk=pk,
    )
    return _calendar_response(session_ics(session), f"{slug}-session-{session.pk}.ics")
