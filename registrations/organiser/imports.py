"""Importing a list of registrations from a spreadsheet (CSV or XLSX): the columns it may have,
reading the file into rows, and registering them through the registration service, all or
nothing. Each row is checked by the form a caller gives (the public form's rules) before it
reaches the service, which checks the rest (capacity, waiting list, the authority's places,
addresses already registered) as for a sign-up."""

import csv
import io
import logging
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import IO, TYPE_CHECKING

import openpyxl
from django.db import transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from conference.models import SESSION_LANGUAGES, Conference
from registrations.authorities.lookup import NewAuthority
from registrations.errors import AlreadyRegisteredError, AuthorityFullError, RegistrationError
from registrations.models import Authority, Registration
from registrations.places.registrations import RegistrationData, registration_create

if TYPE_CHECKING:
    # A development dependency: for the types only.
    from django_stubs_ext import StrOrPromise

logger = logging.getLogger(__name__)

IMPORT_MAX_BYTES = 2 * 1024 * 1024
IMPORT_MAX_ROWS = 2000

# The column of a message that is about the row as a whole.
ROW = ""


@dataclass(frozen=True)
class ImportColumn:
    name: str
    required: bool
    description: "StrOrPromise"
    example: str

    @property
    def help(self) -> str:
        """The description, with the codes a column accepts, in the active language."""
        codes = {
            "category": Registration.Category.values,
            "interpretation_language": [code for code, _name in SESSION_LANGUAGES],
        }.get(self.name)
        if codes is None:
            return str(self.description)
        return str(self.description) % {"codes": ", ".join(codes)}


IMPORT_COLUMNS: tuple[ImportColumn, ...] = (
    ImportColumn("first_name", True, _("Text, up to 100 characters."), "Anna"),
    ImportColumn("last_name", True, _("Text, up to 100 characters."), "Kowalska"),
    ImportColumn(
        "email", True, _("Email address; one registration per address."), "anna@krakow.pl"
    ),
    ImportColumn("job_title", True, _("Text, up to 150 characters."), "Deputy mayor"),
    ImportColumn(
        "authority",
        True,
        _(
            "Name of the city or region, matched ignoring case and accents within its country. "
            "A name not in the list is added for review, as on the public form."
        ),
        "Kraków",
    ),
    ImportColumn(
        "country",
        True,
        _("Country of the city or region: ISO 3166 two-letter code."),
        "PL",
    ),
    ImportColumn(
        "category",
        False,
        _("One of: %(codes)s. Empty: delegate."),
        "speaker",
    ),
    ImportColumn("organisation", False, _("Department or organisation, up to 200 characters."), ""),
    ImportColumn("badge_name", False, _("Name on the badge, if it differs."), ""),
    ImportColumn(
        "phone",
        False,
        _("International (E.164, +48…) or national, read in the country of the city or region."),
        "+48 12 616 12 00",
    ),
    ImportColumn("language", False, _("Language of the emails: en or fr. Empty: en."), "en"),
    ImportColumn(
        "interpretation_language",
        False,
        _("Interpretation listened to: a language code (%(codes)s), or empty for none."),
        "",
    ),
    ImportColumn("dietary_needs", False, _("Text, up to 500 characters."), ""),
    ImportColumn("accessibility_needs", False, _("Text, up to 500 characters."), ""),
    ImportColumn(
        "special_needs_consent",
        False,
        _("yes or no: the delegate agrees to the use of their needs. Required with needs."),
        "",
    ),
)

COLUMN_NAMES = [column.name for column in IMPORT_COLUMNS]
REQUIRED_COLUMNS = [column.name for column in IMPORT_COLUMNS if column.required]


class ImportFileError(RegistrationError):
    """The file cannot be read as a list of registrations: nothing of it is checked."""


@dataclass(frozen=True)
class ImportTable:
    """A file read: the header's columns known, and each row's values by column."""

    columns: list[str]
    ignored_columns: list[str]
    # (the row's number in the file, the header being row 1; its values by column)
    rows: list[tuple[int, dict[str, str]]]


def _header_name(value: str) -> str:
    return "_".join(value.strip().lower().replace("-", " ").split())


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


def _csv_rows(content: bytes) -> list[list[str]]:
    try:
        # utf-8-sig: with or without the byte order mark Excel writes.
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFileError(
            gettext("The file is not in UTF-8. Save it as “CSV UTF-8” and try again.")
        ) from error
    first_line = text.split("\n", 1)[0]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(first_line, delimiters=",;")
    except csv.Error:
        dialect = csv.excel
    return [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text), dialect)]


def _xlsx_rows(content: bytes) -> list[list[str]]:
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise ImportFileError(gettext("The file cannot be read as an XLSX workbook.")) from error
    try:
        sheet = workbook.worksheets[0]
        rows = []
        for values in sheet.iter_rows(values_only=True):
            rows.append([_cell_text(value) for value in values])
            if len(rows) > IMPORT_MAX_ROWS + 1:
                break
        return rows
    finally:
        workbook.close()


def import_table_read(*, file: IO[bytes], name: str) -> ImportTable:
    """Read an uploaded CSV (UTF-8 with or without BOM, comma or semicolon) or XLSX file."""
    content = file.read(IMPORT_MAX_BYTES + 1)
    if len(content) > IMPORT_MAX_BYTES:
        raise ImportFileError(
            gettext("The file is larger than %(size)d MB: split it into smaller files.")
            % {"size": IMPORT_MAX_BYTES // (1024 * 1024)}
        )
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension == "csv":
        raw_rows = _csv_rows(content)
    elif extension == "xlsx":
        raw_rows = _xlsx_rows(content)
    else:
        raise ImportFileError(gettext("Choose a .csv or .xlsx file."))
    raw_rows = [row for row in raw_rows if any(row)] if raw_rows else []
    if not raw_rows:
        raise ImportFileError(gettext("The file is empty."))
    header = [_header_name(value) for value in raw_rows[0]]
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        raise ImportFileError(
            gettext("Required columns missing from the first row: %(columns)s.")
            % {"columns": ", ".join(missing)}
        )
    duplicated = sorted({name for name in header if name and header.count(name) > 1})
    if duplicated:
        raise ImportFileError(
            gettext("Columns named twice: %(columns)s.") % {"columns": ", ".join(duplicated)}
        )
    body = raw_rows[1:]
    if not body:
        raise ImportFileError(gettext("The file has a header but no registrations."))
    if len(body) > IMPORT_MAX_ROWS:
        raise ImportFileError(
            gettext("The file has more than %(count)d registrations: split it into smaller files.")
            % {"count": IMPORT_MAX_ROWS}
        )
    known = [name for name in header if name in COLUMN_NAMES]
    ignored = [name for name in header if name and name not in COLUMN_NAMES]
    rows = []
    # Row numbers as a spreadsheet shows them: the header is row 1. Blank lines were dropped,
    # so the number is counted in the raw rows.
    number = 1
    for raw in raw_rows[1:]:
        number += 1
        values = {
            name: (raw[index] if index < len(raw) else "")
            for index, name in enumerate(header)
            if name in COLUMN_NAMES
        }
        rows.append((number, values))
    return ImportTable(columns=known, ignored_columns=ignored, rows=rows)


@dataclass(frozen=True)
class ImportRow:
    """A row that passed the form: what the registration service is given."""

    number: int
    data: RegistrationData
    authority: Authority | None
    new_authority: NewAuthority | None
    special_needs_consent: bool


@dataclass
class ImportRowResult:
    number: int
    name: str
    email: str
    # Messages by column (ROW: the row as a whole).
    errors: dict[str, list[str]] = field(default_factory=dict)
    status: str = ""
    reference: str = ""
    new_authority: bool = False
    # What the row got, or would get ("Would be confirmed"), once the import ran.
    outcome: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors

    def error_add(self, column: str, message: str) -> None:
        self.errors.setdefault(column, []).append(message)


@dataclass(frozen=True)
class ImportReport:
    rows: list[ImportRowResult]
    dry_run: bool
    saved: bool

    @property
    def error_count(self) -> int:
        return sum(1 for row in self.rows if not row.ok)

    def count(self, status: str) -> int:
        return sum(1 for row in self.rows if row.ok and row.status == status)

    @property
    def confirmed_count(self) -> int:
        return self.count(Registration.Status.CONFIRMED)

    @property
    def waitlisted_count(self) -> int:
        return self.count(Registration.Status.WAITLISTED)

    @property
    def pending_count(self) -> int:
        return self.count(Registration.Status.PENDING)


class _RollBack(Exception):
    """Leaves the import's transaction without saving anything."""


def duplicate_emails_mark(results: Sequence[ImportRowResult]) -> None:
    """The second and later rows of an address already in the file are errors."""
    first_row: dict[str, int] = {}
    for result in results:
        email = result.email.strip().lower()
        if not email:
            continue
        if email in first_row:
            result.error_add(
                "email",
                gettext("The same address as row %(row)d.") % {"row": first_row[email]},
            )
        else:
            first_row[email] = result.number


def registrations_import_rows(
    *,
    conference: Conference,
    results: Sequence[ImportRowResult],
    rows: Sequence[ImportRow],
    dry_run: bool,
    notify: bool,
) -> ImportReport:
    """Register the rows (those of `results` that passed the form, in file order) through the
    registration service, as an organiser: capacity, the waiting list, the authorities' places
    and addresses already registered decide as for a sign-up, in the order of the file. All or
    nothing: if any row has an error, or in a dry run, the transaction is rolled back, and the
    report tells what each row got or would get."""
    by_number = {result.number: result for result in results}
    try:
        with transaction.atomic():
            for row in rows:
                result = by_number[row.number]
                if not result.ok:
                    continue
                try:
                    with transaction.atomic():
                        outcome = registration_create(
                            conference=conference,
                            data=row.data,
                            authority=row.authority,
                            new_authority=row.new_authority,
                            special_needs_consent=row.special_needs_consent,
                            notify=notify,
                            by_organiser=True,
                        )
                except AlreadyRegisteredError as error:
                    result.error_add("email", str(error.message))
                    continue
                except AuthorityFullError as error:
                    result.error_add("authority", str(error.message))
                    continue
                except RegistrationError as error:
                    result.error_add(ROW, str(error.message))
                    continue
                result.status = outcome.registration.status
                result.reference = outcome.registration.reference
                result.new_authority = row.new_authority is not None
            if dry_run or any(not result.ok for result in results):
                raise _RollBack
    except _RollBack:
        saved = False
    else:
        saved = True
        logger.info("conference %s: %s registrations imported", conference.pk, len(rows))
    for result in results:
        if not saved:
            # Drawn in the rolled-back transaction: no registration holds it.
            result.reference = ""
        if result.ok and result.status:
            result.outcome = str((SAVED if saved else WOULD_BE)[result.status])
    return ImportReport(rows=list(results), dry_run=dry_run, saved=saved)


SAVED: "dict[str, StrOrPromise]" = {
    Registration.Status.CONFIRMED: _("Confirmed"),
    Registration.Status.WAITLISTED: _("On the waiting list"),
    Registration.Status.PENDING: _("Pending approval"),
}
WOULD_BE: "dict[str, StrOrPromise]" = {
    Registration.Status.CONFIRMED: _("Would be confirmed"),
    Registration.Status.WAITLISTED: _("Would be on the waiting list"),
    Registration.Status.PENDING: _("Would be pending approval"),
}
