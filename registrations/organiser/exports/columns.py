"""The columns of each exported list: a header and how to read the cell from a row; every
cell is made safe from spreadsheet formulas."""

import datetime as dt
import re
import zoneinfo
from collections.abc import Callable, Iterable
from functools import cache
from operator import itemgetter
from typing import Any, Protocol, TypeVar

from django.utils.translation import gettext as _
from django_countries.fields import Country

from registrations.models import Authority, Registration, SessionBooking

# A cell starting with one of these is read as a formula by spreadsheet programs (CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

Row = TypeVar("Row")

Column = tuple[str, Callable[[Any], object]]

# A formula start at the beginning of the text or after any character that a spreadsheet program
# may split a CSV line on: the comma we write, but also the semicolon (French and German Excel's
# default) and the tab a user may choose, and line breaks (a reader that ignores the quotes
# starts a row there). Quotes and spaces in between do not disarm it: a reader that splits
# inside a quoted field sees them as the cell's first characters, and some programs trim spaces.
_FORMULA_START = re.compile(r'(?:^|(?<=[,;\t\r\n]))([" ]*)(?=[=+\-@\t\r])')

# Text without any of these characters holds no formula start: most cells, checked in one scan.
_FORMULA_CHARACTER = re.compile(r"[=+\-@\t\r]")


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
    return _FORMULA_START.sub(r"\1'", text)


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
    safe, changes = _FORMULA_START.subn(r"\1'", text)
    if not changes:
        return cells
    if text.count("\n") != len(cells) - 1:
        return [spreadsheet_safe(cell) for cell in cells]
    return safe.split("\n")


def _labels(choices: Iterable[tuple[str, object]]) -> Callable[[str], str]:
    """A choice's label from its value, translated once per export: get_FOO_display()
    translates every label of the field at each call, which is most of an export's time."""
    labels = {value: str(label) for value, label in choices}
    return lambda value: labels.get(value, value)


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


def _local_minute(moment: dt.datetime, time_zone: str) -> str:
    return moment.astimezone(_zone(time_zone)).strftime("%Y-%m-%d %H:%M")


# What the attendee list reads of each registration, as values_list() fields in this order: a
# tuple a row is all an export needs, and builds several times faster than a model instance.
ATTENDEE_FIELDS = (
    "reference",
    "status",
    "first_name",
    "last_name",
    "email",
    "job_title",
    "organisation",
    "authority__name",
    "authority__country",
    "category",
    "preferred_language",
    "created_at",
    "conference__time_zone",
)
SPECIAL_NEEDS_FIELDS = ("dietary_needs", "accessibility_needs")


def attendee_fields(*, special_needs: bool = False) -> tuple[str, ...]:
    """The values_list() fields that attendee_columns() read, in their order."""
    return ATTENDEE_FIELDS + (SPECIAL_NEEDS_FIELDS if special_needs else ())


def attendee_columns(*, special_needs: bool = False) -> list[Column]:
    """The attendee list, read from tuples of attendee_fields() (exports.selectors.
    attendee_rows). Dietary and accessibility needs only for those allowed to see them
    (registrations.view_special_needs): the caller decides."""
    index = {name: position for position, name in enumerate(attendee_fields(special_needs=True))}
    field = {name: itemgetter(position) for name, position in index.items()}
    status = _labels(Registration.Status.choices)
    category = _labels(Registration.Category.choices)
    language = _labels(Registration.Language.choices)
    country = _country_names_by_code()
    created_at, time_zone = index["created_at"], index["conference__time_zone"]
    columns: list[Column] = [
        (_("Reference"), field["reference"]),
        (_("Status"), lambda r: status(r[index["status"]])),
        (_("First name"), field["first_name"]),
        (_("Last name"), field["last_name"]),
        (_("Email"), field["email"]),
        (_("Job title"), field["job_title"]),
        (_("Department or organisation"), field["organisation"]),
        (_("City or region"), field["authority__name"]),
        (_("Country"), lambda r: country(r[index["authority__country"]])),
        (_("Category"), lambda r: category(r[index["category"]])),
        (_("Language"), lambda r: language(r[index["preferred_language"]])),
        (_("Registered at"), lambda r: _local_minute(r[created_at], r[time_zone])),
    ]
    if special_needs:
        columns += [
            (_("Dietary needs"), field["dietary_needs"]),
            (_("Accessibility needs"), field["accessibility_needs"]),
        ]
    return columns


def session_attendee_columns() -> list[Column]:
    """Bookings of one session, with their registration and its authority."""
    booking = _labels(SessionBooking.Status.choices)
    category = _labels(Registration.Category.choices)
    language = _labels(Registration.Language.choices)
    country = _country_names()
    return [
        (_("Reference"), lambda b: b.registration.reference),
        (_("Booking"), lambda b: booking(b.status)),
        (_("First name"), lambda b: b.registration.first_name),
        (_("Last name"), lambda b: b.registration.last_name),
        (_("Email"), lambda b: b.registration.email),
        (_("City or region"), lambda b: b.registration.authority.name),
        (_("Country"), lambda b: country(b.registration.authority.country)),
        (_("Category"), lambda b: category(b.registration.category)),
        (_("Language"), lambda b: language(b.registration.preferred_language)),
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
        (_("Country"), lambda r: country(r.authority.country)),
        (_("City or region"), lambda r: r.authority.name),
        (_("Kind"), lambda r: kind(r.authority.kind)),
        (_("Member"), lambda r: yes if r.authority.is_member else no),
        (_("Coordinator"), _coordinator_cell),
        (_("Reference"), lambda r: r.reference),
        (_("Status"), lambda r: status(r.status)),
        (_("First name"), lambda r: r.first_name),
        (_("Last name"), lambda r: r.last_name),
        (_("Email"), lambda r: r.email),
        (_("Job title"), lambda r: r.job_title),
        (_("Category"), lambda r: category(r.category)),
    ]
