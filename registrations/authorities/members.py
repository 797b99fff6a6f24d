"""The network's member list: read from CSV, imported all-or-nothing with a report per line."""

import codecs
import csv
import io
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from registrations.errors import RegistrationError
from registrations.models import Authority, authority_name_key, validate_region_code

logger = logging.getLogger(__name__)

MEMBER_LIST_COLUMNS = ("name", "country", "kind", "member", "region_code")

MEMBER_LIST_REQUIRED_COLUMNS = {"name", "country"}

MEMBER_LIST_DELIMITERS = (",", ";")  # spreadsheets in continental Europe save with semicolons

MEMBER_TRUE = {"yes", "true", "1"}

MEMBER_FALSE = {"no", "false", "0"}

# The key a row's line number travels under, from member_list_read to authorities_import.
LINE = "line"


class ImportOutcome(models.TextChoices):
    CREATED = "created", _("created")
    UPDATED = "updated", _("updated")
    UNCHANGED = "unchanged", _("unchanged")
    REJECTED = "rejected", _("rejected")


@dataclass(frozen=True)
class ImportedLine:
    line: int
    name: str
    # The ISO code, or the text of the file when it names no known country.
    country: str
    outcome: ImportOutcome
    # Why the line was rejected, or what an update changes.
    detail: str = ""


@dataclass(frozen=True)
class ImportReport:
    lines: tuple[ImportedLine, ...]
    written: bool
    dry_run: bool
    checked_at: datetime

    def count(self, outcome: ImportOutcome) -> int:
        return sum(1 for line in self.lines if line.outcome == outcome)

    @property
    def totals(self) -> dict[ImportOutcome, int]:
        return {outcome: self.count(outcome) for outcome in ImportOutcome}

    @property
    def rejected(self) -> int:
        return self.count(ImportOutcome.REJECTED)

    @property
    def summary(self) -> str:
        return gettext(
            "%(created)d created, %(updated)d updated, %(unchanged)d unchanged, "
            "%(rejected)d rejected."
        ) % {outcome.value: count for outcome, count in self.totals.items()}

    @property
    def conclusion(self) -> str:
        if self.rejected:
            return ngettext(
                "Nothing was written: %(count)d line was rejected. Correct it and import "
                "the file again.",
                "Nothing was written: %(count)d lines were rejected. Correct them and import "
                "the file again.",
                self.rejected,
            ) % {"count": self.rejected}
        if self.dry_run:
            return gettext("Dry run: the file is valid; nothing was written.")
        return gettext("The member list was imported.")


def member_list_read(content: bytes | str) -> list[dict]:
    """The rows of a member list in CSV (UTF-8, with or without a byte-order mark, comma- or
    semicolon-separated, a header row naming the columns), each a dict of its cells by column
    name plus its line number under LINE. A row with more cells than the header has them
    under None, as csv.DictReader does. Raises RegistrationError when the file cannot be read."""
    if isinstance(content, bytes):
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise RegistrationError(
                gettext("The file is not UTF-8 text. Save it as “CSV UTF-8” and try again.")
            ) from error
    else:
        text = content.removeprefix(codecs.BOM_UTF8.decode())
    if not text.strip():
        raise RegistrationError(gettext("The file is empty."))
    # The header decides the separator: the one that splits it into the expected columns.
    for delimiter in MEMBER_LIST_DELIMITERS:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        columns = [column.strip().lower() for column in next(reader)]
        if set(columns) >= MEMBER_LIST_REQUIRED_COLUMNS:
            break
    else:
        raise RegistrationError(
            gettext("The first line must name the columns: %(columns)s.")
            % {"columns": ", ".join(MEMBER_LIST_COLUMNS)}
        )
    rows = []
    for cells in reader:
        if not any(cell.strip() for cell in cells):
            continue
        row: dict = dict(zip(columns, cells, strict=False))
        extra = [cell for cell in cells[len(columns) :] if cell.strip()]
        if extra:
            row[None] = extra
        row[LINE] = reader.line_num
        rows.append(row)
    return rows


@dataclass
class _Candidate:
    """A row of the member list, read and checked, before it is matched."""

    line: int
    name: str
    country: str
    kind: str | None  # None: not given
    is_member: bool
    region_code: str  # "": not given
    reasons: list[str]

    @property
    def key(self) -> tuple[str, str]:
        return (self.country, authority_name_key(self.name))


def _country_code(text: str) -> str:
    """The ISO code of a country given by its code or English name; "" if none matches."""
    if len(text) == 2:
        return countries.alpha2(text)
    return countries.by_name(text, language="en")


def _kind_lookup() -> dict[str, str]:
    """Kinds by their value and by their English label, folded like names."""
    with translation.override("en"):
        lookup = {authority_name_key(str(label)): value for value, label in Authority.Kind.choices}
    return lookup | {value: value for value in Authority.Kind.values}


def _read_row(row: dict, *, line: int, kinds: dict[str, str]) -> _Candidate:
    def cell(column: str) -> str:
        return (row.get(column) or "").strip()

    reasons = []
    if row.get(None):
        reasons.append(
            gettext(
                "The line has more cells than the header has columns: put a name that "
                "contains a comma or semicolon between double quotes."
            )
        )
    name = " ".join(cell("name").split())
    # A CharField: its max_length is always set.
    name_length = cast(int, Authority._meta.get_field("name").max_length)
    if not name:
        reasons.append(gettext("The name is missing."))
    elif len(name) > name_length:
        reasons.append(
            gettext("The name is longer than %(count)d characters.") % {"count": name_length}
        )
    country = _country_code(cell("country"))
    if not cell("country"):
        reasons.append(gettext("The country is missing."))
    elif not country:
        reasons.append(
            gettext("Unknown country “%(value)s”: give its ISO code (e.g. FR) or its English name.")
            % {"value": cell("country")}
        )
    kind = None
    if cell("kind"):
        kind = kinds.get(authority_name_key(cell("kind")))
        if kind is None:
            reasons.append(
                gettext("Unknown kind “%(value)s”: use one of %(kinds)s.")
                % {"value": cell("kind"), "kinds": ", ".join(Authority.Kind.values)}
            )
    member = cell("member").casefold()
    if member and member not in MEMBER_TRUE | MEMBER_FALSE:
        reasons.append(
            gettext("Unknown member value “%(value)s”: use yes or no.") % {"value": cell("member")}
        )
    region_code = cell("region_code").upper()
    if region_code and country:
        try:
            validate_region_code(region_code, country)
        except ValidationError as error:
            reasons.extend(error.messages)
    return _Candidate(
        line=line,
        name=name,
        country=country or cell("country"),
        kind=kind,
        is_member=member not in MEMBER_FALSE,
        region_code=region_code,
        reasons=reasons,
    )


def _changes(authority: Authority, candidate: _Candidate) -> list[str]:
    """Apply the row to a matching authority; returns the names of the fields it changes."""
    values = {
        "is_member": candidate.is_member,
        "needs_review": False,
        # A blank cell keeps what an organiser entered: the import never erases it.
        "kind": candidate.kind or authority.kind,
        "region_code": candidate.region_code or authority.region_code,
    }
    if authority.needs_review:
        # Typed by a delegate and never checked: the network's spelling is the better one.
        # A reviewed name is an organiser's choice and stays.
        values["name"] = candidate.name
    changed = []
    for field, value in values.items():
        if getattr(authority, field) != value:
            setattr(authority, field, value)
            changed.append(field)
    return changed


def authorities_import(
    *, rows: Iterable[dict], dry_run: bool = False, now: datetime | None = None
) -> ImportReport:
    """Import the network's member list: each row matches an authority of its country by name,
    whatever the case, accents and spacing ("Liege" is "Liège"), which is updated and marked
    reviewed; the others are created as reviewed authorities. A blank kind or regional code
    keeps the authority's own; a blank member cell means a member (it is the member list).

    All or nothing: when any row is rejected, or with dry_run, nothing is written and the
    report says what each line would have done. Rows are numbered by their LINE, else by their
    position after a header line."""
    checked_at = now or timezone.now()
    kinds = _kind_lookup()
    candidates = [
        _read_row(row, line=row.get(LINE) or position, kinds=kinds)
        for position, row in enumerate(rows, start=2)
    ]
    first_line_of: dict[tuple[str, str], int] = {}
    for candidate in candidates:
        if candidate.reasons:
            continue
        if candidate.key in first_line_of:
            candidate.reasons.append(
                gettext("The same authority as line %(line)d.")
                % {"line": first_line_of[candidate.key]}
            )
        else:
            first_line_of[candidate.key] = candidate.line

    try:
        with transaction.atomic():
            report_lines, written = _import_locked(candidates, first_line_of, dry_run=dry_run)
    except IntegrityError as error:
        # A delegate named one of the new authorities while the file was imported.
        raise RegistrationError(
            gettext(
                "The authorities changed during the import; nothing was written. "
                "Import the file again."
            )
        ) from error
    report = ImportReport(
        lines=report_lines, written=written, dry_run=dry_run, checked_at=checked_at
    )
    logger.info(
        "member list %s: %s",
        "imported" if written else "checked",
        {outcome.value: count for outcome, count in report.totals.items()},
    )
    return report


def _import_locked(
    candidates: list[_Candidate], first_line_of: dict[tuple[str, str], int], *, dry_run: bool
) -> tuple[tuple[ImportedLine, ...], bool]:
    """The report's lines, and whether they were written."""
    names = {key for _country, key in first_line_of}
    # Matching authorities stay locked until the import commits: an organiser's edit in the
    # meantime waits rather than being overwritten.
    existing = {
        (authority.country.code, authority.name_key): authority
        for authority in Authority.objects.select_for_update().filter(name_key__in=names)
    }
    lines: list[ImportedLine] = []
    to_save: list[Authority] = []
    for candidate in candidates:
        outcome, detail = _match(candidate, existing, to_save)
        lines.append(
            ImportedLine(
                line=candidate.line,
                name=candidate.name,
                country=candidate.country,
                outcome=outcome,
                detail=detail,
            )
        )
    written = not (dry_run or any(line.outcome == ImportOutcome.REJECTED for line in lines))
    if written:
        for authority in to_save:
            authority.save()
    return tuple(lines), written


def _match(
    candidate: _Candidate,
    existing: dict[tuple[str, str], Authority],
    to_save: list[Authority],
) -> tuple[ImportOutcome, str]:
    if candidate.reasons:
        return ImportOutcome.REJECTED, " ".join(candidate.reasons)
    authority = existing.get(candidate.key)
    if authority is None:
        authority = Authority(
            name=candidate.name,
            country=candidate.country,
            kind=candidate.kind or Authority.Kind.MUNICIPALITY,
            is_member=candidate.is_member,
            region_code=candidate.region_code,
            needs_review=False,
        )
        changed, outcome = [], ImportOutcome.CREATED
    else:
        changed = _changes(authority, candidate)
        if not changed:
            return ImportOutcome.UNCHANGED, ""
        outcome = ImportOutcome.UPDATED
    try:
        # Uniqueness was settled above: one row per authority, matched to the existing ones.
        authority.full_clean(
            exclude=["name_key"], validate_unique=False, validate_constraints=False
        )
    except ValidationError as error:
        return ImportOutcome.REJECTED, " ".join(error.messages)
    to_save.append(authority)
    if outcome == ImportOutcome.CREATED:
        return outcome, ""
    # _changes() names only the model's own fields, never a relation.
    fields = ", ".join(
        str(cast(models.Field, Authority._meta.get_field(field)).verbose_name) for field in changed
    )
    if authority.name != candidate.name:
        return outcome, gettext("Matched “%(name)s”; changes: %(fields)s.") % {
            "name": authority.name,
            "fields": fields,
        }
    return outcome, gettext("Changes: %(fields)s.") % {"fields": fields}
