"""Logistics read from the answers of confirmed delegates: how many chose each choice, meals
per day and per diet, the gala dinner's guests, and arrivals and departures per hour for the
transfers. The built-in questions are found by their key (questions.builtin), never by their
wording; a diet is a choice, so the counts are exact (no free text to group).

The answers are read once (questions.answer_data: five queries whatever the number of
delegates) and combined here."""

import datetime
import zoneinfo
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext

from conference.models import Conference
from registrations.models import Question, QuestionChoice, QuestionType
from registrations.questions.answer_data import TRAVEL_KEYS, ConferenceAnswers
from registrations.questions.builtin import (
    BUILTIN_DIET,
    BUILTIN_MEALS,
    CHOICE_AIRPORT,
    CHOICE_DIET_OTHER,
    CHOICE_GALA_DINNER,
    CHOICE_STATION,
)

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

    @property
    def meals_taken(self) -> bool:
        return any(meal.count for meal in self.meals)

    @property
    def unanswered(self) -> list[Question]:
        """The counted questions no confirmed delegate answered yet."""
        return [counts.question for counts in self.counts if not counts.answered]


def _by_name(people: dict[int, Any]) -> list[Any]:
    return sorted(people.values(), key=lambda row: (row["sort_name"], row["pk"]))


def _question_counts(data: ConferenceAnswers, *, special_needs: bool) -> list[QuestionCounts]:
    result = []
    for question in data.questions:
        if question.type not in COUNTED_TYPES or (question.special_category and not special_needs):
            continue
        if question.type == QuestionType.YES_NO:
            answers = data.values.get(question.pk, {})
            given = Counter(value[0] for value in answers.values() if value[0] is not None)
            tallies = [
                ChoiceTally("yes", gettext("Yes"), given[True]),
                ChoiceTally("no", gettext("No"), given[False]),
            ]
            answered = sum(given.values())
        else:
            chosen = data.chosen.get(question.pk, {})
            made = Counter(choice for ids in chosen.values() for choice in ids)
            tallies = [
                ChoiceTally(str(choice.pk), choice.label, made[choice.pk])
                for choice in question.choices.all()
            ]
            answered = len(chosen)
        result.append(QuestionCounts(question, tallies, answered))
    return result


def question_counts(conference: Conference, *, special_needs: bool) -> list[QuestionCounts]:
    """Each active choice or yes/no question's answers, choice by choice in their order (those
    chosen by none included); special-category questions only with `special_needs`."""
    return _question_counts(ConferenceAnswers(conference), special_needs=special_needs)


def _day_of(choice: QuestionChoice) -> datetime.date | None:
    if choice.builtin.startswith(LUNCH_PREFIX):
        return datetime.date.fromisoformat(choice.builtin.removeprefix(LUNCH_PREFIX))
    return None


def _meal_counts(data: ConferenceAnswers, *, special_needs: bool) -> list[MealCount]:
    meals = data.builtin.get(BUILTIN_MEALS)
    if meals is None:
        return []
    takers: dict[int, set[int]] = defaultdict(set)
    for registration_id, ids in data.chosen_by(BUILTIN_MEALS).items():
        for choice_id in ids:
            takers[choice_id].add(registration_id)
    diets = data.chosen_by(BUILTIN_DIET) if special_needs else {}
    diet_question = data.builtin.get(BUILTIN_DIET)
    diet_choices = list(diet_question.choices.all()) if diet_question else []
    result = []
    for choice in meals.choices.all():
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


def meal_counts(conference: Conference, *, special_needs: bool) -> list[MealCount]:
    """Confirmed delegates taking each meal of the built-in meals question, in its order; per
    diet (exact: the diet is a choice) only with `special_needs`. A delegate with two diets
    counts in both, and once in the meal's total."""
    return _meal_counts(ConferenceAnswers(conference), special_needs=special_needs)


def _other_diets(data: ConferenceAnswers) -> list[OtherDiet]:
    texts = data.diet_texts()
    ids = data.choice_keyed(BUILTIN_DIET, CHOICE_DIET_OTHER) | set(texts)
    return [
        OtherDiet(
            row["reference"],
            f"{row['first_name']} {row['last_name']}".strip(),
            row["authority__name"],
            texts.get(row["pk"], ""),
        )
        for row in _by_name(data.people(ids))
    ]


def other_diets(conference: Conference) -> list[OtherDiet]:
    """Confirmed delegates who ticked "other" or wrote another requirement, with its text: the
    caterers' list of particular plates. Special-category data: callers check the permission."""
    return _other_diets(ConferenceAnswers(conference))


def _gala_guests(data: ConferenceAnswers, *, special_needs: bool) -> list[GalaGuest]:
    ids = data.choice_keyed(BUILTIN_MEALS, CHOICE_GALA_DINNER)
    if not ids:
        return []
    diets = data.chosen_by(BUILTIN_DIET) if special_needs else {}
    texts = data.diet_texts() if special_needs else {}
    diet = data.builtin.get(BUILTIN_DIET)
    diet_choices = list(diet.choices.all()) if diet is not None and special_needs else []

    def diet_of(pk: int) -> str | None:
        """The diets ticked, in their order, "other" replaced by its text when written."""
        if not special_needs:
            return None
        parts = [
            choice.label
            for choice in diet_choices
            if choice.pk in diets.get(pk, ())
            and not (choice.builtin == CHOICE_DIET_OTHER and texts.get(pk))
        ]
        if texts.get(pk):
            parts.append(texts[pk])
        return "; ".join(parts)

    return [
        GalaGuest(
            row["reference"],
            row["first_name"],
            row["last_name"],
            row["authority__name"],
            row["authority__country"],
            diet_of(row["pk"]),
        )
        for row in _by_name(data.people(ids))
    ]


def gala_guests(conference: Conference, *, special_needs: bool) -> list[GalaGuest]:
    """Confirmed delegates who chose the gala dinner (the meals question's choice), by name;
    their diet (the choices and the "other" text) only with `special_needs`."""
    return _gala_guests(ConferenceAnswers(conference), special_needs=special_needs)


def _travel_legs(data: ConferenceAnswers) -> list[TravelLeg]:
    tz = zoneinfo.ZoneInfo(data.conference.time_zone)
    found = []
    for direction, (at_key, place_key, number_key) in TRAVEL_KEYS.items():
        places = data.chosen_by(place_key)
        numbers = data.values_of(number_key)
        for pk, value in data.values_of(at_key).items():
            if value[2] is None:
                continue
            place = next(iter(sorted(places.get(pk, ()))), None)
            choice = data.choices.get(place) if place is not None else None
            number = numbers.get(pk, (None, "", None))[1]
            found.append((direction, timezone.localtime(value[2], tz), choice, number, pk))
    people = data.people({pk for *_rest, pk in found}) if found else {}
    legs = [
        TravelLeg(
            direction=direction,
            at=at,
            place=choice.builtin if choice is not None else "",
            place_label=choice.label if choice is not None else "",
            number=number,
            reference=people[pk]["reference"],
            first_name=people[pk]["first_name"],
            last_name=people[pk]["last_name"],
        )
        for direction, at, choice, number, pk in found
    ]
    order = list(TRAVEL_KEYS)
    return sorted(
        legs, key=lambda leg: (order.index(leg.direction), leg.at, leg.last_name, leg.reference)
    )


def travel_legs(conference: Conference) -> list[TravelLeg]:
    """Confirmed delegates' arrivals, then departures, by time (in the conference's time zone),
    with the place and the flight or train number they gave. A leg needs its date and time."""
    return _travel_legs(ConferenceAnswers(conference))


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
    """Every figure of the answers, from one read of them (a fixed number of queries)."""
    data = ConferenceAnswers(conference)
    legs = _travel_legs(data)
    return QuestionFigures(
        counts=_question_counts(data, special_needs=special_needs),
        meals=_meal_counts(data, special_needs=special_needs),
        other_diets=_other_diets(data) if special_needs else None,
        gala=_gala_guests(data, special_needs=special_needs),
        travel=legs,
        transfer_hours=transfer_hours(legs),
        special_needs=special_needs,
    )
