"""A choice's seats under real concurrency on PostgreSQL: threads, each with its own
connection, racing for the gala dinner."""

import pytest

from registrations.models import Answer, QuestionType
from registrations.places.answers import registration_answers_set
from registrations.places.registrations import RegistrationData, registration_create
from registrations.questions.answers import AnswersInput, ChoiceFullError
from registrations.questions.builtin import BUILTIN_MEALS, CHOICE_GALA_DINNER
from registrations.questions.selectors import questions_asked
from tests.concurrency import run_concurrently
from tests.factories import AuthorityFactory, ConferenceFactory, RegistrationFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def gala(conference, capacity: int):
    meals = conference.questions.get(builtin=BUILTIN_MEALS)
    choice = meals.choices.get(builtin=CHOICE_GALA_DINNER)
    choice.capacity = capacity
    choice.save()
    return meals, choice


def seats_held(choice) -> int:
    return Answer.choices.through.objects.filter(questionchoice=choice).count()


def test_choice_of_10_seats_under_40_concurrent_sign_ups_gives_exactly_10():
    conference = ConferenceFactory(capacity=100)
    meals, dinner = gala(conference, capacity=10)
    authority = AuthorityFactory()

    def register(index: int) -> str:
        # Each thread reads the questions itself, as each request's form does.
        answers = AnswersInput(
            questions=tuple(questions_asked(conference)), values={meals.pk: [dinner.pk]}
        )
        try:
            registration_create(
                conference=conference,
                authority=authority,
                data=RegistrationData(
                    first_name="Delegate",
                    last_name="Concurrent",
                    email=f"racer{index}@example.org",
                    job_title="Adviser",
                    answers=answers,
                ),
            )
        except ChoiceFullError:
            return "full"
        return "seated"

    outcomes = run_concurrently(40, register)

    assert outcomes.count("seated") == 10
    assert outcomes.count("full") == 30
    assert seats_held(dinner) == 10
    # A refused choice refuses the registration with it: nothing half made.
    assert conference.registrations.count() == 10


def test_choice_of_10_seats_under_40_concurrent_personal_page_changes_gives_exactly_10():
    conference = ConferenceFactory(capacity=100)
    meals, dinner = gala(conference, capacity=10)
    registrations = RegistrationFactory.create_batch(40, conference=conference)

    def choose(index: int) -> str:
        answers = AnswersInput(
            questions=tuple(questions_asked(conference)), values={meals.pk: [dinner.pk]}
        )
        try:
            registration_answers_set(
                registration=registrations[index], answers=answers, special_needs_consent=False
            )
        except ChoiceFullError:
            return "full"
        return "seated"

    outcomes = run_concurrently(40, choose)

    assert outcomes.count("seated") == 10
    assert seats_held(dinner) == 10
    assert meals.type == QuestionType.MULTIPLE_CHOICE
