import re

import pytest
from django.urls import reverse
from django.utils import translation

from registrations.models import Answer, ConsentRecord, QuestionType, Registration
from registrations.questions.builtin import BUILTIN_DIET
from tests.factories import AuthorityFactory
from tests.registrations.questions.helpers import answers_data, assert_answers_given, field

pytestmark = pytest.mark.django_db


def register_url(conference, language: str = "en") -> str:
    with translation.override(language):
        return reverse("registrations:register", kwargs={"slug": conference.slug})


@pytest.fixture
def form_data():
    return {
        "authority": AuthorityFactory(name="Rotterdam", country="NL").pk,
        "first_name": "Sanne",
        "last_name": "de Vries",
        "email": "sanne.devries@rotterdam.nl",
        "job_title": "Policy adviser",
        "category": "delegate",
        "preferred_language": "en",
        "privacy_consent": "on",
    }


def test_each_question_type_round_trips_through_the_public_form(
    client, conference, questions, form_data
):
    response = client.post(register_url(conference), {**form_data, **answers_data(questions)})

    assert response.status_code == 302, response.content.decode()
    assert_answers_given(Registration.objects.get(), conference)


def test_public_form_shows_the_questions_in_their_language(client, conference, questions):
    content = client.get(register_url(conference, "fr")).content.decode()

    assert f"Q {QuestionType.TEXT} fr" in content
    assert 'enctype="multipart/form-data"' in content


def test_required_question_left_empty_is_refused_beside_its_field(
    client, conference, questions, form_data
):
    question = questions[QuestionType.TEXT]
    question.required = True
    question.save()

    response = client.post(register_url(conference), form_data)

    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors[field(question)] == ["This question needs an answer."]
    assert not Registration.objects.exists()


def test_question_of_another_category_is_neither_required_nor_kept(
    client, conference, questions, form_data
):
    question = questions[QuestionType.TEXT]
    question.required = True
    question.categories = ["press"]
    question.save()

    response = client.post(register_url(conference), {**form_data, field(question): "Le Monde"})

    assert response.status_code == 302
    assert not Answer.objects.filter(question=question).exists()


def test_question_of_the_category_chosen_is_required(client, conference, questions, form_data):
    question = questions[QuestionType.TEXT]
    question.required = True
    question.categories = ["press"]
    question.save()

    response = client.post(register_url(conference), {**form_data, "category": "press"})

    assert response.status_code == 400
    assert response.context["form"].errors[field(question)] == ["This question needs an answer."]


@pytest.mark.parametrize(
    ("kind", "value", "message"),
    [
        (QuestionType.NUMBER, "many", "Enter a number."),
        (QuestionType.DATE, "9 juin", "Enter a valid date."),
        (QuestionType.DATETIME, "tomorrow", "Enter a valid date/time."),
        (
            QuestionType.COUNTRY,
            "XX",
            "Select a valid choice. XX is not one of the available choices.",
        ),
        (QuestionType.TEXT, "a\x07b", "Remove the invisible control characters from this text."),
    ],
)
def test_invalid_answer_is_refused_beside_its_field(
    client, conference, questions, form_data, kind, value, message
):
    question = questions[kind]

    response = client.post(register_url(conference), {**form_data, field(question): value})

    assert response.status_code == 400
    assert response.context["form"].errors[field(question)] == [message]
    # Linked to its field for screen readers, as the other fields' errors are.
    content = response.content.decode()
    tag = re.search(rf'<(input|select|textarea)[^>]*id="id_{field(question)}"[^>]*>', content)
    assert tag is not None
    assert re.search(rf'aria-describedby="[^"]*\bid_{field(question)}_error\b', tag.group())


def test_special_category_answer_needs_the_consent(client, conference, form_data):
    diet = conference.questions.get(builtin=BUILTIN_DIET)
    vegan = diet.choices.get(builtin="vegan")

    response = client.post(register_url(conference), {**form_data, field(diet): [str(vegan.pk)]})

    assert response.status_code == 400
    assert response.context["form"].errors["special_needs_consent"] == [
        "Tick this box so that we may keep your dietary, health and accessibility answers, or "
        "leave those questions unanswered."
    ]

    response = client.post(
        register_url(conference),
        {**form_data, field(diet): [str(vegan.pk)], "special_needs_consent": "on"},
    )

    assert response.status_code == 302
    registration = Registration.objects.get()
    assert registration.answers.get(question=diet).choice_labels == ["Vegan"]
    assert registration.consents.filter(kind=ConsentRecord.Kind.SPECIAL_NEEDS).exists()


def test_full_choice_is_refused_beside_its_field_and_shown_full(
    client, conference, questions, form_data
):
    question = questions[QuestionType.SINGLE_CHOICE]
    negresco = question.choices.get(label_en="Hotel Negresco")
    negresco.capacity = 1
    negresco.save()
    client.post(
        register_url(conference),
        {**form_data, "email": "first@rotterdam.nl", field(question): str(negresco.pk)},
    )

    page = client.get(register_url(conference)).content.decode()
    response = client.post(
        register_url(conference), {**form_data, field(question): str(negresco.pk)}
    )

    assert "Hotel Negresco · full" in page
    assert response.status_code == 400
    assert response.context["form"].errors[field(question)] == [
        "“Hotel Negresco” is full: choose another answer."
    ]
    assert Registration.objects.count() == 1


def test_choice_filled_meanwhile_is_refused_by_the_service_beside_its_field(
    client, conference, questions, form_data, monkeypatch
):
    """The seat went between the page's check and the locked one: the service refuses."""
    question = questions[QuestionType.SINGLE_CHOICE]
    negresco = question.choices.get(label_en="Hotel Negresco")
    negresco.capacity = 1
    negresco.save()
    monkeypatch.setattr("registrations.forms.questions.choices_held", lambda ids: {})
    client.post(
        register_url(conference),
        {**form_data, "email": "first@rotterdam.nl", field(question): str(negresco.pk)},
    )

    response = client.post(
        register_url(conference), {**form_data, field(question): str(negresco.pk)}
    )

    assert response.status_code == 409
    assert response.context["form"].errors[field(question)] == [
        "“Hotel Negresco” is full: choose another answer."
    ]
    assert Registration.objects.count() == 1


def test_other_diet_must_be_named_beside_its_field(client, conference, form_data):
    diet = conference.questions.get(builtin=BUILTIN_DIET)
    other = conference.questions.get(builtin="diet_other")
    data = {
        **form_data,
        field(diet): [str(diet.choices.get(builtin="other").pk)],
        "special_needs_consent": "on",
    }

    refused = client.post(register_url(conference), data)
    accepted = client.post(register_url(conference), {**data, field(other): "No raw fish"})

    assert refused.status_code == 409
    assert refused.context["form"].errors[field(other)] == ["Say which other diet."]
    assert accepted.status_code == 302
    assert Registration.objects.get().answers.get(question=other).value_text == "No raw fish"
