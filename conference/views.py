from typing import cast
from urllib.parse import urlencode

from django import forms
from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _
from django.views.generic import DetailView, ListView

from conference.calendar import conference_ics
from conference.models import SESSION_LANGUAGES, Conference, Session, Theme
from conference.page_cache import network_version, page_cache_seconds, programme_version
from conference.selectors import (
    conference_speakers,
    programme_days,
    programme_sessions,
    session_for_page,
)


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

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["page_cache_version"] = programme_version(self.object.pk)
        # The home page shows the map of who takes part, which has a version of its own.
        context["network_version"] = network_version(self.object.pk)
        context["page_cache_seconds"] = page_cache_seconds(self.object)
        return context


class ProgrammeFilterForm(forms.Form):
    """Narrows the programme down. Sent by GET from a link anyone may share, so a value that is
    not a choice (an old theme, a hand-edited address) is dropped instead of refused."""

    kind = forms.ChoiceField(label=_("Kind"), required=False)
    theme = forms.ChoiceField(label=_("Theme"), required=False)
    language = forms.ChoiceField(label=_("Language"), required=False)

    def __init__(self, *args, themes: list[Theme], **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["kind"]).choices = [
            ("", _("All kinds")),
            *Session.Kind.choices,
        ]
        cast(forms.ChoiceField, self.fields["language"]).choices = [
            ("", _("All languages")),
            *SESSION_LANGUAGES,
        ]
        if themes:
            cast(forms.ChoiceField, self.fields["theme"]).choices = [
                ("", _("All themes")),
                *((theme.slug, theme.name) for theme in themes),
            ]
        else:
            del self.fields["theme"]
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select"

    def valid_filters(self) -> dict[str, str]:
        if not self.is_bound:
            return {}
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value}


class ProgrammeView(DetailView):
    """The sessions of the conference, day by day: a timetable on wide screens, a list on
    phones, optionally filtered by kind, theme and language."""

    template_name = "conference/programme.html"
    context_object_name = "conference"

    def get_queryset(self):
        return Conference.objects.published().select_related("venue")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        themes = list(Theme.objects.filter(conference=self.object).order_by("name"))
        filters = ProgrammeFilterForm(self.request.GET, themes=themes).valid_filters()
        conference = self.object
        # Loaded only when the template's cached fragment is missing (conference.page_cache).
        sessions = SimpleLazyObject(lambda: programme_sessions(conference, **filters))
        context["filter_form"] = ProgrammeFilterForm(filters or None, themes=themes)
        context["is_filtered"] = bool(filters)
        context["sessions"] = sessions
        days = SimpleLazyObject(lambda: programme_days(sessions, conference.tzinfo))
        version = programme_version(conference.pk)
        seconds = page_cache_seconds(conference)
        page_filters = urlencode(sorted(filters.items()))
        context["days"] = days
        context["page_cache_version"] = version
        context["page_cache_seconds"] = seconds
        context["page_cache_filters"] = page_filters
        # The timetable's style sheet (and the CSP nonce it carries) only where there is a
        # timetable: remembered with the fragments, so that a hit loads no sessions.
        context["has_timetable"] = cache.get_or_set(
            f"programme:has-timetable:{conference.pk}:{version}:{page_filters}",
            lambda: bool(days),
            seconds,
        )
        return context


class SessionDetailView(DetailView):
    template_name = "conference/session_detail.html"
    context_object_name = "session"

    def get_queryset(self):
        return session_for_page(slug=self.kwargs["slug"], pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["conference"] = self.object.conference
        return context


class SpeakerListView(DetailView):
    """Everyone who speaks at the conference, alphabetical, each with an anchor that session
    pages link to."""

    template_name = "conference/speaker_list.html"
    context_object_name = "conference"

    def get_queryset(self):
        return Conference.objects.published().select_related("venue")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["speakers"] = conference_speakers(self.object)
        return context


def conference_calendar(request, slug: str) -> HttpResponse:
    conference = get_object_or_404(
        Conference.objects.published().select_related("venue"), slug=slug
    )
    response = HttpResponse(conference_ics(conference), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{conference.slug}.ics"'
    return response
