"""The columns of each exported list: a header and how to read the cell from a row; every
cell is made safe from spreadsheet formulas."""

import re
from collections.abc import Callable, Iterable
from typing import Any, Protocol, TypeVar

from django.utils import timezone
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


def cell_text(value: object) -> str:
    """The value as the text of a cell ("" for None). XLSX cells are written as strings with
    it: a string cell is never evaluated, so it needs no prefix."""
    return "" if value is None else str(value)


def spreadsheet_safe(value: object) -> str:
    """The value as CSV text that a spreadsheet shows as text whichever separator it reads the
    file with: a quote before every formula start (at the beginning, and after each comma,
    semicolon, tab or line break) disarms it."""
    return _FORMULA_START.sub(r"\1'", cell_text(value))


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


def _registered_at(registration: Registration) -> str:
    local = timezone.localtime(registration.created_at, registration.conference.tzinfo)
    return local.strftime("%Y-%m-%d %H:%M")


def attendee_columns(*, special_needs: bool = False) -> list[Column]:
    """The attendee list. Dietary and accessibility needs only for those allowed to see them
    (registrations.view_special_needs): the caller decides."""
    status = _labels(Registration.Status.choices)
    category = _labels(Registration.Category.choices)
    language = _labels(Registration.Language.choices)
    country = _country_names()
    columns = [
        (_("Reference"), lambda r: r.reference),
        (_("Status"), lambda r: status(r.status)),
        (_("First name"), lambda r: r.first_name),
        (_("Last name"), lambda r: r.last_name),
        (_("Email"), lambda r: r.email),
        (_("Job title"), lambda r: r.job_title),
        (_("Department or organisation"), lambda r: r.organisation),
        (_("City or region"), lambda r: r.authority.name),
        (_("Country"), lambda r: country(r.authority.country)),
        (_("Category"), lambda r: category(r.category)),
        (_("Language"), lambda r: language(r.preferred_language)),
        (_("Registered at"), _registered_at),
    ]
    if special_needs:
        columns += [
            (_("Dietary needs"), lambda r: r.dietary_needs),
            (_("Accessibility needs"), lambda r: r.accessibility_needs),
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
