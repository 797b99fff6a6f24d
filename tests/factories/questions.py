import factory

from registrations.models import Answer, Question, QuestionChoice, QuestionType
from tests.factories.conference import ConferenceFactory


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    conference = factory.SubFactory(ConferenceFactory)
    type = QuestionType.TEXT
    position = factory.Sequence(lambda n: 500 + n)
    label_en = factory.Sequence(lambda n: f"Question {n}")
    label_fr = factory.Sequence(lambda n: f"Question n° {n}")


class QuestionChoiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QuestionChoice

    question = factory.SubFactory(QuestionFactory, type=QuestionType.SINGLE_CHOICE)
    position = factory.Sequence(lambda n: n)
    label_en = factory.Sequence(lambda n: f"Choice {n}")
    label_fr = factory.Sequence(lambda n: f"Choix {n}")


class AnswerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Answer

    question = factory.SubFactory(QuestionFactory)
    question_label = factory.LazyAttribute(lambda o: o.question.label_en)
