from itertools import groupby

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views.generic import DetailView, ListView

from conference.calendar import conference_ics
from conference.models import Conference, Session


class ConferenceListView(ListView):
    template_name = "conference/conference_list.html"
    context_object_name = "conferences"

    def get_queryset(self):
        return Conference.objects.published().select_related("venue")

    def get(self, request, *args, **kwargs):
        conferences = list(self.get_queryset()[:2])
        if len(conferences) == 1:
            # The usual case: one event at a time, so go straight to it.
            return redirect(conferences[0])
        return super().get(request, *args, **kwargs)


class ConferenceDetailView(DetailView):
    template_name = "conference/conference_detail.html"
    context_object_name = "conference"

    def get_queryset(self):
        return Conference.objects.published().select_related("venue")


class ProgrammeView(DetailView):
    """The sessions of the conference, day by day."""

    template_name = "conference/programme.html"
    context_object_name = "conference"

    def get_queryset(self):
        return Conference.objects.published().select_related("venue")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        sessions = (
            Session.objects.filter(conference=self.object)
            .select_related("room")
            .prefetch_related("speakers")
            .order_by("starts_at", "room__position", "title")
        )
        tz = self.object.tzinfo
        context["days"] = [
            (day, list(day_sessions))
            for day, day_sessions in groupby(
                sessions, key=lambda session: timezone.localtime(session.starts_at, tz).date()
            )
        ]
        return context


def conference_calendar(request, slug: str) -> HttpResponse:
    conference = get_object_or_404(
        Conference.objects.published().select_related("venue"), slug=slug
    )
    response = HttpResponse(conference_ics(conference), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{conference.slug}.ics"'
    return response
