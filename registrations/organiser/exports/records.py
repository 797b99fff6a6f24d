"""The record kept of every export: who, when, what; nothing personal."""

import logging
from collections.abc import Collection, Iterable

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import QuerySet
from django.http import QueryDict

from registrations.models import ExportFormat, ExportKind, ExportRecord, Registration

logger = logging.getLogger(__name__)

# The changelist's free-text search: it may hold a delegate's name, so it is never stored.
SEARCH_PARAMETER = "q"


def export_filter(
    params: QueryDict, *, recorded: Collection[str], ignored: Collection[str] = ("o", "p")
) -> tuple[str, bool]:
    """What may be stored of a changelist's query string: the parameters in `recorded` (its
    filters), and whether anything else narrowed the list: the search, or a lookup typed into
    the address, either of which may hold a name. `ignored` parameters (order, page) narrow
    nothing."""
    kept = QueryDict(mutable=True)
    narrowed = False
    for key, values in params.lists():
        if key in recorded:
            kept.setlist(key, values)
        elif key not in ignored and any(value.strip() for value in values):
            narrowed = True
    return kept.urlencode(), narrowed


def export_record_create(
    *,
    user: User | None,
    source: ExportRecord.Source,
    kind: ExportKind,
    export_format: ExportFormat,
    conference_ids: Iterable[int],
    filter: str,
    searched: bool,
    special_needs: bool,
    rows: int,
) -> ExportRecord:
    """Keep a record that delegates' data left the system: who, when, what; nothing personal."""
    with transaction.atomic():
        record = ExportRecord.objects.create(
            user=user,
            source=source,
            kind=kind,
            format=export_format,
            filter=filter,
            searched=searched,
            special_needs=special_needs,
            rows=rows,
        )
        record.conferences.set(set(conference_ids))
    logger.info(
        "export %s: %s %s, %s rows, by user %s",
        record.pk,
        kind,
        export_format,
        rows,
        user.pk if user else None,
    )
    return record


def conference_ids_of(registrations: QuerySet[Registration]) -> list[int]:
    return list(registrations.order_by().values_list("conference", flat=True).distinct())
