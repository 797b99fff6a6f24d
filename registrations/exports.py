"""Streaming spreadsheet exports. Rows are written as they are read from the database, so memory
stays flat whatever the number of registrations."""

import csv
from collections.abc import Callable, Iterable, Iterator

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from registrations.models import Registration

# A cell starting with one of these is read as a formula by spreadsheet programs (CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
UTF8_BOM = "\ufeff"


def spreadsheet_safe(value: object) -> str:
    """The value as text that a spreadsheet shows as text: a leading quote disarms formulas."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


class _Echo:
    """A file-like object whose write() hands the line back, so csv.writer can feed a stream."""

    def write(self, value: str) -> str:
        return value


def _registered_at(registration: Registration) -> str:
    local = timezone.localtime(registration.created_at, registration.conference.tzinfo)
    return local.strftime("%Y-%m-%d %H:%M")


def attendee_columns() -> list[tuple[str, Callable[[Registration], object]]]:
    return [
        (_("Reference"), lambda r: r.reference),
        (_("Status"), lambda r: r.get_status_display()),
        (_("First name"), lambda r: r.first_name),
        (_("Last name"), lambda r: r.last_name),
        (_("Email"), lambda r: r.email),
        (_("Job title"), lambda r: r.job_title),
        (_("Department or organisation"), lambda r: r.organisation),
        (_("City or region"), lambda r: r.authority.name),
        (_("Country"), lambda r: r.authority.country.name),
        (_("Category"), lambda r: r.get_category_display()),
        (_("Language"), lambda r: r.get_preferred_language_display()),
        (_("Registered at"), _registered_at),
    ]


def csv_stream(
    rows: Iterable[Registration], columns: list[tuple[str, Callable[[Registration], object]]]
) -> Iterator[str]:
    """UTF-8 CSV lines, beginning with a byte-order mark so that Excel reads accents right."""
    writer = csv.writer(_Echo())
    yield UTF8_BOM + writer.writerow([spreadsheet_safe(label) for label, _getter in columns])
    for row in rows:
        yield writer.writerow([spreadsheet_safe(getter(row)) for _label, getter in columns])


def attendee_csv(queryset: QuerySet[Registration]) -> Iterator[str]:
    return csv_stream(queryset.iterator(chunk_size=2000), attendee_columns())
