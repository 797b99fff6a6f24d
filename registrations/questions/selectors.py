"""Reads of questions and answers, with their related rows fetched once."""

from collections.abc import Iterable

from django.db.models import Prefetch

from conference.models import Conference
from registrations.models import Answer, Question, QuestionChoice, Registration


def questions_asked(
    conference: Conference, *, category: str | None = None, special: bool = True
) -> list[Question]:
    """The conference's active questions in their order, with their choices; only those asked
    of `category` when given; without `special`, none of the special category."""
    questions = Question.objects.filter(conference=conference, active=True).prefetch_related(
        Prefetch("choices", queryset=QuestionChoice.objects.order_by("position", "id"))
    )
    if not special:
        questions = questions.filter(special_category=False)
    return [
        question
        for question in questions.order_by("position", "id")
        if category is None or question.asked_of(category)
    ]


def _answers(special: bool):
    answers = Answer.objects.select_related("question").prefetch_related("choices")
    if not special:
        answers = answers.filter(question__special_category=False)
    return answers.order_by("question__position", "question_id")


def answers_for(registration: Registration, *, special: bool = True) -> list[Answer]:
    """The registration's answers in the questions' order (those of switched-off questions
    too); without `special`, none of the special category."""
    return list(_answers(special).filter(registration=registration))


def answers_by_registration(
    registration_ids: Iterable[int], *, special: bool
) -> dict[int, dict[int, Answer]]:
    """For many registrations at once (exports): registration id → question id → answer."""
    result: dict[int, dict[int, Answer]] = {}
    for answer in _answers(special).filter(registration_id__in=list(registration_ids)):
        result.setdefault(answer.registration_id, {})[answer.question_id] = answer
    return result
