"""The rows of each exported list, in the order it prints them."""

import itertools
from collections.abc import Iterable, Iterator
from typing import Any

from django.db import connection
from django.db.models import OuterRef, QuerySet, Subquery, TextField
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast

from conference.models import Conference
from registrations.models import Answer, Registration, SessionBooking
from registrations.organiser.exports.columns import (
    ROW_PK,
    IdList,
    attendee_annotations,
    attendee_fields,
    local_moment_text,
    moments_in_sql,
)

# What answers_by_registration() keeps of an answer, in this order (questions.py reads them by
# these positions): its values, its choices' labels as chosen (JSON text, decoded only when a
# choice was deleted since) and the ids of the choices made (a comma-separated text, in no
# order, or None). On PostgreSQL the moment is text (columns.local_moment_text).
ANSWER_FIELDS = (
    "registration_id",
    "question_id",
    "value_text",
    "value_number",
    "value_date",
    "value_datetime",
    "value_bool",
    "value_country",
    "file_name",
    "choice_labels_text",
    "choice_ids",
)


def attendee_list(queryset: QuerySet[Registration]) -> QuerySet[Registration]:
    """Registrations with what the attendee export prints, in one query."""
    return queryset.select_related("authority", "conference").order_by(
        "conference", "sort_name", "pk"
    )


def attendee_values(queryset: QuerySet[Registration], *, special_needs: bool = False) -> QuerySet:
    """The queryset's rows as values_list() tuples of exports.columns.attendee_fields()."""
    return queryset.annotate(**attendee_annotations()).values_list(
        *attendee_fields(special_needs=special_needs)
    )


def id_list(ids: list[int]) -> list[int] | RawSQL:
    """The ids for an `__in` lookup: on PostgreSQL as one array parameter, since psycopg parses
    a query's placeholders in Python (2,000 of them cost more than reading the rows), and
    as the array's text, which it sends as it is, where it dumps a list item by item."""
    if connection.vendor == "postgresql":
        return RawSQL(
            "SELECT UNNEST(%s::bigint[])", ["{" + ",".join(map(str, map(int, ids))) + "}"]
        )
    return ids


def answers_by_registration(
    registration_ids: list[int], *, special_needs: bool
) -> dict[int, dict[int, tuple]]:
    """The registrations' answers to active questions (special-category ones only with
    `special_needs`), in one query: registration id → question id → the ANSWER_FIELDS tuple."""
    answers = Answer.objects.filter(
        registration_id__in=id_list(registration_ids), question__active=True
    )
    if not special_needs:
        answers = answers.filter(question__special_category=False)
    moments: dict[str, Any] = {}
    fields: tuple[str, ...] = ANSWER_FIELDS
    if moments_in_sql():
        # Each answer's moment as the clock read it at its question's conference.
        moments["value_local"] = local_moment_text(
            "value_datetime", "question__conference__time_zone"
        )
        fields = tuple("value_local" if name == "value_datetime" else name for name in fields)
    chosen = (
        Answer.choices.through.objects.filter(answer=OuterRef("pk"))
        .order_by()
        .values("answer")
        .annotate(ids=IdList("questionchoice_id"))
        .values("ids")  # type: ignore[misc]  # the stubs know no annotation on a through model
    )
    by_registration: dict[int, dict[int, tuple]] = {}
    for answer in (
        answers.order_by()
        .annotate(
            choice_labels_text=Cast("choice_labels", TextField()),
            choice_ids=Subquery(chosen, output_field=TextField()),
            **moments,
        )
        .values_list(*fields)
    ):
        if answer[0] in by_registration:
            by_registration[answer[0]][answer[1]] = answer
        else:
            by_registration[answer[0]] = {answer[1]: answer}
    return by_registration


def with_answers(rows: Iterable[tuple], *, special_needs: bool, chunk_size: int) -> Iterator[tuple]:
    """The attendee rows, each followed by its registration's answers (answers_by_registration,
    an empty dict when none; the question columns read them last in the row), read once for
    every chunk_size rows: a query per chunk, and memory flat in the number of rows."""
    iterator = iter(rows)
    while batch := list(itertools.islice(iterator, chunk_size)):
        answers = answers_by_registration(
            [row[ROW_PK] for row in batch], special_needs=special_needs
        )
        none: dict[int, tuple] = {}
        for row in batch:
            yield (*row, answers.get(row[ROW_PK], none))


def attendee_rows(
    queryset: QuerySet[Registration], *, special_needs: bool = False, chunk_size: int
) -> Iterator[tuple]:
    """The attendee list's rows as the tuples exports.columns.attendee_columns() and the
    question columns read, in the queryset's order, fetched chunk_size at a time (on
    PostgreSQL through a server-side cursor) with their answers: memory stays flat whatever
    the number of rows."""
    return with_answers(
        attendee_values(queryset, special_needs=special_needs).iterator(chunk_size=chunk_size),
        special_needs=special_needs,
        chunk_size=chunk_size,
    )


def registrations_for_export(
    *,
    conference: Conference,
    status: str | None = None,
    category: str | None = None,
    country: str | None = None,
) -> QuerySet[Registration]:
    """The registrations of a conference, optionally of one status, category and country of
    their authority, in the attendee list's order."""
    registrations = Registration.objects.filter(conference=conference)
    if status:
        registrations = registrations.filter(status=status)
    if category:
        registrations = registrations.filter(category=category)
    if country:
        registrations = registrations.filter(authority__country=country)
    return attendee_list(registrations)


def bookings_for_export(bookings: QuerySet[SessionBooking]) -> QuerySet[SessionBooking]:
    """A session's bookings as its attendee list prints them: booked first, then the waiting
    list in order of arrival."""
    return bookings.select_related("registration__authority").order_by("status", "created_at", "pk")
