"""Reads for the programme pages, and the layout of a day's timetable.

The layout functions are pure: they take sessions already loaded (with their room) and do no
queries, so the programme runs the same number of queries whatever its size.
"""

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import groupby
from typing import TypeVar
from zoneinfo import ZoneInfo

from anyascii import anyascii
from django.db import connections
from django.db.models import BigIntegerField, Func, Prefetch, QuerySet
from django.db.models.base import ModelState
from django.utils import timezone
from django.utils.translation import gettext

from conference.models import Conference, Room, Session, Speaker, Theme

# One timetable row per five minutes: sessions start and end on the quarter or the five.
ROW_MINUTES = 5
# Grid lines: column 1 holds the times, row 1 the room names.
FIRST_TRACK_COLUMN = 2
FIRST_TIME_ROW = 2
# Kinds that, held nowhere in particular (a coffee break in the foyer, a reception on the
# terrace), concern everyone, so they stretch across the whole timetable.
ALL_HANDS_KINDS = (Session.Kind.BREAK, Session.Kind.SOCIAL)

T = TypeVar("T", Speaker, Theme)


def _speakers_prefetch() -> Prefetch:
    return Prefetch("speakers", queryset=Speaker.objects.order_by("full_name"))


def _themes_prefetch() -> Prefetch:
    return Prefetch("themes", queryset=Theme.objects.order_by("name"))


def _programme_queryset(
    conference: Conference, *, kind: str | None, theme: str | None
) -> QuerySet[Session]:
    sessions = Session.objects.filter(conference=conference).order_by(
        "starts_at", "room__position", "title"
    )
    if kind:
        sessions = sessions.filter(kind=kind)
    if theme:
        sessions = sessions.filter(themes__conference=conference, themes__slug=theme)
    return sessions


def _in_language(sessions: Iterable[Session], language: str | None) -> list[Session]:
    # Filtered here rather than in SQL: SQLite has no JSON containment lookup, and the whole
    # programme of a conference is a few hundred rows at most.
    return [
        session
        for session in sessions
        if not language
        or session.kind in ALL_HANDS_KINDS
        or session.language == language
        or language in (session.interpretation_languages or [])
    ]


def programme_sessions(
    conference: Conference,
    *,
    kind: str | None = None,
    theme: str | None = None,
    language: str | None = None,
) -> list[Session]:
    """The conference's sessions in programme order, with room, speakers and themes loaded.

    `theme` is a theme slug. `language` keeps the sessions held in that language or interpreted
    into it, which is what a delegate who follows only that language can attend; breaks and social
    events have no language of their own and stay, so the day keeps its shape.
    """
    sessions = (
        _programme_queryset(conference, kind=kind, theme=theme)
        .select_related("room")
        .prefetch_related(_speakers_prefetch(), _themes_prefetch())
    )
    return _in_language(sessions, language)


@dataclass(frozen=True)
class Programme:
    """The programme page's sessions (as programme_sessions selects them, with their room),
    and the speakers and themes of each by session id, in the order the page lists them."""

    sessions: list[Session]
    speakers: dict[int, list[Speaker]]
    themes: dict[int, list[Theme]]


def programme_for_page(
    conference: Conference,
    *,
    kind: str | None = None,
    theme: str | None = None,
    language: str | None = None,
) -> Programme:
    """The sessions of programme_sessions, for a page that prints them all: the conference's
    rooms, speakers and themes are loaded once each and shared by their sessions (prefetching
    them per session builds one object per session and speaker, five times the work). At most
    six queries, whatever the size."""
    sessions = _in_language(
        _sessions_with_room(_programme_queryset(conference, kind=kind, theme=theme)), language
    )
    return Programme(
        sessions=sessions,
        speakers=_by_session(
            Speaker.objects.order_by("full_name"),
            Session.speakers.through.objects.filter(session__conference=conference).values_list(
                "session_id", "speaker_id"
            ),
        ),
        themes=_by_session(
            Theme.objects.order_by("name"),
            Session.themes.through._default_manager.filter(
                session__conference=conference
            ).values_list("session_id", "theme_id"),
        ),
    )


def _sessions_with_room(sessions: QuerySet[Session]) -> list[Session]:
    """The sessions `sessions` selects, in its order, every column loaded and the room set (one
    query more, as prefetch_related("room") does): the instances the queryset gives, at half
    their cost on a page of hundreds. They are built from the rows (values_list) without
    Model.__init__, which, wrapped by modeltranslation, sets each of the 27 columns through its
    descriptor; no receiver of post_init listens to sessions but modeltranslation's, which
    undoes its wrapper's flag. The rows are read through a plain QuerySet on the same query:
    modeltranslation's own values_list would put each row through its fallback step.

    On PostgreSQL the starts and ends are read as microseconds since the epoch (_Epoch) and
    made the datetimes Django's loader gives (in UTC, the connection's time zone), each
    distinct one once: psycopg parses a `timestamptz`'s text in Python, 4 us a value, half of
    the query's CPU for 800 values, where it reads an integer in C."""
    names = [field.attname for field in Session._meta.concrete_fields]
    rows: QuerySet[Session] = QuerySet(
        model=Session, query=sessions.query.chain(), using=sessions.db
    )
    connection = connections[sessions.db]
    moments: tuple[int, ...] = ()
    selected = names
    if connection.vendor == "postgresql" and connection.timezone is dt.UTC:
        moments = tuple(names.index(name) for name in _MOMENTS)
        rows = rows.annotate(**{f"{name}_epoch_us": _Epoch(name) for name in _MOMENTS})
        selected = [f"{name}_epoch_us" if name in _MOMENTS else name for name in names]
    read: dict[int, dt.datetime] = {}
    built = []
    for row in rows.values_list(*selected):
        values = row
        if moments:
            values = list(row)
            for position in moments:
                microseconds = values[position]
                if microseconds is not None:
                    moment = read.get(microseconds)
                    if moment is None:
                        moment = read[microseconds] = _EPOCH + dt.timedelta(
                            microseconds=microseconds
                        )
                    values[position] = moment
        session = Session.__new__(Session)
        state = ModelState()
        state.adding = False
        state.db = sessions.db
        session.__dict__.update(zip(names, values, strict=True), _state=state)
        built.append(session)
    room_ids = {session.room_id for session in built if session.room_id is not None}
    rooms = Room.objects.in_bulk(room_ids) if room_ids else {}
    room_field = Session._meta.get_field("room")
    for session in built:
        room_field.set_cached_value(session, rooms.get(session.room_id))
    return built


# The sessions' datetime columns, read as microseconds since the epoch on PostgreSQL.
_MOMENTS = ("starts_at", "ends_at")
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


class _Epoch(Func):
    """A `timestamptz` column as whole microseconds since the epoch, on PostgreSQL: EXTRACT gives
    a numeric, exact, since PostgreSQL 14 (a double before, which rounds to the right
    microsecond for times of this century)."""

    template = "(EXTRACT(EPOCH FROM %(expressions)s) * 1000000)::bigint"
    output_field = BigIntegerField()


def _by_session(ordered: QuerySet[T], links: Iterable[tuple[int, int]]) -> dict[int, list[T]]:
    """Each session's share of the objects the (session id, object id) `links` name, in the
    order of `ordered`, which the database sorts as the prefetches of programme_sessions do."""
    links = list(links)
    rank = {
        item.pk: (position, item)
        for position, item in enumerate(ordered.filter(pk__in={item_id for _, item_id in links}))
    }
    linked: dict[int, list[tuple[int, T]]] = {}
    for session_id, item_id in links:
        linked.setdefault(session_id, []).append(rank[item_id])
    return {
        session_id: [item for _position, item in sorted(items, key=lambda pair: pair[0])]
        for session_id, items in linked.items()
    }


def session_for_page(*, slug: str, pk: int) -> QuerySet[Session]:
    """The session `pk` of the published conference `slug` (empty if there is none), with what
    its page prints."""
    return (
        Session.objects.filter(pk=pk, conference__slug=slug, conference__is_published=True)
        .select_related("conference", "conference__venue", "room", "room__venue")
        .prefetch_related(_speakers_prefetch(), _themes_prefetch())
    )


def conference_speakers(conference: Conference) -> list[Speaker]:
    """The speakers of the conference with their sessions, alphabetical whatever the accents
    (a database sorts "Émilie" after "Zoé")."""
    speakers = Speaker.objects.filter(conference=conference).prefetch_related(
        Prefetch("sessions", queryset=Session.objects.order_by("starts_at", "title"))
    )
    return sorted(speakers, key=lambda speaker: anyascii(speaker.full_name).casefold())


# --- Timetable layout ---------------------------------------------------------------------


@dataclass(frozen=True)
class TimetableColumn:
    """A heading over one or more grid columns: a room, or the sessions away from the venue."""

    label: str
    column: int
    span: int


@dataclass(frozen=True)
class TimetableSlot:
    """Where a session sits in the grid (CSS grid lines, counted from 1)."""

    session: Session
    column: int
    column_span: int
    row: int
    row_span: int


@dataclass(frozen=True)
class TimetableTime:
    """A time written in the margin, on the row where sessions start."""

    starts_at: dt.datetime
    row: int


@dataclass(frozen=True)
class DayTimetable:
    columns: list[TimetableColumn]
    slots: list[TimetableSlot]
    times: list[TimetableTime]
    column_count: int  # columns of sessions, not counting the column of times
    row_count: int  # rows of ROW_MINUTES, not counting the row of headings


@dataclass(frozen=True)
class ProgrammeDay:
    date: dt.date
    sessions: list[Session]
    timetable: DayTimetable


def _overlap(first: Session, second: Session) -> bool:
    return first.starts_at < second.ends_at and second.starts_at < first.ends_at


def _lanes(sessions: Sequence[Session]) -> list[list[Session]]:
    """Shares sessions out between as few side-by-side lanes as possible so that no two in a
    lane overlap (several site visits leave at the same time)."""
    lanes: list[list[Session]] = []
    for session in sorted(sessions, key=lambda s: (s.starts_at, s.ends_at)):
        for lane in lanes:
            if lane[-1].ends_at <= session.starts_at:
                lane.append(session)
                break
        else:
            lanes.append([session])
    return lanes


def _place_track(
    sessions: Sequence[Session], *, column: int
) -> tuple[int, list[tuple[Session, int, int]]]:
    """Lays out one room (or the off-site sessions) from grid column `column`: returns the number
    of columns it takes and (session, column, span) for each session. A session widens into the
    lanes to its right while they are free during it."""
    lanes = _lanes(sessions)
    placed = []
    for index, lane in enumerate(lanes):
        for session in lane:
            span = 1
            for neighbour in lanes[index + 1 :]:
                if any(_overlap(session, other) for other in neighbour):
                    break
                span += 1
            placed.append((session, column + index, span))
    return max(len(lanes), 1), placed


def _room_name(room: Room, names: dict[int, str]) -> str:
    # .id, not the .pk property: read for every session of the page.
    name = names.get(room.id)
    if name is None:
        name = names[room.id] = room.name
    return name


def day_timetable(
    sessions: Sequence[Session],
    tz: ZoneInfo | dt.tzinfo,
    *,
    room_names: dict[int, str] | None = None,
) -> DayTimetable:
    """The grid of one day: a column per room in use (in the rooms' order), then an "Off-site"
    column for sessions without a room, and rows of ROW_MINUTES from the day's first start.

    A break or social event without a room spans every column, or only the rooms' columns when
    an off-site session runs at the same time; if it clashes with a session in a room, it is
    shown as off-site rather than on top of that session.

    `room_names`: the rooms' names by id, filled as they are read, which programme_days shares
    between its days (a translated name looks its language up at each reading).
    """
    if room_names is None:
        room_names = {}
    if not sessions:
        return DayTimetable(columns=[], slots=[], times=[], column_count=0, row_count=0)
    in_rooms = [session for session in sessions if session.room_id]
    # Each room's sessions in the day's order, found in one pass rather than one per room.
    by_room: dict[int, list[Session]] = {}
    for session in in_rooms:
        if session.room_id is not None:  # always, in `in_rooms`
            by_room.setdefault(session.room_id, []).append(session)
    roomless = [session for session in sessions if not session.room_id]
    all_hands = [session for session in roomless if session.kind in ALL_HANDS_KINDS]
    off_site = [session for session in roomless if session.kind not in ALL_HANDS_KINDS]

    spanning_all, spanning_rooms = [], []
    for session in all_hands:
        clashes = any(
            _overlap(session, other) for other in [*in_rooms, *all_hands] if other is not session
        )
        if clashes or (not in_rooms and any(_overlap(session, o) for o in off_site)):
            off_site.append(session)
        elif any(_overlap(session, other) for other in off_site):
            spanning_rooms.append(session)
        else:
            spanning_all.append(session)

    rooms = sorted(
        # Every session in `in_rooms` has a room, loaded with it.
        {
            session.room_id: session.room for session in in_rooms if session.room is not None
        }.values(),
        key=lambda room: (room.position, _room_name(room, room_names), room.id),
    )
    columns: list[TimetableColumn] = []
    placed: list[tuple[Session, int, int]] = []
    column = FIRST_TRACK_COLUMN
    for room in rooms:
        span, room_placed = _place_track(by_room[room.id], column=column)
        columns.append(
            TimetableColumn(label=_room_name(room, room_names), column=column, span=span)
        )
        placed.extend(room_placed)
        column += span
    room_columns_end = column
    if off_site:
        span, off_site_placed = _place_track(off_site, column=column)
        columns.append(TimetableColumn(label=gettext("Off-site"), column=column, span=span))
        placed.extend(off_site_placed)
        column += span
    # A day of breaks alone still needs a column to span.
    column_count = max(column - FIRST_TRACK_COLUMN, 1)
    placed.extend(
        (session, FIRST_TRACK_COLUMN, room_columns_end - FIRST_TRACK_COLUMN)
        for session in spanning_rooms
    )
    placed.extend((session, FIRST_TRACK_COLUMN, column_count) for session in spanning_all)

    # The earliest moment, localised once (localising keeps the moment: the same minimum).
    day_start = timezone.localtime(min(session.starts_at for session in sessions), tz)

    def row(moment: dt.datetime, *, round_up: bool) -> int:
        minutes = (moment - day_start).total_seconds() / 60 / ROW_MINUTES
        return FIRST_TIME_ROW + (math.ceil(minutes) if round_up else math.floor(minutes))

    slots = []
    for session, first_column, column_span in placed:
        first_row = row(session.starts_at, round_up=False)
        last_row = max(row(session.ends_at, round_up=True), first_row + 1)
        slots.append(
            TimetableSlot(
                session=session,
                column=first_column,
                column_span=column_span,
                row=first_row,
                row_span=last_row - first_row,
            )
        )
    # Reading order follows the clock, then the columns.
    slots.sort(key=lambda slot: (slot.row, slot.column))
    starts = sorted({session.starts_at for session in sessions})
    times = [TimetableTime(starts_at=start, row=row(start, round_up=False)) for start in starts]
    row_count = max(slot.row + slot.row_span for slot in slots) - FIRST_TIME_ROW
    return DayTimetable(
        columns=columns, slots=slots, times=times, column_count=column_count, row_count=row_count
    )


def programme_days(sessions: Iterable[Session], tz: ZoneInfo) -> list[ProgrammeDay]:
    """Sessions (in programme order) grouped by their local day, each day with its timetable."""
    # Many sessions share a start: each distinct one is localised once.
    dates: dict[dt.datetime, dt.date] = {}

    def local_date(session: Session) -> dt.date:
        if session.starts_at not in dates:
            dates[session.starts_at] = timezone.localtime(session.starts_at, tz).date()
        return dates[session.starts_at]

    room_names: dict[int, str] = {}
    days = []
    for date, day_sessions in groupby(sessions, key=local_date):
        sessions_of_day = list(day_sessions)
        days.append(
            ProgrammeDay(
                date=date,
                sessions=sessions_of_day,
                timetable=day_timetable(sessions_of_day, tz, room_names=room_names),
            )
        )
    return days
