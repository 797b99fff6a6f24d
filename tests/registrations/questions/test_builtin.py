import datetime as dt

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from conference.page_cache import questions_version
from registrations.models import Question, QuestionType
from registrations.questions.builtin import (
    BUILTIN_ARRIVAL_AT,
    BUILTIN_ARRIVAL_NUMBER,
    BUILTIN_ARRIVAL_PLACE,
    BUILTIN_DAYS_ATTENDED,
    BUILTIN_DEPARTURE_AT,
    BUILTIN_DEPARTURE_NUMBER,
    BUILTIN_DEPARTURE_PLACE,
    BUILTIN_DIET,
    BUILTIN_DIET_OTHER,
    BUILTIN_MEALS,
    builtin_questions_create,
)
from tests.factories import ConferenceFactory
from tests.registrations.questions.helpers import field

pytestmark = pytest.mark.django_db


def test_a_new_conference_gets_the_builtin_questions_in_order():
    conference = ConferenceFactory(start_date=dt.date(2026, 6, 9), end_date=dt.date(2026, 6, 10))

    keys = list(conference.questions.order_by("position").values_list("builtin", flat=True))

    assert keys == [
        BUILTIN_DAYS_ATTENDED,
        BUILTIN_MEALS,
        BUILTIN_DIET,
        BUILTIN_DIET_OTHER,
        BUILTIN_ARRIVAL_AT,
        BUILTIN_ARRIVAL_PLACE,
        BUILTIN_ARRIVAL_NUMBER,
        BUILTIN_DEPARTURE_AT,
        BUILTIN_DEPARTURE_PLACE,
        BUILTIN_DEPARTURE_NUMBER,
    ]
    days = conference.questions.get(builtin=BUILTIN_DAYS_ATTENDED)
    assert list(days.choices.values_list("builtin", "label_en", "label_fr")) == [
        ("day:2026-06-09", "Tuesday 9 June 2026", "mardi 9 juin 2026"),
        ("day:2026-06-10", "Wednesday 10 June 2026", "mercredi 10 juin 2026"),
    ]
    meals = conference.questions.get(builtin=BUILTIN_MEALS)
    assert list(meals.choices.values_list("builtin", flat=True)) == [
        "lunch:2026-06-09",
        "lunch:2026-06-10",
        "gala_dinner",
    ]
    diet = conference.questions.get(builtin=BUILTIN_DIET)
    assert diet.special_category and diet.type == QuestionType.MULTIPLE_CHOICE
    assert list(diet.choices.values_list("builtin", flat=True)) == [
        "vegetarian",
        "vegan",
        "halal",
        "kosher",
        "no_pork",
        "gluten_free",
        "lactose_free",
        "nut_allergy",
        "other",
    ]
    assert diet.label_fr == "Régime alimentaire"
    arrival = conference.questions.get(builtin=BUILTIN_ARRIVAL_AT)
    assert arrival.type == QuestionType.DATETIME
    assert not conference.questions.filter(builtin=BUILTIN_ARRIVAL_NUMBER, special_category=True)


def test_builtin_questions_are_not_created_twice():
    conference = ConferenceFactory()

    assert builtin_questions_create(conference) == []
    assert conference.questions.count() == 10


def test_conference_with_new_dates_gains_their_days_and_lunches():
    conference = ConferenceFactory(start_date=dt.date(2026, 6, 9), end_date=dt.date(2026, 6, 9))

    conference.end_date = dt.date(2026, 6, 10)
    conference.save()

    days = conference.questions.get(builtin=BUILTIN_DAYS_ATTENDED)
    assert list(days.choices.values_list("builtin", flat=True)) == [
        "day:2026-06-09",
        "day:2026-06-10",
    ]
    meals = conference.questions.get(builtin=BUILTIN_MEALS)
    assert meals.choices.filter(builtin="lunch:2026-06-10").exists()


def test_builtin_question_switched_off_is_no_longer_asked(client):
    conference = ConferenceFactory()
    meals = conference.questions.get(builtin=BUILTIN_MEALS)
    with translation.override("en"):
        url = reverse("registrations:register", kwargs={"slug": conference.slug})
    assert field(meals) in client.get(url).content.decode()

    meals.active = False
    meals.save()

    assert field(meals) not in client.get(url).content.decode()


def test_command_gives_older_conferences_the_builtin_questions():
    conference = ConferenceFactory()
    Question.objects.filter(conference=conference, builtin=BUILTIN_DIET).delete()

    call_command("questions_builtin_create", "--conference", conference.slug)

    assert conference.questions.filter(builtin=BUILTIN_DIET).exists()
    assert conference.questions.count() == 10


def test_command_retires_the_cached_registration_form(django_capture_on_commit_callbacks):
    conference = ConferenceFactory()
    Question.objects.filter(conference=conference, builtin=BUILTIN_DIET).delete()
    before = questions_version(conference.pk)

    with django_capture_on_commit_callbacks(execute=True):
        call_command("questions_builtin_create", "--conference", conference.slug)

    assert questions_version(conference.pk) != before
