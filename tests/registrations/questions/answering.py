"""Answers written directly, as answers_save would leave them: to a built-in question by its
key, its choices by theirs."""

from registrations.models import Answer, Question


def builtin(conference, key: str) -> Question:
    return Question.objects.get(conference=conference, builtin=key)


def choose(registration, question: Question, *choice_keys: str) -> Answer:
    """An answer to a choice question, its choices given by their built-in key or label."""
    choices = [
        choice
        for choice in question.choices.all()
        if choice.builtin in choice_keys or choice.label in choice_keys
    ]
    assert len(choices) == len(choice_keys), (choice_keys, list(question.choices.all()))
    answer = Answer.objects.create(
        registration=registration,
        question=question,
        question_label=question.label,
        choice_labels=[choice.label for choice in choices],
    )
    answer.choices.set(choices)
    return answer


def answer(registration, question: Question, **values) -> Answer:
    return Answer.objects.create(
        registration=registration, question=question, question_label=question.label, **values
    )
