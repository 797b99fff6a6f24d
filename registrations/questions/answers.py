"""A registration's answers: what a form hands over (AnswersInput), the checks the forms rely
on, the capacity of choices, and the writes.

The writes run inside the caller's transaction: the one that creates the registration, or
changes its answers, with the choices that have a capacity locked by places_lock (after the
sessions, by id: registrations.places.answers). A choice's seats are counted then among active
registrations (not cancelled or rejected), a count bounded by the capacity."""

import datetime
import decimal
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from registrations.errors import RegistrationError
from registrations.models import Answer, Question, QuestionChoice, QuestionType, Registration

REQUIRED_MESSAGE = _("This question needs an answer.")


class AnswerError(RegistrationError):
    """An answer was refused; shown beside its question's field."""

    def __init__(self, message, *, question_id: int):
        super().__init__(message)
        self.question_id = question_id


class ChoiceFullError(AnswerError):
    """A choice chosen has no seats left."""


@dataclass(frozen=True)
class AnswersInput:
    """What a form asked and what it received: `values` maps a question's id to its cleaned
    value, as the question's type holds it: str (text, long text, a country's code), Decimal,
    date, aware datetime, bool (yes or no), a choice id (single choice), a list of choice ids
    (multiple choice), an UploadedFile. None, "" or []: no answer. A file question without a
    new file keeps the file it holds."""

    questions: tuple[Question, ...]
    values: dict[int, Any] = field(default_factory=dict)

    def asked_of(self, category: str) -> list[Question]:
        return [question for question in self.questions if question.asked_of(category)]

    def has_special(self, category: str) -> bool:
        """Does it hold an answer to a special-category question (which needs the consent)?"""
        return any(
            question.special_category and not value_is_empty(self.values.get(question.pk))
            for question in self.asked_of(category)
        )

    def choice_ids(self, category: str) -> set[int]:
        ids: set[int] = set()
        for question in self.asked_of(category):
            if question.has_choices:
                ids.update(choice_ids_of(self.values.get(question.pk)))
        return ids

    def limited_choice_ids(self, category: str) -> set[int]:
        """The choices wanted that have a capacity: the rows to lock."""
        wanted = self.choice_ids(category)
        return {
            choice.pk
            for question in self.questions
            if question.has_choices
            for choice in question.choices.all()
            if choice.pk in wanted and choice.capacity is not None
        }


def value_is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == ()


def choice_ids_of(value: Any) -> list[int]:
    if value_is_empty(value):
        return []
    if isinstance(value, list | tuple | set):
        return [int(v) for v in value]
    return [int(value)]


def choices_held(choice_ids: Iterable[int]) -> dict[int, int]:
    """How many active registrations hold each choice."""
    rows = (
        QuestionChoice.objects.filter(pk__in=list(choice_ids))
        .annotate(
            held=Count(
                "answers",
                filter=~Q(answers__registration__status__in=Registration.INACTIVE_STATUSES),
            )
        )
        .values_list("pk", "held")
    )
    return dict(rows)


def full_message(choice: QuestionChoice) -> str:
    return gettext("“%(choice)s” is full: choose another answer.") % {"choice": choice.label}


def choices_capacity_check(
    *,
    registration: Registration,
    answers: AnswersInput,
    locked_choices: dict[int, QuestionChoice],
) -> None:
    """Refuse a choice newly wanted that has no seat left. The choices are the rows as locked;
    a choice an active registration holds already stays its own, even over a capacity lowered
    since. A cancelled one's seats are free for others: all its choices are checked again."""
    if not locked_choices:
        return
    already = set(
        Answer.choices.through.objects.filter(
            answer__registration_id=registration.pk, questionchoice_id__in=list(locked_choices)
        ).values_list("questionchoice_id", flat=True)
        if registration.pk and registration.is_active
        else ()
    )
    new = [pk for pk in locked_choices if pk not in already]
    held = choices_held(new)
    for pk in sorted(new):
        choice = locked_choices[pk]
        if choice.capacity is not None and held.get(pk, 0) >= choice.capacity:
            raise ChoiceFullError(full_message(choice), question_id=choice.question_id)


def _diet_other_check(answers: AnswersInput, asked: list[Question]) -> None:
    """A diet of "Other" says which, in the built-in free-text question beside it."""
    by_key = {question.builtin: question for question in asked if question.builtin}
    diet, other = by_key.get("diet"), by_key.get("diet_other")
    if diet is None or other is None:
        return
    chosen = set(choice_ids_of(answers.values.get(diet.pk)))
    if any(c.builtin == "other" and c.pk in chosen for c in diet.choices.all()) and value_is_empty(
        answers.values.get(other.pk)
    ):
        raise AnswerError(gettext("Say which other diet."), question_id=other.pk)


def answers_check(*, registration: Registration, answers: AnswersInput) -> None:
    """The rules beyond each field's type: a required question answered, a choice of its own
    question, the other diet named."""
    _diet_other_check(answers, answers.asked_of(registration.category))
    for question in answers.asked_of(registration.category):
        value = answers.values.get(question.pk)
        if question.required and value_is_empty(value):
            if question.type == QuestionType.FILE and _holds_file(registration, question):
                continue
            raise AnswerError(REQUIRED_MESSAGE, question_id=question.pk)
        if question.has_choices:
            ids = choice_ids_of(value)
            own = {choice.pk for choice in question.choices.all()}
            if not set(ids) <= own or (
                question.type == QuestionType.SINGLE_CHOICE and len(ids) > 1
            ):
                raise AnswerError(
                    gettext("Choose among the answers offered."), question_id=question.pk
                )


def _holds_file(registration: Registration, question: Question) -> bool:
    return (
        registration.pk is not None
        and Answer.objects.filter(registration=registration, question=question)
        .exclude(file="")
        .exists()
    )


def _default_language_label(instance: Question | QuestionChoice) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return str(instance.label)


def _answer_fill(answer: Answer, question: Question, value: Any) -> list[int] | None:
    """Put `value` in the answer's column for the question's type; returns the choice ids for
    a choice question (written once the row exists), None otherwise."""
    answer.question_label = _default_language_label(question)
    kind = question.type
    if kind in (QuestionType.TEXT, QuestionType.LONG_TEXT):
        answer.value_text = str(value).strip()
    elif kind == QuestionType.NUMBER:
        answer.value_number = decimal.Decimal(value)
    elif kind == QuestionType.DATE:
        answer.value_date = value
    elif kind == QuestionType.DATETIME:
        if not isinstance(value, datetime.datetime) or value.tzinfo is None:
            raise ValueError("a date and time answer must be an aware datetime")
        answer.value_datetime = value
    elif kind == QuestionType.YES_NO:
        answer.value_bool = bool(value)
    elif kind == QuestionType.COUNTRY:
        answer.value_country = value
    elif kind == QuestionType.FILE:
        upload: UploadedFile = value
        answer.file_name = (upload.name or "")[:200]
        answer.file_content_type = getattr(upload, "checked_content_type", "") or (
            upload.content_type or ""
        )
        answer.file.save(upload.name or "file", upload, save=False)
        written = _files_written.get()
        if written is not None:
            written.append(answer.file.name)
    else:
        ids = choice_ids_of(value)
        by_id = {choice.pk: choice for choice in question.choices.all()}
        answer.choice_labels = [
            _default_language_label(by_id[pk])
            for pk in sorted(ids, key=lambda pk: (by_id[pk].position, pk))
        ]
        return ids
    return None


# The names of the answer files written inside the innermost answer_files_guard().
_files_written: ContextVar[list[str] | None] = ContextVar("answer_files_written", default=None)


@contextmanager
def answer_files_guard() -> Iterator[None]:
    """Around an atomic block that may write answer files (put it outside the block): the
    storage is no part of the transaction, so when an exception leaves the block, which rolled
    its rows back, the files written inside it are deleted. A guard inside another hands its
    files to the outer one when it ends well. A rollback no guard sees leaves its files to the
    daily sweep (registrations.questions.files.answer_files_orphaned_delete)."""
    outer = _files_written.get()
    written: list[str] = []
    token = _files_written.set(written)
    try:
        yield
    except BaseException:
        storage = Answer._meta.get_field("file").storage
        for name in written:
            storage.delete(name)
        raise
    finally:
        _files_written.reset(token)
    if outer is not None:
        outer.extend(written)


def _file_delete_on_commit(name: str) -> None:
    if name:
        storage = Answer._meta.get_field("file").storage
        transaction.on_commit(lambda: storage.delete(name))


def answers_write(
    *, registration: Registration, answers: AnswersInput, new: bool = False
) -> list[int]:
    """Write the answers to the questions asked of the registration's category, inside the
    caller's transaction (choices' capacity checked already). An empty answer deletes the row;
    a file question without a new file keeps its file. Returns the ids of the questions whose
    answer changed. `new`: the registration was created in this transaction and holds no
    answers yet, which are not read."""
    asked = answers.asked_of(registration.category)
    held = (
        {}
        if new
        else {
            answer.question_id: answer
            for answer in Answer.objects.filter(
                registration=registration, question__in=asked
            ).prefetch_related("choices")
        }
    )
    changed: list[int] = []
    for question in asked:
        value = answers.values.get(question.pk)
        answer = held.get(question.pk)
        if value_is_empty(value):
            if question.type == QuestionType.FILE or answer is None:
                continue
            answer.delete()
            changed.append(question.pk)
            continue
        if answer is not None and _answer_same(answer, question, value):
            continue
        old_file = answer.file.name if answer is not None and answer.file else ""
        answer = answer or Answer(registration=registration, question=question)
        choice_ids = _answer_fill(answer, question, value)
        answer.save()
        if choice_ids is not None:
            answer.choices.set(choice_ids)
        if old_file and old_file != answer.file.name:
            _file_delete_on_commit(old_file)
        changed.append(question.pk)
    return changed


def _answer_same(answer: Answer, question: Question, value: Any) -> bool:
    kind = question.type
    if kind in (QuestionType.TEXT, QuestionType.LONG_TEXT):
        return answer.value_text == str(value).strip()
    if kind == QuestionType.NUMBER:
        return answer.value_number == decimal.Decimal(value)
    if kind == QuestionType.DATE:
        return answer.value_date == value
    if kind == QuestionType.DATETIME:
        return answer.value_datetime == value
    if kind == QuestionType.YES_NO:
        return answer.value_bool == bool(value)
    if kind == QuestionType.COUNTRY:
        return str(answer.value_country) == str(value)
    if kind == QuestionType.FILE:
        return False
    return {choice.pk for choice in answer.choices.all()} == set(choice_ids_of(value))


def answers_delete(answers: QuerySet[Answer]) -> int:
    """Delete the answers and, once the transaction commits, their files (answer_file_forget,
    on every deletion of an answer): for erasure and the purge. Returns how many went."""
    _total, deleted = answers.delete()
    return deleted.get(Answer._meta.label, 0)


def answer_file_forget(sender: type, instance: Answer, **kwargs: object) -> None:
    """post_delete of Answer (connected in registrations.apps): its file goes with it, however
    the row went (a question deleted with its answers, a registration erased), once the
    deletion commits."""
    if instance.file:
        _file_delete_on_commit(instance.file.name)
