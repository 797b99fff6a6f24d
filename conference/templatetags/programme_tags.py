"""The programme page's sessions, each rendered once although the page shows it twice (its card
in the timetable on wide screens, its entry in the list on phones), and the timetable's style
sheet.

A programme of a few hundred sessions is rendered in tens of milliseconds only if each session
costs little: what a session prints is worked out once (escaped once, though printed twice;
times, kinds, rooms and languages once for all the sessions that share them) and its template
only puts the pieces in place."""

import datetime as dt
import html
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django import template
from django.db.models import FileField
from django.template.base import Template
from django.template.context import Context
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.safestring import SafeString
from modeltranslation.fields import NONE, TranslationFieldDescriptor
from modeltranslation.thread_context import fallbacks_enabled
from modeltranslation.utils import build_localized_fieldname, get_language, resolution_order

from conference.models import Conference, Session, Speaker, Theme
from conference.selectors import ALL_HANDS_KINDS, Programme, ProgrammeDay

register = template.Library()

SESSION_TEMPLATE = "conference/_programme_session.html"
# Between the card and the list entry in SESSION_TEMPLATE's output. Nothing a session holds can
# print it: every value is escaped.
LIST_DIVIDER = "<!-- list -->"
# A session id that no session has, to reverse the sessions' address once for the whole page.
_PK_STAND_IN = 987654321987654321


def escape(text: object) -> str:
    """What django.utils.html.escape gives, as a plain str: without its check for lazy texts (a
    page of sessions calls it thousands of times; what it is given here is never lazy), and not
    marked safe, since a SafeString costs a call to its __str__ each time str.format_map or an
    f-string prints it (27 a session). What this module returns is marked safe whole."""
    return html.escape(str(text))


def translated_reader(model: type, name: str) -> Callable[[object], object]:
    """What `instance.<name>` gives, for the active language, as modeltranslation's descriptor
    works it out (the first of the language and its fallbacks that holds a value other than the
    field's "undefined", else the fallback value or the field's default), with the order of the
    languages and the columns' names found once: the descriptor finds them on each reading,
    half of the cost of printing a few hundred sessions."""
    descriptor = model.__dict__.get(name)
    if not isinstance(descriptor, TranslationFieldDescriptor) or isinstance(
        descriptor.field, FileField
    ):
        return lambda instance: getattr(instance, name)
    field = descriptor.field
    undefined = descriptor.fallback_undefined
    if undefined is NONE:
        undefined = field.get_default()
    names = tuple(
        build_localized_fieldname(name, language)
        for language in resolution_order(get_language(), descriptor.fallback_languages)
    )
    use_fallback_value = fallbacks_enabled() and descriptor.fallback_value is not NONE

    def read(instance: object) -> object:
        for attname in names:
            value = getattr(instance, attname, None)
            if value is not None and value != undefined:
                return value
        return descriptor.fallback_value if use_fallback_value else field.get_default()

    return read


@dataclass(frozen=True)
class RenderedDay:
    day: ProgrammeDay
    day_id: str  # the date, as the page's ids print it
    # The timetable's headings, rooms then times, as the day's loops in programme.html printed
    # them (a template loop costs a few variables a heading: hundreds on a big programme).
    headings: SafeString
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
        self.kind_classes: dict[str, str] = {}
        self.title = translated_reader(Session, "title")
        self.description = translated_reader(Session, "description")
        self.location = translated_reader(Session, "location")
        self.times: dict[dt.datetime, tuple[str, str]] = {}
        self.clocks: dict[tuple[dt.time, dt.timedelta | None, str | None], str] = {}
        self.rooms: dict[int, str] = {}
        self.languages: dict[tuple[str, tuple[str, ...]], str] = {}
        # A speaker or theme of many sessions: its name (and role) escaped once.
        self.speakers: dict[int, tuple[str, str]] = {}
        self.themes: dict[int, str] = {}

    def time(self, moment: dt.datetime) -> tuple[str, str]:
        """The moment as `date:'c'` and `time:"TIME_FORMAT"` print it at the venue."""
        if moment not in self.times:
            local = timezone.localtime(moment, self.tz)
            # A time format prints what the clock and the zone say, nothing of the date (Django's
            # TimeFormat refuses date specifiers): the same hour of each day is formatted once.
            clock = (local.time(), local.utcoffset(), local.tzname())
            if clock not in self.clocks:
                self.clocks[clock] = escape(formats.time_format(local, "TIME_FORMAT"))
            self.times[moment] = (escape(local.isoformat()), self.clocks[clock])
        return self.times[moment]

    def room(self, session: Session) -> str:
        if session.room_id is None:
            return ""
        if session.room_id not in self.rooms:
            self.rooms[session.room_id] = escape(session.room.name)  # type: ignore[union-attr]
        return self.rooms[session.room_id]

    def interpretation(self, session: Session) -> str | None:
        # Breaks and social events have no language of their own: the page says nothing.
        if session.kind in ALL_HANDS_KINDS:
            return None
        languages = (session.language, tuple(session.interpretation_languages or ()))
        if languages not in self.languages:
            self.languages[languages] = escape(session.interpretation_summary())
        return self.languages[languages]

    def speaker(self, speaker: Speaker) -> tuple[str, str]:
        found = self.speakers.get(speaker.id)
        if found is None:
            found = self.speakers[speaker.id] = (
                escape(speaker.full_name),
                escape(_with_role(speaker)),
            )
        return found

    def theme(self, theme: Theme) -> str:
        found = self.themes.get(theme.id)
        if found is None:
            found = self.themes[theme.id] = escape(theme)
        return found

    def kind_class(self, kind: str) -> str:
        found = self.kind_classes.get(kind)
        if found is None:
            found = self.kind_classes[kind] = escape(kind)
        return found

    def of(self, session: Session) -> dict:
        pk = session.id
        kind = session.kind
        times = self.times
        starts_iso, starts_time = times.get(session.starts_at) or self.time(session.starts_at)
        ends_iso, ends_time = times.get(session.ends_at) or self.time(session.ends_at)
        speakers = [self.speaker(speaker) for speaker in self.programme.speakers.get(pk, ())]
        themes = [self.theme(theme) for theme in self.programme.themes.get(pk, ())]
        kind_class = self.kind_class(kind)
        return {
            "kind": kind_class,
            "url": f"{self.address_before}{pk}{self.address_after}",
            "title": escape(self.title(session)),
            "starts_iso": starts_iso,
            "starts_time": starts_time,
            "ends_iso": ends_iso,
            "ends_time": ends_time,
            "kind_display": self.kinds.get(kind, kind_class),
            "has_room": session.room_id is not None,
            "room_name": self.room(session),
            "location": escape(self.location(session)),
            "interpretation": self.interpretation(session),
            "speakers": speakers,
            # Joined escaped: the separators hold nothing to escape. (Lists, not generators:
            # str.join makes a list of a generator first.)
            "speaker_names": ", ".join([name for name, _ in speakers]),
            "speakers_with_roles": "; ".join([with_role for _, with_role in speakers]),
            "themes": themes,
            "theme_names": ", ".join(themes),
            "description": escape(self.description(session)),
        }


# What the session template asks of a session before printing a part: its shape.
_SHAPE = ("has_room", "location", "interpretation", "speakers", "themes", "description")
# Asked only: never printed.
_ASKED_ONLY = ("has_room", "speakers", "themes")


class _SessionShapes:
    """The session template rendered once for each shape of session (which of its parts it
    has: a room, speakers…), with a stand-in for every value it prints, and kept as a format
    string for each of its two parts, cut at LIST_DIVIDER: a session's card and list entry are
    then its escaped values put in place. The markup stays the template's; rendering it for
    each of hundreds of sessions would cost 34 variables a session in the template engine."""

    def __init__(self, session_template: Template, context: Context) -> None:
        self.template = session_template
        self.context = context
        self.formats: dict[tuple[bool, ...], tuple[str, str]] = {}

    def html(self, values: dict) -> tuple[str, str]:
        """The session's card and its list entry."""
        shape = tuple(bool(values[name]) for name in _SHAPE)
        formats = self.formats.get(shape)
        if formats is None:
            formats = self.formats[shape] = self._formats(values)
        card, item = formats
        return card.format_map(values), item.format_map(values)

    def _formats(self, values: dict) -> tuple[str, str]:
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
        # Cut once here rather than each session's HTML: no value prints the divider (each is
        # escaped), so the cut falls where it would in the filled string.
        card, item = format_string.split(LIST_DIVIDER)
        return card, item


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
    # As plain str, as escape() gives the rest (the badges are marked safe).
    badges = {pk: str.__str__(badge) for pk, badge in places.items()}
    rendered_days = []
    for day in days:
        day_id = day.date.strftime("%Y-%m-%d")
        cards: list[str] = []
        items: dict[int, str] = {}
        for slot_number, slot in enumerate(day.timetable.slots, start=1):
            session = slot.session
            pk = session.id  # not .pk, a property: thousands of readings a page
            values = facts.of(session)
            values.update(day_id=day_id, slot_number=str(slot_number), places=badges.get(pk, ""))
            card, item = shapes.html(values)
            cards.append(card)
            items[pk] = item
        rendered_days.append(
            RenderedDay(
                day=day,
                day_id=day_id,
                headings=_headings(day, day_id, facts),
                cards=SafeString("\n".join(cards)),
                items=SafeString("\n".join(items[s.id] for s in day.sessions)),
            )
        )
    return rendered_days


def _headings(day: ProgrammeDay, day_id: str, facts: _SessionFacts) -> SafeString:
    """The room and time headings of a day's timetable, each numbered as its id. Hidden from
    screen readers: each session says its time and room."""
    rooms = "".join(
        f'\n            <div class="timetable-room" aria-hidden="true" '
        f'id="timetable-{day_id}-room-{number}">{escape(column.label)}</div>\n          '
        for number, column in enumerate(day.timetable.columns, start=1)
    )
    times = "".join(
        f'\n            <div class="timetable-time" aria-hidden="true" '
        f'id="timetable-{day_id}-time-{number}">{facts.time(time.starts_at)[1]}</div>\n          '
        for number, time in enumerate(day.timetable.times, start=1)
    )
    return SafeString(f"{rooms}\n          {times}")


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
