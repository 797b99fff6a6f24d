"""A conference with a question of each type, beside its built-in ones."""

import pytest

from registrations.models import QuestionType
from tests.factories import ConferenceFactory
from tests.factories.questions import QuestionChoiceFactory, QuestionFactory


@pytest.fixture
def conference(db):
    return ConferenceFactory()


@pytest.fixture
def questions(conference):
    """One question of each type, keyed by type; the choice questions with two choices
    (the first of the single choice with a capacity of 10)."""
    made = {}
    for kind in QuestionType.values:
        made[kind] = QuestionFactory(
            conference=conference, type=kind, label_en=f"Q {kind}", label_fr=f"Q {kind} fr"
        )
    single = made[QuestionType.SINGLE_CHOICE]
    QuestionChoiceFactory(question=single, label_en="Hotel Negresco", capacity=10)
    QuestionChoiceFactory(question=single, label_en="Hotel Aston")
    multiple = made[QuestionType.MULTIPLE_CHOICE]
    QuestionChoiceFactory(question=multiple, label_en="Tram tour")
    QuestionChoiceFactory(question=multiple, label_en="Harbour walk")
    return made
