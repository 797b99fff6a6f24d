import functools
import secrets
from typing import cast
from urllib.parse import urlencode

from django import forms
from django.db import connections
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views.generic import DetailView, ListView

from conference.cached_pages import PageKey, PageMarkers, cached_page_response
from conference.calendar import conference_ics
from conference.models import SESSION_LANGUAGES, Conference, Session, Theme
from conference.page_cache import page_cache_seconds
from conference.selectors import (
    conference_speakers,
    programme_days,
    programme_for_page,
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


def published_conference_id(slug: str) -> int:
    """The id of the published conference `slug`, or a 404: all that a page kept whole needs
    before it is served from the cache (so that an unpublished conference is a 404, however it
    was unpublished), read as one column; the conference itself is read only to render. Its
    36 columns cost a request for a kept page a third of its query's CPU, and building and
    compiling the query each time half of what was left: the SQL is the ORM's, compiled once
    per process (_published_id_query)."""
    compiled = _published_id_query()
    if compiled is None:
        row = _published_id_queryset(slug).values_list("pk").first()
    else:
        sql, params, position, using = compiled
        with connections[using].cursor() as cursor:
            cursor.execute(sql, (*params[:position], slug, *params[position + 1 :]))
            row = cursor.fetchone()
    if row is None:
        raise Http404("No conference found matching the query")
    return row[0]


def _published_id_queryset(slug: str) -> QuerySet[Conference]:
    # Its ordering dropped: one row at most (the slug is unique).
    return Conference.objects.published().filter(slug=slug).order_by()


@functools.cache
def _published_id_query() -> tuple[str, tuple, int, str] | None:
    """The SQL of `_published_id_queryset(slug).values_list("pk")`, its parameters with a mark
    where the slug goes, the mark's place among them, and the database it reads; None if the
    slug is not one parameter as it is (then each lookup is the queryset's own)."""
    mark = f"mark-{secrets.token_hex(8)}"
    queryset = _published_id_queryset(mark).values_list("pk")
    sql, params = queryset.query.get_compiler(using=queryset.db).as_sql()
    holding = [position for position, param in enumerate(params) if mark in str(param)]
    if len(holding) != 1 or params[holding[0]] != mark or mark in sql:
        return None
    return sql, tuple(params), holding[0], queryset.db


class ConferenceDetailView(DetailView):
    template_name = "conference/conference_detail.html"
    context_object_name = "conference"

    def get_queryset(self):
        # The venue is read only when the page is rendered, not when it comes from the cache.
        return Conference.objects.published()

    def get(self, request, *args, **kwargs):
        return cached_page_response(
            request,
            # The home page shows the map of who takes part, which has a version of its own.
            keys=[PageKey(published_conference_id(self.kwargs["slug"]), network=True)],
            timeout=lambda: page_cache_seconds(self.conference),
            render=lambda markers: self.render_to_response(
                self.get_context_data(object=self.conference, **markers.context())
            ),
        )

    @cached_property
    def conference(self) -> Conference:
        self.object = self.get_object()
        return self.object


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
        return Conference.objects.published()

    def get(self, request, *args, **kwargs):
        self.conference_id = published_conference_id(self.kwargs["slug"])
        # Asked for first under the filters as given, which a link to the programme names
        # (a page is stored under them only when they are all valid); then, on a miss, under
        # the valid ones, for which the themes must be read.
        asked = {name: request.GET.get(name, "") for name in ProgrammeFilterForm.base_fields}
        return cached_page_response(
            request,
            keys=[self.page_key(asked), lambda: self.page_key(self.valid_filters[1])],
            timeout=lambda: page_cache_seconds(self.conference),
            render=lambda markers: self.render_to_response(
                self.programme_context(*self.valid_filters, markers=markers)
            ),
        )

    @cached_property
    def conference(self) -> Conference:
        self.object = self.get_object()
        return self.object

    def page_key(self, filters: dict[str, str]) -> PageKey:
        given = sorted((name, value) for name, value in filters.items() if value)
        return PageKey(self.conference_id, parts=(urlencode(given),))

    @cached_property
    def valid_filters(self) -> tuple[list[Theme], dict[str, str]]:
        """The conference's themes, and the filters of the request that are valid."""
        themes = list(Theme.objects.filter(conference_id=self.conference_id).order_by("name"))
        return themes, ProgrammeFilterForm(self.request.GET, themes=themes).valid_filters()

    def programme_context(
        self, themes: list[Theme], filters: dict[str, str], *, markers: PageMarkers
    ) -> dict:
        conference = self.conference
        context = self.get_context_data(object=conference, **markers.context())
        programme = programme_for_page(conference, **filters)
        context["filter_form"] = ProgrammeFilterForm(filters or None, themes=themes)
        context["is_filtered"] = bool(filters)
        context["programme"] = programme
        context["sessions"] = programme.sessions
        context["days"] = programme_days(programme.sessions, conference.tzinfo)
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
