"""The columns of each exported list: a header, how to read the cell from a row, and what the
cell holds (text, a number, a date, a moment), so that a spreadsheet can compute with it. CSV
cells are made safe from spreadsheet formulas; XLSX text is written as string cells, which a
spreadsheet never evaluates."""

import datetime as dt
import enum
import re
import zoneinfo
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from operator import itemgetter
from typing import Any, Protocol, TypeVar

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import (
    Case,
    CharField,
    DateTimeField,
    ExpressionWrapper,
    F,
    Func,
    OuterRef,
    Subquery,
    Value,
    When,
)
from django.db.models.aggregates import Aggregate
from django.utils.translation import gettext as _
from django_countries.fields import Country

from conference.models import SESSION_LANGUAGES, Session
from registrations.models import Authority, Registration, SessionBooking

# A cell starting with one of these is read as a formula by spreadsheet programs (CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

Row = TypeVar("Row")


class CellType(enum.Enum):
    """What a column's cells hold: XLSX writes each kind as its own cell type."""

    TEXT = "text"
    NUMBER = "number"  # an int or a float
    DATE = "date"  # a date
    DATETIME = "datetime"  # a naive datetime, in the conference's time zone


@dataclass(frozen=True, slots=True)
class Column:
    """One column of an export. The lists are built per export (per conference, once custom
    questions add theirs): a list of these, in order."""

    label: str
    get: Callable[[Any], object]
    type: CellType = CellType.TEXT


# What the writers accept: columns, or (label, getter) pairs for text columns.
ColumnLike = Column | tuple[str, Callable[[Any], object]]


def as_columns(columns: Iterable[ColumnLike]) -> list[Column]:
    return [column if isinstance(column, Column) else Column(*column) for column in columns]


# How CSV writes the cells that are not text (XLSX keeps them as numbers and dates).
CSV_DATETIME_FORMAT = "%Y-%m-%d %H:%M"


def csv_value(value: object, cell_type: CellType) -> str:
    if value is None:
        return ""
    if type(value) is str:  # a moment already as the CSV writes it (local_moment_text)
        return value
    if cell_type is CellType.DATETIME:
        return value.strftime(CSV_DATETIME_FORMAT)  # type: ignore[attr-defined]
    if cell_type is CellType.DATE:
        return value.isoformat()  # type: ignore[attr-defined]
    return str(value)


# A formula start at the beginning of the text or after any character that a spreadsheet program
# may split a CSV line on: the comma we write, but also the semicolon (French and German Excel's
# default) and the tab a user may choose, and line breaks (a reader that ignores the quotes
# starts a row there). Quotes and spaces in between do not disarm it: a reader that splits
# inside a quoted field sees them as the cell's first characters, and some programs trim spaces.
_FORMULA_START = re.compile(r'(?:^|(?<=[,;\t\r\n]))([" ]*)(?=[=+\-@\t\r])')

# _FORMULA_START's matches in a text that a line break is put before, each with the character
# before it: the same insertions, found several times faster (a pattern that starts with a
# set of characters is searched for by them; one that starts with a look-behind, at every
# character).
_FORMULA_AFTER_BREAK = re.compile(r'([,;\t\r\n][" ]*)(?=[=+\-@\t\r])')

# Text without any of these characters holds no formula start: most cells, checked in one scan.
_FORMULA_CHARACTER = re.compile(r"[=+\-@\t\r]")


def _disarmed(match: re.Match) -> str:
    # A function rather than the template r"\1'": Python 3.11 expands templates in Python,
    # which was most of the escaping's time once every phone number (+…) needed it.
    return match[1] + "'"


def cell_text(value: object) -> str:
    """The value as the text of a cell ("" for None). XLSX cells are written as strings with
    it: a string cell is never evaluated, so it needs no prefix."""
    return "" if value is None else str(value)


def spreadsheet_safe(value: object) -> str:
    """The value as CSV text that a spreadsheet shows as text whichever separator it reads the
    file with: a quote before every formula start (at the beginning, and after each comma,
    semicolon, tab or line break) disarms it."""
    text = cell_text(value)
    if _FORMULA_CHARACTER.search(text) is None:
        return text
    return _FORMULA_START.sub(_disarmed, text)


def spreadsheet_safe_row(cells: list[Any]) -> list[str]:
    """spreadsheet_safe() of each cell, in one pass over the row rather than one per cell (most
    of a CSV export's time otherwise). The cells are joined with line breaks, which
    _FORMULA_START reads as it reads the start of a cell, and which neither its quotes and
    spaces nor its formula characters cross: each match is one that a cell would have alone.
    The quotes it inserts are no line breaks, so the text splits back into the cells, unless
    a cell holds a line break itself: then each cell is done alone."""
    try:
        text = "\n".join(cells)
    except TypeError:  # None, or a number: not text yet
        cells = [cell_text(cell) for cell in cells]
        text = "\n".join(cells)
    safe, changes = _FORMULA_AFTER_BREAK.subn(_disarmed, "\n" + text)
    if not changes:
        return cells
    if text.count("\n") != len(cells) - 1:
        return [spreadsheet_safe(cell) for cell in cells]
    return safe.split("\n")[1:]  # the line break put first stays first


def _labels(choices: Iterable[tuple[str, object]]) -> Callable[[str], str]:
    """A choice's label from its value, translated once per export: get_FOO_display()
    translates every label of the field at each call, which is most of an export's time."""
    labels = {value: str(label) for value, label in choices}
    return lambda value: labels.get(value, value)


def _row_labels(position: int, choices: Iterable[tuple[str, object]]) -> Callable[[tuple], str]:
    """_labels() of a row's value at `position`, in one call a cell."""
    get = {value: str(label) for value, label in choices}.get

    def label(row: tuple) -> str:
        value = row[position]
        return get(value, value)

    return label


def _country_names() -> Callable[[Country], str]:
    """A country's name, looked up once per country and export."""
    names: dict[str | None, str] = {}

    def name(country: Country) -> str:
        if country.code not in names:
            names[country.code] = str(country.name)
        return names[country.code]

    return name


def _country_names_by_code() -> Callable[[str], str]:
    """A country's name from its code, looked up once per country and export."""
    names: dict[str, str] = {}

    def name(code: str) -> str:
        if code not in names:
            names[code] = str(Country(code=code).name)
        return names[code]

    return name


@cache
def _zone(name: str) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(name)


def local_datetime(moment: dt.datetime | None, time_zone: str) -> dt.datetime | None:
    """The moment as the clock read it in `time_zone`, without a zone (as XLSX stores it), to
    the second."""
    if moment is None:
        return None
    return moment.astimezone(_zone(time_zone)).replace(tzinfo=None, microsecond=0)


def moments_in_sql() -> bool:
    """Whether the database turns the exports' moments into their local clock time as text
    (local_moment_text): PostgreSQL does, in a fraction of the time reading and converting
    each timestamp costs in Python; SQLite knows no time zones."""
    return connection.vendor == "postgresql"


@cache
def _database_time_zones(alias: str) -> frozenset[str]:
    # pg_timezone_names reads the server's whole time zone database at each query (some 30 ms,
    # as long for one name as for all): read once per process and database.
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT name FROM pg_timezone_names")
        return frozenset(name for (name,) in cursor.fetchall())


def database_knows_time_zone(name: str, *, using: str = DEFAULT_DB_ALIAS) -> bool:
    """Whether PostgreSQL's time zone database has the zone: a conference's zone is one Python
    knows (conference.models.validate_time_zone), which a server of older time zone data may
    not, and would refuse ("time zone … not recognized")."""
    return name in _database_time_zones(using)


@cache
def _python_time_zones() -> tuple[str, ...]:
    return tuple(sorted(zoneinfo.available_timezones()))


def _zones_unknown_to_database() -> list[str]:
    """The zones a conference may have that PostgreSQL does not know (usually none)."""
    return [
        name
        for name in _python_time_zones()
        if not database_knows_time_zone(name, using=connection.alias)
    ]


# A moment's local time as local_moment_text() writes it: local_datetime()'s clock time, to
# the second, which CSV cuts to its minutes (CSV_DATETIME_FORMAT) and XLSX parses back.
_SQL_MOMENT_FORMAT = "YYYY-MM-DD HH24:MI:SS"
SQL_MOMENT_LENGTH = len("2026-06-01 08:15:00")
CSV_MOMENT_LENGTH = len("2026-06-01 08:15")
# A moment in a zone PostgreSQL does not know, as local_moment_text() writes it: the moment in
# UTC and the zone's name ("2026-06-01T06:15:00.000000+00:00 America/Ciudad_Juarez"), which
# Python turns into local time (_local_from_utc_text).
_SQL_UTC_MOMENT_FORMAT = 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00 "'


def local_moment_text(moment: str, time_zone: str) -> Func | Case:
    """The `moment` field's clock time in the `time_zone` field's zone, as text (PostgreSQL:
    see moments_in_sql). In a zone the server does not know, the moment in UTC and the zone
    instead (_SQL_UTC_MOMENT_FORMAT): local_moment_getter() converts it as SQLite's path."""
    local = Func(
        Func(F(time_zone), F(moment), function="timezone"),
        Value(_SQL_MOMENT_FORMAT),
        function="to_char",
        output_field=CharField(),
    )
    unknown = _zones_unknown_to_database()
    if not unknown:
        return local
    # || rather than Concat(), which would make a missing moment the zone's name alone.
    in_utc = Func(
        Func(
            Func(Value("UTC"), F(moment), function="timezone", output_field=DateTimeField()),
            Value(_SQL_UTC_MOMENT_FORMAT),
            function="to_char",
            output_field=CharField(),
        ),
        F(time_zone),
        template="(%(expressions)s)",
        arg_joiner=" || ",
        output_field=CharField(),
    )
    return Case(
        When(**{f"{time_zone}__in": unknown}, then=in_utc),
        default=local,
        output_field=CharField(),
    )


def _local_from_utc_text(text: str) -> dt.datetime | None:
    moment, _, time_zone = text.partition(" ")
    return local_datetime(dt.datetime.fromisoformat(moment), time_zone)


def local_moment_getter(
    get: Callable[[Any], str | None], *, for_csv: bool
) -> Callable[[Any], object]:
    """A cell of a moment read as local_moment_text: for CSV its text to the minute, for XLSX
    the naive datetime local_datetime() would give."""
    if for_csv:

        def text(row: Any) -> str:
            value = get(row)
            if value is None:
                return ""
            if len(value) == SQL_MOMENT_LENGTH:
                return value[:CSV_MOMENT_LENGTH]
            return csv_value(_local_from_utc_text(value), CellType.DATETIME)

        text.gives_csv_text = True  # type: ignore[attr-defined]  # csv_value() is no-op on it
        return text
    parse = dt.datetime.fromisoformat

    def moment(row: Any) -> dt.datetime | None:
        value = get(row)
        if value is None:
            return None
        if len(value) == SQL_MOMENT_LENGTH:
            return parse(value)
        return _local_from_utc_text(value)

    return moment


class IdList(Aggregate):
    """The ids of the group as one text, comma-separated (in no order): GROUP_CONCAT on SQLite,
    STRING_AGG on PostgreSQL."""

    function = "GROUP_CONCAT"
    output_field = CharField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            function="STRING_AGG",
            template="%(function)s(%(expressions)s::text, ',')",
            **extra_context,
        )


def booked_session_ids() -> Subquery:
    """The ids of the sessions a registration is booked into (not waiting for), as a text."""
    return Subquery(
        SessionBooking.objects.filter(
            registration=OuterRef("pk"), status=SessionBooking.Status.BOOKED
        )
        .order_by()
        .values("registration")
        .annotate(ids=IdList("session_id"))
        .values("ids"),
        output_field=CharField(),
    )


# What the attendee list reads of each registration, as values_list() fields in this order: a
# tuple a row is all an export needs, and builds several times faster than a model instance.
# The names of ATTENDEE_ANNOTATIONS are annotated first (exports.selectors.attendee_values).
ATTENDEE_FIELDS = (
    "reference",
    "status",
    "first_name",
    "last_name",
    "email",
    "phone_e164",
    "job_title",
    "organisation",
    "authority__name",
    "authority__country",
    "category",
    "preferred_language",
    "interpretation_language",
    "booked_session_ids",
    "created_at",
    "conference__time_zone",
    "pk",
)
# Where a row holds its registration's id (exports.selectors.with_answers reads it).
ROW_PK = ATTENDEE_FIELDS.index("pk")
SPECIAL_NEEDS_FIELDS = ("dietary_needs", "accessibility_needs")


# Where a row holds its registration time: on PostgreSQL as local text (moments_in_sql).
_CREATED_AT = ATTENDEE_FIELDS.index("created_at")


def attendee_annotations() -> dict[str, Any]:
    annotations = {
        # The stored text, E.164 already (PHONENUMBER_DB_FORMAT): read as a PhoneNumber, each
        # row's would be parsed again.
        "phone_e164": ExpressionWrapper(F("phone"), output_field=CharField()),
        "booked_session_ids": booked_session_ids(),
    }
    if moments_in_sql():
        annotations["created_local"] = local_moment_text("created_at", "conference__time_zone")
    return annotations


def attendee_fields(*, special_needs: bool = False) -> tuple[str, ...]:
    """The values_list() fields that attendee_columns() read, in their order."""
    fields = ATTENDEE_FIELDS + (SPECIAL_NEEDS_FIELDS if special_needs else ())
    if moments_in_sql():
        fields = (*fields[:_CREATED_AT], "created_local", *fields[_CREATED_AT + 1 :])
    return fields


def session_label(session: Session) -> tuple[dt.datetime, int, str]:
    """How a booked session is named in the attendee list ("2026-06-10 14:00 Title", its start
    in its conference's time zone), after its start and id, by which a cell orders them. The
    session's conference must be read with it (select_related)."""
    start = session.starts_at.astimezone(_zone(session.conference.time_zone))
    return start, session.pk, f"{start:%Y-%m-%d %H:%M} {session.title}"


def _session_labels() -> Callable[[str | None], str]:
    """The sessions of a list of ids as one cell: "2026-06-10 14:00 Title; …", by start time in
    the conference's time zone. Sessions are read a conference at a time, when a row first
    names one of its sessions: one query per conference, whatever the number of rows."""
    labels: dict[int, tuple[dt.datetime, int, str]] = {}

    def load(session_id: int) -> None:
        sessions = Session.objects.filter(
            conference__in=Session.objects.filter(pk=session_id).values("conference")
        ).select_related("conference")
        for session in sessions:
            labels[session.pk] = session_label(session)

    # Delegates share their sets of sessions: each text of ids is made into a cell once (a
    # few thousand at most are kept, so memory stays bounded whatever the rows).
    cells: dict[str, str] = {}

    def cell(ids: str | None) -> str:
        if not ids:
            return ""
        if ids in cells:
            return cells[ids]
        keys = []
        for text in ids.split(","):
            session_id = int(text)
            if session_id not in labels:
                load(session_id)
            keys.append(labels[session_id])
        if len(cells) >= _SESSION_CELLS_KEPT:
            cells.clear()
        cells[ids] = text = "; ".join(label for _start, _pk, label in sorted(keys))
        return text

    return cell


_SESSION_CELLS_KEPT = 5000


def attendee_columns(*, special_needs: bool = False, for_csv: bool = False) -> list[Column]:
    """The attendee list, read from tuples of attendee_fields() (exports.selectors.
    attendee_rows). Dietary and accessibility needs only for those allowed to see them
    (registrations.view_special_needs): the caller decides.

    Booked sessions are one column of "; "-joined start times and titles rather than a column
    per session: the list may span conferences (a column per session of each), and in a
    spreadsheet a text filter "contains <title>" picks a session's delegates while the cell
    still reads as their programme; the CSV, a single line per delegate, reads the same.
    `for_csv`: the columns of a CSV file (its moments may be text already, moments_in_sql)."""
    index = {name: position for position, name in enumerate(attendee_fields(special_needs=True))}
    field = {name: itemgetter(position) for name, position in index.items()}
    status = _row_labels(index["status"], Registration.Status.choices)
    category = _row_labels(index["category"], Registration.Category.choices)
    language = _row_labels(index["preferred_language"], Registration.Language.choices)
    interpretation = _row_labels(index["interpretation_language"], [("", ""), *SESSION_LANGUAGES])
    country = _country_names_by_code()
    sessions = _session_labels()
    created_at, time_zone = _CREATED_AT, index["conference__time_zone"]
    columns = [
        Column(_("Reference"), field["reference"]),
        Column(_("Status"), status),
        Column(_("First name"), field["first_name"]),
        Column(_("Last name"), field["last_name"]),
        Column(_("Email"), field["email"]),
        Column(_("Phone"), field["phone_e164"]),
        Column(_("Job title"), field["job_title"]),
        Column(_("Department or organisation"), field["organisation"]),
        Column(_("City or region"), field["authority__name"]),
        Column(_("Country"), lambda r: country(r[index["authority__country"]])),
        Column(_("Country code"), field["authority__country"]),
        Column(_("Category"), category),
        Column(_("Language"), language),
        Column(_("Interpretation language"), interpretation),
        Column(_("Booked sessions"), lambda r: sessions(r[index["booked_session_ids"]])),
        Column(
            _("Registered at"),
            local_moment_getter(itemgetter(created_at), for_csv=for_csv)
            if moments_in_sql()
            else lambda r: local_datetime(r[created_at], r[time_zone]),
            CellType.DATETIME,
        ),
    ]
    if special_needs:
        columns += [
            Column(_("Dietary needs"), field["dietary_needs"]),
            Column(_("Accessibility needs"), field["accessibility_needs"]),
        ]
    return columns


def _phone(registration: Registration) -> str:
    return registration.phone.as_e164 if registration.phone else ""


def session_attendee_columns() -> list[Column]:
    """Bookings of one session, with their registration and its authority."""
    booking = _labels(SessionBooking.Status.choices)
    category = _labels(Registration.Category.choices)
    language = _labels(Registration.Language.choices)
    interpretation = _labels([("", ""), *SESSION_LANGUAGES])
    country = _country_names()
    return [
        Column(_("Reference"), lambda b: b.registration.reference),
        Column(_("Booking"), lambda b: booking(b.status)),
        Column(_("First name"), lambda b: b.registration.first_name),
        Column(_("Last name"), lambda b: b.registration.last_name),
        Column(_("Email"), lambda b: b.registration.email),
        Column(_("Phone"), lambda b: _phone(b.registration)),
        Column(_("City or region"), lambda b: b.registration.authority.name),
        Column(_("Country"), lambda b: country(b.registration.authority.country)),
        Column(_("Country code"), lambda b: b.registration.authority.country.code),
        Column(_("Category"), lambda b: category(b.registration.category)),
        Column(_("Language"), lambda b: language(b.registration.preferred_language)),
        Column(
            _("Interpretation language"),
            lambda b: interpretation(b.registration.interpretation_language),
        ),
    ]


class _WithCoordinator(Protocol):
    """A registration as authorities.delegation_list annotates it (None: no delegation)."""

    coordinator_name: str | None
    coordinator_email: str | None


def _coordinator_cell(registration: _WithCoordinator) -> str:
    if not registration.coordinator_name:
        return ""
    return f"{registration.coordinator_name} <{registration.coordinator_email}>"


def delegation_columns() -> list[Column]:
    """Registrations as authorities.delegation_list annotates them (coordinator_name and
    coordinator_email)."""
    yes, no = _("yes"), _("no")
    kind = _labels(Authority.Kind.choices)
    status = _labels(Registration.Status.choices)
    category = _labels(Registration.Category.choices)
    country = _country_names()
    return [
        Column(_("Country"), lambda r: country(r.authority.country)),
        Column(_("Country code"), lambda r: r.authority.country.code),
        Column(_("City or region"), lambda r: r.authority.name),
        Column(_("Kind"), lambda r: kind(r.authority.kind)),
        Column(_("Member"), lambda r: yes if r.authority.is_member else no),
        Column(_("Coordinator"), _coordinator_cell),
        Column(_("Reference"), lambda r: r.reference),
        Column(_("Status"), lambda r: status(r.status)),
        Column(_("First name"), lambda r: r.first_name),
        Column(_("Last name"), lambda r: r.last_name),
        Column(_("Email"), lambda r: r.email),
        Column(_("Phone"), _phone),
        Column(_("Job title"), lambda r: r.job_title),
        Column(_("Category"), lambda r: category(r.category)),
    ]
