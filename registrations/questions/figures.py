"""Logistics read from the answers of confirmed delegates: how many chose each choice, meals
per day and per diet, the gala dinner's guests, and arrivals and departures per hour for the
transfers. The built-in questions are found by their key (questions.builtin), never by their
wording; a diet is a choice, so the counts are exact (no free text to group).

Each figure is a few queries whatever the number of delegates: the answers' choices are read
as (registration, choice) pairs and combined here."""

import datetime
import zoneinfo
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext

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
    CHOICE_AIRPORT,
    CHOICE_DIET_OTHER,
    CHOICE_GALA_DINNER,
    CHOICE_STATION,
)

CONFIRMED = Registration.Status.CONFIRMED

# The figures' counted questions: those whose answers are a choice among a few.
COUNTED_TYPES = (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE, QuestionType.YES_NO)

LUNCH_PREFIX = "lunch:"


@dataclass(frozen=True)
class ChoiceTally:
    key: str  # the choice's id, or "yes"/"no"
    label: str
    count: int


@dataclass(frozen=True)
class QuestionCounts:
    question: Question
    choices: list[ChoiceTally]
    answered: int  # confirmed delegates who answered (a multiple choice may count one twice)


@dataclass(frozen=True)
class MealCount:
    choice: QuestionChoice
    day: datetime.date | None  # a lunch's day; None for the gala dinner and the organisers' own
    count: int
    diets: list[ChoiceTally] | None  # takers per diet (one with two diets in both); None: hidden
    without_diet: int | None  # takers who gave no dietary requirement; None: hidden


@dataclass(frozen=True)
class OtherDiet:
    reference: str
    name: str
    authority: str
    text: str


@dataclass(frozen=True)
class GalaGuest:
    reference: str
    first_name: str
    last_name: str
    authority: str
    country: str
    diet: str | None  # None: not shown (no permission to see special needs)


@dataclass(frozen=True)
class TravelLeg:
    direction: str  # "arrival" or "departure"
    at: datetime.datetime  # in the conference's time zone
    place: str  # the choice's key: airport, station, other, or "" when not answered
    place_label: str
    number: str  # flight or train
    reference: str
    first_name: str
    last_name: str


@dataclass(frozen=True)
class TransferHour:
    direction: str
    hour: datetime.datetime  # the hour's start, in the conference's time zone
    airport: int
    station: int
    other: int  # elsewhere, or no place given

    @property
    def total(self) -> int:
        return self.airport + self.station + self.other


@dataclass(frozen=True)
class QuestionFigures:
    counts: list[QuestionCounts]
    meals: list[MealCount]
    other_diets: list[OtherDiet] | None  # None: not shown
    gala: list[GalaGuest]
    travel: list[TravelLeg]
    transfer_hours: list[TransferHour]
    special_needs: bool


def _confirmed_answers(conference: Conference):
    return Answer.objects.filter(
        registration__conference=conference, registration__status=CONFIRMED
    )


def _choice_pairs(conference: Conference, question: Question | None) -> list[tuple[int, int]]:
    """(registration id, choice id) of each choice confirmed delegates made."""
    if question is None:
        return []
    return list(
        Answer.choices.through.objects.filter(
            answer__question=question,
            answer__registration__conference=conference,
            answer__registration__status=CONFIRMED,
        ).values_list("answer__registration_id", "questionchoice_id")
    )


def question_counts(conference: Conference, *, special_needs: bool) -> list[QuestionCounts]:
    """Each active choice or yes/no question's answers, choice by choice in their order (those
    chosen by none included); special-category questions only with `special_needs`."""
    asked = Question.objects.filter(
        conference=conference, active=True, type__in=COUNTED_TYPES
    ).order_by("position", "id")
    if not special_needs:
        asked = asked.filter(special_category=False)
    questions = list(asked)
    confirmed = Q(answers__registration__status=CONFIRMED)
    choices: dict[int, list[ChoiceTally]] = defaultdict(list)
    for choice in (
        QuestionChoice.objects.filter(question__in=questions)
        .annotate(count=Count("answers", filter=confirmed))
        .order_by("position", "id")
    ):
        choices[choice.question_id].append(ChoiceTally(str(choice.pk), choice.label, choice.count))
    answered = dict(
        _confirmed_answers(conference)
        .filter(question__in=questions)
        .order_by()
        .values("question_id")
        .annotate(count=Count("pk"))
        .values_list("question_id", "count")
    )
    yes_no = {
        (question_id, value): count
        for question_id, value, count in _confirmed_answers(conference)
        .filter(question__in=questions, question__type=QuestionType.YES_NO)
        .exclude(value_bool=None)
        .order_by()
        .values("question_id", "value_bool")
        .annotate(count=Count("pk"))
        .values_list("question_id", "value_bool", "count")
    }
    result = []
    for question in questions:
        if question.type == QuestionType.YES_NO:
            tallies = [
                ChoiceTally("yes", gettext("Yes"), yes_no.get((question.pk, True), 0)),
                ChoiceTally("no", gettext("No"), yes_no.get((question.pk, False), 0)),
            ]
        else:
            tallies = choices.get(question.pk, [])
        result.append(QuestionCounts(question, tallies, answered.get(question.pk, 0)))
    return result


def _builtin(conference: Conference, *keys: str) -> dict[str, Question]:
    return {
        question.builtin: question
        for question in Question.objects.filter(
            conference=conference, builtin__in=keys, active=True
        ).prefetch_related("choices")
    }


def _day_of(choice: QuestionChoice) -> datetime.date | None:
    if choice.builtin.startswith(LUNCH_PREFIX):
        return datetime.date.fromisoformat(choice.builtin.removeprefix(LUNCH_PREFIX))
    return None


def _diets_of(conference: Conference, questions: dict[str, Question]) -> dict[int, set[int]]:
    diets: dict[int, set[int]] = defaultdict(set)
    for registration_id, choice_id in _choice_pairs(conference, questions.get(BUILTIN_DIET)):
        diets[registration_id].add(choice_id)
    return diets


def meal_counts(conference: Conference, *, special_needs: bool) -> list[MealCount]:
    """Confirmed delegates taking each meal of the built-in meals question, in its order; per
    diet (exact: the diet is a choice) only with `special_needs`. A delegate with two diets
    counts in both, and once in the meal's total."""
    questions = _builtin(conference, BUILTIN_MEALS, BUILTIN_DIET)
    meals = questions.get(BUILTIN_MEALS)
    if meals is None:
        return []
    takers: dict[int, set[int]] = defaultdict(set)
    for registration_id, choice_id in _choice_pairs(conference, meals):
        takers[choice_id].add(registration_id)
    diets = _diets_of(conference, questions) if special_needs else {}
    diet_question = questions.get(BUILTIN_DIET)
    diet_choices = list(diet_question.choices.all()) if diet_question else []
    result = []
    for choice in sorted(meals.choices.all(), key=lambda c: (c.position, c.pk)):
        eating = takers.get(choice.pk, set())
        per_diet = Counter(diet for pk in eating for diet in diets.get(pk, ()))
        result.append(
            MealCount(
                choice=choice,
                day=_day_of(choice),
                count=len(eating),
                diets=[
                    ChoiceTally(diet.builtin or str(diet.pk), diet.label, per_diet[diet.pk])
                    for diet in diet_choices
                ]
                if special_needs
                else None,
                without_diet=sum(1 for pk in eating if not diets.get(pk))
                if special_needs
                else None,
            )
        )
    return result


def _people(registration_ids) -> dict[int, Any]:
    return {
        row["pk"]: row
        for row in Registration.objects.filter(pk__in=list(registration_ids)).values(
            "pk",
            "reference",
            "first_name",
            "last_name",
            "sort_name",
            "authority__name",
            "authority__country",
        )
    }


def _diet_texts(conference: Conference, questions: dict[str, Question]) -> dict[int, str]:
    other = questions.get(BUILTIN_DIET_OTHER)
    if other is None:
        return {}
    return {
        registration_id: text.strip()
        for registration_id, text in _confirmed_answers(conference)
        .filter(question=other)
        .exclude(value_text="")
        .values_list("registration_id", "value_text")
    }


def other_diets(conference: Conference) -> list[OtherDiet]:
    """Confirmed delegates who ticked "other" or wrote another requirement, with its text: the
    caterers' list of particular plates. Special-category data: callers check the permission."""
    questions = _builtin(conference, BUILTIN_DIET, BUILTIN_DIET_OTHER)
    diet = questions.get(BUILTIN_DIET)
    other_ids = (
        {c.pk for c in diet.choices.all() if c.builtin == CHOICE_DIET_OTHER} if diet else set()
    )
    texts = _diet_texts(conference, questions)
    ids = {pk for pk, choice_id in _choice_pairs(conference, diet) if choice_id in other_ids}
    ids |= set(texts)
    people = _people(ids)
    rows = sorted(people.values(), key=lambda row: (row["sort_name"], row["pk"]))
    return [
        OtherDiet(
            row["reference"],
            f"{row['first_name']} {row['last_name']}".strip(),
            row["authority__name"],
            texts.get(row["pk"], ""),
        )
        for row in rows
    ]


def gala_guests(conference: Conference, *, special_needs: bool) -> list[GalaGuest]:
    """Confirmed delegates who chose the gala dinner (the meals question's choice), by name;
    their diet (the choices and the "other" text) only with `special_needs`."""
    questions = _builtin(conference, BUILTIN_MEALS, BUILTIN_DIET, BUILTIN_DIET_OTHER)
    meals = questions.get(BUILTIN_MEALS)
    if meals is None:
        return []
    gala = {c.pk for c in meals.choices.all() if c.builtin == CHOICE_GALA_DINNER}
    ids = {pk for pk, choice_id in _choice_pairs(conference, meals) if choice_id in gala}
    diets: dict[int, set[int]] = {}
    texts: dict[int, str] = {}
    diet_choices: list[QuestionChoice] = []
    if special_needs:
        diets = _diets_of(conference, questions)
        texts = _diet_texts(conference, questions)
        diet = questions.get(BUILTIN_DIET)
        diet_choices = sorted(diet.choices.all(), key=lambda c: (c.position, c.pk)) if diet else []

    def diet_of(pk: int) -> str | None:
        """The diets ticked, in their order, "other" replaced by its text when written."""
        if not special_needs:
            return None
        parts = []
        for choice in diet_choices:
            if choice.pk in diets.get(pk, ()) and not (
                choice.builtin == CHOICE_DIET_OTHER and texts.get(pk)
            ):
                parts.append(choice.label)
        if texts.get(pk):
            parts.append(texts[pk])
        return "; ".join(parts)

    people = _people(ids)
    rows = sorted(people.values(), key=lambda row: (row["sort_name"], row["pk"]))
    return [
        GalaGuest(
            row["reference"],
            row["first_name"],
            row["last_name"],
            row["authority__name"],
            row["authority__country"],
            diet_of(row["pk"]),
        )
        for row in rows
    ]


TRAVEL_KEYS = {
    "arrival": (BUILTIN_ARRIVAL_AT, BUILTIN_ARRIVAL_PLACE, BUILTIN_ARRIVAL_NUMBER),
    "departure": (BUILTIN_DEPARTURE_AT, BUILTIN_DEPARTURE_PLACE, BUILTIN_DEPARTURE_NUMBER),
}


def travel_legs(conference: Conference) -> list[TravelLeg]:
    """Confirmed delegates' arrivals, then departures, by time (in the conference's time zone),
    with the place and the flight or train number they gave. A leg needs its date and time."""
    keys = [key for keys in TRAVEL_KEYS.values() for key in keys]
    questions = _builtin(conference, *keys)
    tz = zoneinfo.ZoneInfo(conference.time_zone)
    values: dict[tuple[int, str], object] = {}
    for registration_id, builtin, moment, text in (
        _confirmed_answers(conference)
        .filter(question__in=questions.values())
        .values_list("registration_id", "question__builtin", "value_datetime", "value_text")
    ):
        values[registration_id, builtin] = moment if moment is not None else text
    choices = {c.pk: c for q in questions.values() if q.has_choices for c in q.choices.all()}
    for registration_id, choice_id in Answer.choices.through.objects.filter(
        answer__question__in=[q for q in questions.values() if q.has_choices],
        answer__registration__conference=conference,
        answer__registration__status=CONFIRMED,
    ).values_list("answer__registration_id", "questionchoice_id"):
        choice = choices[choice_id]
        values[registration_id, choice.question.builtin] = choice
    people = _people({pk for pk, _key in values})
    legs = []
    for direction, (at_key, place_key, number_key) in TRAVEL_KEYS.items():
        for (pk, key), moment in values.items():
            if key != at_key or not isinstance(moment, datetime.datetime):
                continue
            place = values.get((pk, place_key))
            person = people[pk]
            legs.append(
                TravelLeg(
                    direction=direction,
                    at=timezone.localtime(moment, tz),
                    place=place.builtin if isinstance(place, QuestionChoice) else "",
                    place_label=place.label if isinstance(place, QuestionChoice) else "",
                    number=str(values.get((pk, number_key)) or ""),
                    reference=person["reference"],
                    first_name=person["first_name"],
                    last_name=person["last_name"],
                )
            )
    order = list(TRAVEL_KEYS)
    return sorted(
        legs, key=lambda leg: (order.index(leg.direction), leg.at, leg.last_name, leg.reference)
    )


def transfer_hours(legs: list[TravelLeg]) -> list[TransferHour]:
    """Arrivals and departures per hour that has any, and per place: the shuttles to book."""
    counts: dict[tuple[str, datetime.datetime], Counter[str]] = defaultdict(Counter)
    for leg in legs:
        hour = leg.at.replace(minute=0, second=0, microsecond=0)
        place = leg.place if leg.place in (CHOICE_AIRPORT, CHOICE_STATION) else "other"
        counts[leg.direction, hour][place] += 1
    order = list(TRAVEL_KEYS)
    return [
        TransferHour(direction, hour, c[CHOICE_AIRPORT], c[CHOICE_STATION], c["other"])
        for (direction, hour), c in sorted(
            counts.items(), key=lambda item: (order.index(item[0][0]), item[0][1])
        )
    ]


def question_figures(conference: Conference, *, special_needs: bool) -> QuestionFigures:
    legs = travel_legs(conference)
    return QuestionFigures(
        counts=question_counts(conference, special_needs=special_needs),
        meals=meal_counts(conference, special_needs=special_needs),
        other_diets=other_diets(conference) if special_needs else None,
        gala=gala_guests(conference, special_needs=special_needs),
        travel=legs,
        transfer_hours=transfer_hours(legs),
        special_needs=special_needs,
    )
