"""One conference's active questions and its confirmed delegates' answers, read for the
logistics (questions.figures) in a fixed number of queries, whatever the number of delegates:
the answers' choices as (question, registration, choice) triples, the values of the few
questions the figures read as values, and the people the lists name."""

from collections import defaultdict
from functools import cached_property
from typing import Any

from django.db.models import Prefetch

from conference.models import Conference
from registrations.models import Answer, Question, QuestionChoice, QuestionType, Registration
from registrations.questions.builtin import (
    BUILTIN_ARRIVAL_AT,
    BUILTIN_ARRIVAL_NUMBER,
    BUILTIN_ARRIVAL_PLACE,
    BUILTIN_DEPARTURE_AT,
    BUILTIN_DEPARTURE_NUMBER,
    BUILTIN_DEPARTURE_PLACE,
    BUILTIN_DIET,
    BUILTIN_DIET_OTHER,
    BUILTIN_MEALS,
    CHOICE_DIET_OTHER,
    CHOICE_GALA_DINNER,
)

CONFIRMED = Registration.Status.CONFIRMED

TRAVEL_KEYS = {
    "arrival": (BUILTIN_ARRIVAL_AT, BUILTIN_ARRIVAL_PLACE, BUILTIN_ARRIVAL_NUMBER),
    "departure": (BUILTIN_DEPARTURE_AT, BUILTIN_DEPARTURE_PLACE, BUILTIN_DEPARTURE_NUMBER),
}

# The built-in questions whose answers are a value, not a choice: read with the yes/no ones.
VALUE_BUILTINS = (
    BUILTIN_DIET_OTHER,
    BUILTIN_ARRIVAL_AT,
    BUILTIN_ARRIVAL_NUMBER,
    BUILTIN_DEPARTURE_AT,
    BUILTIN_DEPARTURE_NUMBER,
)


class ConferenceAnswers:
    """The conference's active questions and its confirmed delegates' answers, each read at
    most once, when a figure first needs it: the questions with their choices (two queries),
    the choices made (one), the values of the yes/no and built-in value questions (one), the
    people the lists name (one)."""

    def __init__(self, conference: Conference):
        self.conference = conference

    @cached_property
    def questions(self) -> list[Question]:
        return list(
            Question.objects.filter(conference=self.conference, active=True)
            .prefetch_related(
                Prefetch("choices", queryset=QuestionChoice.objects.order_by("position", "id"))
            )
            .order_by("position", "id")
        )

    @cached_property
    def builtin(self) -> dict[str, Question]:
        return {question.builtin: question for question in self.questions if question.builtin}

    @cached_property
    def choices(self) -> dict[int, QuestionChoice]:
        return {choice.pk: choice for q in self.questions for choice in q.choices.all()}

    def _confirmed(self):
        return Answer.objects.filter(
            registration__conference=self.conference, registration__status=CONFIRMED
        )

    @cached_property
    def chosen(self) -> dict[int, dict[int, set[int]]]:
        """question id → registration id → the choices' ids."""
        chosen: dict[int, dict[int, set[int]]] = defaultdict(lambda: defaultdict(set))
        rows = Answer.choices.through.objects.filter(
            answer__in=self._confirmed().filter(
                question__in=[q for q in self.questions if q.has_choices]
            )
        ).values_list("answer__question_id", "answer__registration_id", "questionchoice_id")
        for question_id, registration_id, choice_id in rows:
            chosen[question_id][registration_id].add(choice_id)
        return chosen

    @cached_property
    def values(self) -> dict[int, dict[int, tuple]]:
        """question id → registration id → (value_bool, value_text, value_datetime), for the
        yes/no questions and the built-in value questions."""
        questions = [
            q
            for q in self.questions
            if q.type == QuestionType.YES_NO or q.builtin in VALUE_BUILTINS
        ]
        values: dict[int, dict[int, tuple]] = defaultdict(dict)
        for question_id, registration_id, *value in (
            self._confirmed()
            .filter(question__in=questions)
            .values_list(
                "question_id", "registration_id", "value_bool", "value_text", "value_datetime"
            )
        ):
            values[question_id][registration_id] = tuple(value)
        return values

    def chosen_by(self, key: str) -> dict[int, set[int]]:
        question = self.builtin.get(key)
        return self.chosen.get(question.pk, {}) if question is not None else {}

    def values_of(self, key: str) -> dict[int, tuple]:
        question = self.builtin.get(key)
        return self.values.get(question.pk, {}) if question is not None else {}

    def choice_keyed(self, key: str, choice_key: str) -> set[int]:
        """The registrations that chose the built-in choice `choice_key` of question `key`."""
        return {
            pk
            for pk, ids in self.chosen_by(key).items()
            if any(self.choices[c].builtin == choice_key for c in ids)
        }

    def diet_texts(self) -> dict[int, str]:
        return {
            pk: value[1].strip()
            for pk, value in self.values_of(BUILTIN_DIET_OTHER).items()
            if value[1].strip()
        }

    @cached_property
    def named(self) -> dict[int, Any]:
        """The people the lists name (gala guests, other diets, travellers), in one query."""
        ids = self.choice_keyed(BUILTIN_MEALS, CHOICE_GALA_DINNER)
        ids |= self.choice_keyed(BUILTIN_DIET, CHOICE_DIET_OTHER) | set(self.diet_texts())
        for at_key, _place, _number in TRAVEL_KEYS.values():
            ids |= set(self.values_of(at_key))
        return {
            row["pk"]: row
            for row in Registration.objects.filter(pk__in=ids).values(
                "pk",
                "reference",
                "first_name",
                "last_name",
                "sort_name",
                "authority__name",
                "authority__country",
            )
        }

    def people(self, registration_ids) -> dict[int, Any]:
        return {pk: self.named[pk] for pk in registration_ids if pk in self.named}
