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

The answers are read once, when the first row asks, for all the registrations exported (two
queries), as values rather than instances; rows find theirs by the registration's reference."""

import decimal
from collections.abc import Callable
from operator import itemgetter
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
    attendee_fields,
    local_datetime,
)
from registrations.questions.selectors import questions_asked

# Where the attendee rows (exports.columns.attendee_fields) hold the registration's reference.
ROW_REFERENCE = itemgetter(attendee_fields().index("reference"))

_ANSWER_FIELDS = (
    "registration__reference",
    "question_id",
    "value_text",
    "value_number",
    "value_date",
    "value_datetime",
    "value_bool",
    "value_country",
    "file_name",
    "choice_labels",
)
TEXT, NUMBER, DATE, MOMENT, BOOL, COUNTRY, FILE_NAME, CHOICE_LABELS = range(2, 10)


def _number(value: decimal.Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


class _Answers:
    """The exported registrations' answers, read on first use: reference → question id →
    the answer's values, and the choices made."""

    def __init__(self, registrations: QuerySet[Registration], questions: list[Question]):
        self._registrations = registrations
        self._question_ids = [question.pk for question in questions]
        self._values: dict[str, dict[int, tuple]] | None = None
        self._chosen: dict[str, dict[int, set[int]]] = {}

    def _load(self) -> dict[str, dict[int, tuple]]:
        if self._values is None:
            answers = Answer.objects.filter(
                registration__in=self._registrations, question_id__in=self._question_ids
            )
            values: dict[str, dict[int, tuple]] = {}
            for row in answers.values_list(*_ANSWER_FIELDS):
                values.setdefault(row[0], {})[row[1]] = row
            for reference, question_id, choice_id in Answer.choices.through.objects.filter(
                answer__in=answers
            ).values_list(
                "answer__registration__reference", "answer__question_id", "questionchoice_id"
            ):
                self._chosen.setdefault(reference, {}).setdefault(question_id, set()).add(choice_id)
            self._values = values
        return self._values

    def value(self, reference: str, question_id: int) -> tuple | None:
        return self._load().get(reference, {}).get(question_id)

    def chosen(self, reference: str, question_id: int) -> set[int]:
        self._load()
        return self._chosen.get(reference, {}).get(question_id, set())


def _question_columns(
    question: Question,
    answers: _Answers,
    *,
    xlsx: bool,
    label: str,
    time_zone: str,
    yes: str,
    no: str,
) -> list[Column]:
    def read(index: int, convert: Callable[[Any], object] = lambda value: value):
        def get(row: tuple) -> object:
            answer = answers.value(ROW_REFERENCE(row), question.pk)
            return None if answer is None else convert(answer[index])

        return get

    kind = question.type
    if kind == QuestionType.NUMBER:
        return [Column(label, read(NUMBER, _number), CellType.NUMBER)]
    if kind == QuestionType.DATE:
        return [Column(label, read(DATE), CellType.DATE)]
    if kind == QuestionType.DATETIME:
        return [
            Column(label, read(MOMENT, lambda m: local_datetime(m, time_zone)), CellType.DATETIME)
        ]
    if kind == QuestionType.YES_NO:
        return [Column(label, read(BOOL, lambda v: None if v is None else yes if v else no))]
    if kind == QuestionType.COUNTRY:
        return [Column(label, read(COUNTRY, lambda code: countries.name(code) if code else ""))]
    if kind == QuestionType.FILE:
        return [Column(label, read(FILE_NAME))]
    if not question.has_choices:
        return [Column(label, read(TEXT))]
    choices = list(question.choices.all())
    if xlsx and kind == QuestionType.MULTIPLE_CHOICE:

        def chosen(choice_id: int) -> Callable[[tuple], int | None]:
            return lambda row: (
                1 if choice_id in answers.chosen(ROW_REFERENCE(row), question.pk) else None
            )

        return [
            Column(f"{label}: {choice.label}", chosen(choice.pk), CellType.NUMBER)
            for choice in choices
        ]
    labels = {choice.pk: choice.label for choice in choices}
    order = {choice.pk: index for index, choice in enumerate(choices)}

    def joined(row: tuple) -> str:
        reference = ROW_REFERENCE(row)
        answer = answers.value(reference, question.pk)
        if answer is None:
            return ""
        ids = sorted(answers.chosen(reference, question.pk), key=lambda pk: order.get(pk, 0))
        if ids and all(pk in labels for pk in ids):
            return "; ".join(labels[pk] for pk in ids)
        # A choice deleted since: the labels as chosen, copied with the answer.
        return "; ".join(answer[CHOICE_LABELS] or [])

    return [Column(label, joined)]


def question_columns(
    registrations: QuerySet[Registration], *, special_needs: bool, export_format: str
) -> list[Column]:
    """The columns of the active questions of the registrations' conferences that any of them
    answered, in their order (a conference's after another's, their labels naming the
    conference when there are several); special-category ones only with `special_needs`."""
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
    by_conference = {
        pk: [q for q in questions if q.pk in answered] for pk, questions in by_conference.items()
    }
    answers = _Answers(
        registrations, [q for questions in by_conference.values() for q in questions]
    )
    xlsx = export_format == ExportFormat.XLSX
    yes, no = gettext("Yes"), gettext("No")
    columns: list[Column] = []
    for conference in conferences:
        for question in by_conference[conference.pk]:
            label = (
                question.label if len(conferences) == 1 else f"{question.label} ({conference.name})"
            )
            columns += _question_columns(
                question,
                answers,
                xlsx=xlsx,
                label=label,
                time_zone=conference.time_zone,
                yes=yes,
                no=no,
            )
    return columns


def attendee_columns_with_questions(
    registrations: QuerySet[Registration], *, special_needs: bool, export_format: str
) -> list[Column]:
    """The attendee list's columns (exports.columns.attendee_columns), then the questions'."""
    return attendee_columns(special_needs=special_needs) + question_columns(
        registrations, special_needs=special_needs, export_format=export_format
    )
