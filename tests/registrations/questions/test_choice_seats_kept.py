"""Which seats of a choice a registration keeps when its answers change: an active one keeps
those it holds, even over a capacity lowered since; a cancelled one holds none, so its choices
are checked again."""

import pytest

from registrations.models import QuestionType
from registrations.places.answers import registration_answers_set
from registrations.places.status import registration_cancel
from registrations.questions.answers import AnswersInput, ChoiceFullError
from registrations.questions.selectors import questions_asked
from tests.factories import RegistrationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def negresco(questions):
    choice = questions[QuestionType.SINGLE_CHOICE].choices.get(label_en="Hotel Negresco")
    choice.capacity = 1
    choice.save()
    return choice


def answer(registration, questions, choice, text: str = "") -> None:
    registration_answers_set(
        registration=registration,
        answers=AnswersInput(
            questions=tuple(questions_asked(registration.conference)),
            values={
                questions[QuestionType.SINGLE_CHOICE].pk: choice.pk,
                questions[QuestionType.TEXT].pk: text,
            },
        ),
        special_needs_consent=False,
        by_organiser=True,
    )


def test_an_active_registration_keeps_its_seat_over_a_lowered_capacity(
    conference, questions, negresco
):
    holder = RegistrationFactory(conference=conference)
    answer(holder, questions, negresco)
    negresco.capacity = 0
    negresco.save()

    answer(holder, questions, negresco, text="Deputy mayor")

    assert holder.answers.get(question=questions[QuestionType.TEXT]).value_text == "Deputy mayor"


def test_a_cancelled_registrations_answers_are_checked_again(conference, questions, negresco):
    """Cancelling freed the seat and someone took it: the cancelled registration's later
    change of answers cannot keep the choice."""
    first = RegistrationFactory(conference=conference)
    answer(first, questions, negresco)
    registration_cancel(registration=first)
    answer(RegistrationFactory(conference=conference), questions, negresco)

    with pytest.raises(ChoiceFullError, match="Hotel Negresco"):
        answer(first, questions, negresco, text="Deputy mayor")

    assert not first.answers.filter(question=questions[QuestionType.TEXT]).exists()
