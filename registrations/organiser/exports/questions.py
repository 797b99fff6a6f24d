"""The attendee list's columns for the conference's questions: one per active question that
someone in the list answered, its label in the export's language, after the built-in
columns. A question no one in the list answered has no column: the built-in questions are
asked at every conference, and a conference that does without its transfers, say, exports no
columns of empty cells (one query tells which questions have answers).

A multiple choice question is one column per choice in XLSX (1 when chosen, empty otherwise:
a spreadsheet counts and filters them) and one "; "-joined column in CSV, one line per
delegate. Numbers are numbers, dates and moments dates (in the conference's time zone); a file
is its name, never its content. Special-category questions only for those allowed to see
special needs, as the attendee list's needs columns.

The answers come with the rows, read once per chunk of rows (exports.selectors.with_answers,
one query), as values rather than instances, last in each row."""

import decimal
import json
from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext
from django_countries import countries

from conference.models import Conference
from registrations.models import Answer, ExportFormat, Question, QuestionType, Registration
from registrations.organiser.exports.columns import (
    CellType,
    Column,
    attendee_columns,
    local_datetime,
    local_moment_getter,
    moments_in_sql,
)
from registrations.questions.selectors import questions_asked

# Where an answer's tuple (exports.selectors.ANSWER_FIELDS) holds each value.
TEXT, NUMBER, DATE, MOMENT, BOOL, COUNTRY, FILE_NAME, CHOICE_LABELS, CHOSEN = range(2, 11)

# Choice sets parsed, or joined into a cell, kept up to this many (memory stays bounded).
_KEPT = 5000


def _choice_ids_parser() -> Callable[[str | None], frozenset[int]]:
    """The ids in an answer's text of chosen ids (exports.selectors.ANSWER_FIELDS), each text
    parsed once per export: choice sets repeat from one delegate to the next."""
    parsed: dict[str | None, frozenset[int]] = {None: frozenset()}

    def choice_ids(text: str | None) -> frozenset[int]:
        if text in parsed:
            return parsed[text]
        if len(parsed) >= _KEPT:
            parsed.clear()
            parsed[None] = frozenset()
        parsed[text] = ids = frozenset(int(pk) for pk in text.split(","))  # type: ignore[union-attr]
        return ids

    return choice_ids


def number_value(value: decimal.Decimal | None) -> int | float | None:
    """A number answer as its cell holds it: an int when whole, else a float."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def country_name(code: str | None) -> str:
    """A country answer's cell: the country's name in the export's language."""
    return countries.name(code) if code else ""


def _question_columns(
    question: Question,
    *,
    xlsx: bool,
    label: str,
    time_zone: str,
    yes: str,
    no: str,
    country_names: dict[str | None, str],
    choice_ids: Callable[[str | None], frozenset[int]],
) -> list[Column]:
    """The question's columns, reading each row's answers (its last item: question id → the
    answer's tuple)."""
    pk = question.pk

    def read(index: int, convert: Callable[[Any], object] | None = None):
        def get(row: tuple) -> object:
            answer = row[-1].get(pk)
            return None if answer is None else answer[index]

        if convert is None:
            return get
        converter = convert

        def converted(row: tuple) -> object:
            answer = row[-1].get(pk)
            return None if answer is None else converter(answer[index])

        return converted

    def country(code: str | None) -> str:
        if code not in country_names:
            country_names[code] = country_name(code)
        return country_names[code]

    kind = question.type
    if kind == QuestionType.NUMBER:
        return [Column(label, read(NUMBER, number_value), CellType.NUMBER)]
    if kind == QuestionType.DATE:
        return [Column(label, read(DATE), CellType.DATE)]
    if kind == QuestionType.DATETIME:
        if moments_in_sql():
            return [
                Column(
                    label, local_moment_getter(read(MOMENT), for_csv=not xlsx), CellType.DATETIME
                )
            ]
        return [
            Column(label, read(MOMENT, lambda m: local_datetime(m, time_zone)), CellType.DATETIME)
        ]
    if kind == QuestionType.YES_NO:
        return [Column(label, read(BOOL, lambda v: None if v is None else yes if v else no))]
    if kind == QuestionType.COUNTRY:
        return [Column(label, read(COUNTRY, country))]
    if kind == QuestionType.FILE:
        return [Column(label, read(FILE_NAME))]
    if not question.has_choices:
        return [Column(label, read(TEXT))]
    choices = list(question.choices.all())
    if xlsx and kind == QuestionType.MULTIPLE_CHOICE:

        def chosen(choice_id: int) -> Callable[[tuple], int | None]:
            def get(row: tuple) -> int | None:
                answer = row[-1].get(pk)
                if answer is None:
                    return None
                return 1 if choice_id in choice_ids(answer[CHOSEN]) else None

            return get

        return [
            Column(f"{label}: {choice.label}", chosen(choice.pk), CellType.NUMBER)
            for choice in choices
        ]
    labels = {choice.pk: choice.label for choice in choices}
    order = {choice.pk: index for index, choice in enumerate(choices)}
    cells: dict[str, str] = {}

    def joined(row: tuple) -> str:
        answer = row[-1].get(pk)
        if answer is None:
            return ""
        key = answer[CHOSEN]
        if key in cells:
            return cells[key]
        ids = choice_ids(key)
        if ids and all(choice_id in labels for choice_id in ids):
            if len(cells) >= _KEPT:
                cells.clear()
            ordered = sorted(ids, key=order.__getitem__)
            cells[key] = text = "; ".join(labels[choice_id] for choice_id in ordered)
            return text
        # A choice deleted since: the labels as chosen, copied with the answer.
        copied = answer[CHOICE_LABELS]
        return "; ".join((json.loads(copied) if copied else None) or [])

    return [Column(label, joined)]


def conferences_and_answered_questions(
    registrations: QuerySet[Registration], *, special_needs: bool
) -> tuple[list[Conference], list[tuple[Conference, Question, str]]]:
    """The registrations' conferences, and the active questions of theirs that any of them
    answered, in their order (a conference's after another's), each with its conference and
    its column's label (naming the conference when there are several); special-category ones
    only with `special_needs`. Their choices are read with them (prefetched, in their
    order)."""
    conference_ids = registrations.order_by().values_list("conference", flat=True).distinct()
    conferences = list(
        Conference.objects.filter(pk__in=conference_ids).order_by("start_date", "pk")
    )
    by_conference = {
        conference.pk: questions_asked(conference, special=special_needs)
        for conference in conferences
    }
    answered = set(
        Answer.objects.filter(
            registration__in=registrations,
            question__in=[q for questions in by_conference.values() for q in questions],
        )
        .order_by()
        .values_list("question_id", flat=True)
        .distinct()
    )
    return conferences, [
        (
            conference,
            question,
            question.label if len(conferences) == 1 else f"{question.label} ({conference.name})",
        )
        for conference in conferences
        for question in by_conference[conference.pk]
        if question.pk in answered
    ]


def yes_no_labels() -> tuple[str, str]:
    """What a yes-or-no answer's cell says, in the export's language."""
    return gettext("Yes"), gettext("No")


def columns_of_questions(
    questions: list[tuple[Conference, Question, str]], *, export_format: str
) -> list[Column]:
    """The columns of answered_questions()."""
    xlsx = export_format == ExportFormat.XLSX
    yes, no = yes_no_labels()
    country_names: dict[str | None, str] = {}
    choice_ids = _choice_ids_parser()
    columns: list[Column] = []
    for conference, question, label in questions:
        columns += _question_columns(
            question,
            xlsx=xlsx,
            label=label,
            time_zone=conference.time_zone,
            yes=yes,
            no=no,
            country_names=country_names,
            choice_ids=choice_ids,
        )
    return columns


def question_columns(
    registrations: QuerySet[Registration], *, special_needs: bool, export_format: str
) -> list[Column]:
    """The columns of the active questions of the registrations' conferences that any of them
    answered, in their order (a conference's after another's, their labels naming the
    conference when there are several); special-category ones only with `special_needs`."""
    _conferences, questions = conferences_and_answered_questions(
        registrations, special_needs=special_needs
    )
    return columns_of_questions(questions, export_format=export_format)


def attendee_columns_with_questions(
    registrations: QuerySet[Registration], *, special_needs: bool, export_format: str
) -> list[Column]:
    """The attendee list's columns (exports.columns.attendee_columns), then the questions'."""
    for_csv = export_format != ExportFormat.XLSX
    return attendee_columns(special_needs=special_needs, for_csv=for_csv) + question_columns(
        registrations, special_needs=special_needs, export_format=export_format
    )
