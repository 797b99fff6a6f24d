"""The programme page's sessions, each rendered once although the page shows it twice (its card
in the timetable on wide screens, its entry in the list on phones), and the timetable's style
sheet.

A programme of a few hundred sessions is rendered in tens of milliseconds only if each session
costs little: what a session prints is worked out once (escaped once, though printed twice;
times, kinds, rooms and languages once for all the sessions that share them) and its template
only puts the pieces in place."""

import datetime as dt
import html
from collections.abc import Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django import template
from django.template.base import Template
from django.template.context import Context
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.safestring import SafeString

from conference.models import Conference, Session, Speaker, Theme
from conference.selectors import ALL_HANDS_KINDS, Programme, ProgrammeDay

register = template.Library()

SESSION_TEMPLATE = "conference/_programme_session.html"
# Between the card and the list entry in SESSION_TEMPLATE's output. Nothing a session holds can
# print it: every value is escaped.
LIST_DIVIDER = "<!-- list -->"
# A session id that no session has, to reverse the sessions' address once for the whole page.
_PK_STAND_IN = 987654321987654321


def escape(text: object) -> SafeString:
    """django.utils.html.escape, without its check for lazy texts (a page of sessions calls it
    thousands of times; what it is given here is never lazy)."""
    return SafeString(html.escape(str(text)))


@dataclass(frozen=True)
class RenderedDay:
    day: ProgrammeDay
    day_id: str  # the date, as the page's ids print it
    # The timetable's headings, numbered as their ids: rooms, then times (as the sessions').
    rooms: list[tuple[str, str]]
    times: list[tuple[str, SafeString]]
    cards: SafeString  # the timetable's, in its slots' order
    items: SafeString  # the list's, in programme order


class _SessionFacts:
    """What a session's template prints, escaped, each piece worked out once for the page."""

    def __init__(self, conference: Conference, programme: Programme, tz: ZoneInfo) -> None:
        address = reverse(
            "conference:session", kwargs={"slug": conference.slug, "pk": _PK_STAND_IN}
        )
        # The id is the address's last number: the slug may hold digits too.
        before, after = address.rsplit(str(_PK_STAND_IN), 1)
        self.address_before, self.address_after = escape(before), escape(after)
        self.programme = programme
        self.tz = tz
        self.kinds = {kind: escape(str(label)) for kind, label in Session.Kind.choices}
        self.times: dict[dt.datetime, tuple[SafeString, SafeString]] = {}
        self.rooms: dict[int, SafeString] = {}
        self.languages: dict[tuple[str, tuple[str, ...]], SafeString] = {}
        # A speaker or theme of many sessions: its name (and role) escaped once.
        self.speakers: dict[int, tuple[str, str]] = {}
        self.themes: dict[int, str] = {}

    def time(self, moment: dt.datetime) -> tuple[SafeString, SafeString]:
        """The moment as `date:'c'` and `time:"TIME_FORMAT"` print it at the venue."""
        if moment not in self.times:
            local = timezone.localtime(moment, self.tz)
            self.times[moment] = (
                escape(local.isoformat()),
                escape(formats.time_format(local, "TIME_FORMAT")),
            )
        return self.times[moment]

    def room(self, session: Session) -> SafeString:
        if session.room_id is None:
            return SafeString("")
        if session.room_id not in self.rooms:
            self.rooms[session.room_id] = escape(session.room.name)  # type: ignore[union-attr]
        return self.rooms[session.room_id]

    def interpretation(self, session: Session) -> SafeString | None:
        # Breaks and social events have no language of their own: the page says nothing.
        if session.kind in ALL_HANDS_KINDS:
            return None
        languages = (session.language, tuple(session.interpretation_languages or ()))
        if languages not in self.languages:
            self.languages[languages] = escape(session.interpretation_summary())
        return self.languages[languages]

    def speaker(self, speaker: Speaker) -> tuple[str, str]:
        if speaker.pk not in self.speakers:
            self.speakers[speaker.pk] = (escape(speaker.full_name), escape(_with_role(speaker)))
        return self.speakers[speaker.pk]

    def theme(self, theme: Theme) -> str:
        if theme.pk not in self.themes:
            self.themes[theme.pk] = escape(theme)
        return self.themes[theme.pk]

    def of(self, session: Session) -> dict:
        starts_iso, starts_time = self.time(session.starts_at)
        ends_iso, ends_time = self.time(session.ends_at)
        speakers = [
            self.speaker(speaker) for speaker in self.programme.speakers.get(session.pk, [])
        ]
        themes = [self.theme(theme) for theme in self.programme.themes.get(session.pk, [])]
        return {
            "kind": escape(session.kind),
            "url": SafeString(f"{self.address_before}{session.pk}{self.address_after}"),
            "title": escape(session.title),
            "starts_iso": starts_iso,
            "starts_time": starts_time,
            "ends_iso": ends_iso,
            "ends_time": ends_time,
            "kind_display": self.kinds.get(session.kind, escape(session.kind)),
            "has_room": session.room_id is not None,
            "room_name": self.room(session),
            "location": escape(session.location),
            "interpretation": self.interpretation(session),
            "speakers": speakers,
            # Joined escaped: the separators hold nothing to escape.
            "speaker_names": SafeString(", ".join(name for name, _ in speakers)),
            "speakers_with_roles": SafeString("; ".join(with_role for _, with_role in speakers)),
            "themes": themes,
            "theme_names": SafeString(", ".join(themes)),
            "description": escape(session.description),
        }


# What the session template asks of a session before printing a part: its shape.
_SHAPE = ("has_room", "location", "interpretation", "speakers", "themes", "description")
# Asked only: never printed.
_ASKED_ONLY = ("has_room", "speakers", "themes")


class _SessionShapes:
    """The session template rendered once for each shape of session (which of its parts it
    has: a room, speakers…), with a stand-in for every value it prints, and kept as a format
    string: a session's HTML is then its escaped values put in place. The markup stays the
    template's; rendering it for each of hundreds of sessions would cost 34 variables a session
    in the template engine."""

    def __init__(self, session_template: Template, context: Context) -> None:
        self.template = session_template
        self.context = context
        self.formats: dict[tuple[bool, ...], str] = {}

    def html(self, values: dict) -> str:
        shape = tuple(bool(values[name]) for name in _SHAPE)
        if shape not in self.formats:
            self.formats[shape] = self._format(values)
        return self.formats[shape].format_map(values)

    def _format(self, values: dict) -> str:
        stand_ins = {
            name: SafeString(f"\x00{name}\x00")
            for name in values
            if name not in _ASKED_ONLY and (name not in _SHAPE or values[name])
        }
        asked = {name: values[name] for name in _ASKED_ONLY}
        with self.context.push(values, **stand_ins, **asked):
            rendered = str(self.template.render(self.context))
        # Nothing else of the page is a format field: its braces are doubled.
        format_string = rendered.replace("{", "{{").replace("}", "}}")
        for name in stand_ins:
            format_string = format_string.replace(f"\x00{name}\x00", f"{{{name}}}")
        return format_string


def _with_role(speaker: Speaker) -> str:
    role, organisation = speaker.role, speaker.organisation
    if not (role or organisation):
        return speaker.full_name
    return f"{speaker.full_name} ({role}{', ' if role and organisation else ''}{organisation})"


@register.simple_tag(takes_context=True)
def programme_rendered_days(
    context: Context,
    days: list[ProgrammeDay],
    conference: Conference,
    programme: Programme,
    places: Mapping[int, str],
) -> list[RenderedDay]:
    """Each day with its sessions rendered, each session once: `{% programme_rendered_days days
    conference programme places as rendered_days %}`. `places`: the badge of places left by
    session id."""
    session_template = context.template.engine.get_template(SESSION_TEMPLATE)  # type: ignore[union-attr]
    facts = _SessionFacts(conference, programme, conference.tzinfo)
    shapes = _SessionShapes(session_template, context)
    rendered_days = []
    for day in days:
        day_id = day.date.strftime("%Y-%m-%d")
        cards: list[str] = []
        items: dict[int, str] = {}
        for slot_number, slot in enumerate(day.timetable.slots, start=1):
            session = slot.session
            values = facts.of(session)
            values.update(
                day_id=day_id, slot_number=str(slot_number), places=places.get(session.pk, "")
            )
            card, item = shapes.html(values).split(LIST_DIVIDER)
            cards.append(card)
            items[session.pk] = item
        rendered_days.append(
            RenderedDay(
                day=day,
                day_id=day_id,
                rooms=[
                    (str(number), column.label)
                    for number, column in enumerate(day.timetable.columns, start=1)
                ],
                times=[
                    (str(number), facts.time(time.starts_at)[1])
                    for number, time in enumerate(day.timetable.times, start=1)
                ],
                cards=SafeString("\n".join(cards)),
                items=SafeString("\n".join(items[s.pk] for s in day.sessions)),
            )
        )
    return rendered_days


@register.simple_tag
def timetable_style(days: list[ProgrammeDay]) -> SafeString:
    """Where each room heading, time and session sits in each day's grid: CSS rules naming the
    ids the page gives them (dates and numbers only, nothing to escape)."""
    rules = []
    for day in days:
        timetable = day.timetable
        day_id = day.date.strftime("%Y-%m-%d")
        rules.append(
            f"#timetable-{day_id} {{ --timetable-columns: {timetable.column_count}; "
            f"--timetable-rows: {timetable.row_count}; }}"
        )
        rules.extend(
            f"#timetable-{day_id}-room-{number} {{ grid-column: {column.column} / span "
            f"{column.span}; }}"
            for number, column in enumerate(timetable.columns, start=1)
        )
        rules.extend(
            f"#timetable-{day_id}-time-{number} {{ grid-row: {time.row}; }}"
            for number, time in enumerate(timetable.times, start=1)
        )
        rules.extend(
            f"#timetable-{day_id}-slot-{number} {{ grid-column: {slot.column} / span "
            f"{slot.column_span}; grid-row: {slot.row} / span {slot.row_span}; }}"
            for number, slot in enumerate(timetable.slots, start=1)
        )
    return SafeString("\n".join(rules))
