import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from registrations.access.links import management_link_issue
from registrations.models import ConsentRecord, QuestionType
from registrations.questions.builtin import BUILTIN_DIET
from tests.factories import RegistrationFactory
from tests.registrations.questions.helpers import (
    PDF,
    answers_data,
    assert_answers_given,
    field,
    pdf_upload,
)

pytestmark = pytest.mark.django_db


def url(name: str, **kwargs) -> str:
    with translation.override("en"):
        return reverse(f"registrations:{name}", kwargs=kwargs)


@pytest.fixture
def registration(conference):
    return RegistrationFactory(conference=conference)


@pytest.fixture
def delegate(client, registration):
    client.get(url("manage_enter", token=management_link_issue(registration=registration)))
    return client


def test_each_question_type_round_trips_through_the_personal_page(
    delegate, conference, questions, registration
):
    response = delegate.post(url("manage_answers"), answers_data(questions))

    assert response.status_code == 302, response.content.decode()
    assert_answers_given(registration, conference)
    # Shown again as given, ready to change.
    form = delegate.get(url("manage_answers")).context["form"]
    text = questions[QuestionType.TEXT]
    assert form.initial[field(text)] == "Deputy mayor's office"
    single = questions[QuestionType.SINGLE_CHOICE]
    assert form.initial[field(single)] == str(single.choices.get(label_en="Hotel Aston").pk)
    assert form.initial[field(questions[QuestionType.YES_NO])] == "no"


def test_changing_one_answer_keeps_the_others_and_the_file(
    delegate, conference, questions, registration
):
    delegate.post(url("manage_answers"), answers_data(questions))
    data = answers_data(questions)
    del data[field(questions[QuestionType.FILE])]
    data[field(questions[QuestionType.TEXT])] = "Mayor's cabinet"

    response = delegate.post(url("manage_answers"), data)

    assert response.status_code == 302
    assert registration.answers.get(question=questions[QuestionType.TEXT]).value_text == (
        "Mayor's cabinet"
    )
    file_answer = registration.answers.get(question=questions[QuestionType.FILE])
    with file_answer.file.open("rb") as stored:
        assert stored.read() == PDF


def test_emptying_an_optional_answer_deletes_it(delegate, questions, registration):
    delegate.post(url("manage_answers"), answers_data(questions))
    data = answers_data(questions)
    data[field(questions[QuestionType.TEXT])] = ""

    delegate.post(url("manage_answers"), data)

    assert not registration.answers.filter(question=questions[QuestionType.TEXT]).exists()


def test_answers_cannot_be_changed_after_the_cut_off(delegate, conference, questions):
    conference.changes_close_at = timezone.now() - dt.timedelta(minutes=1)
    conference.save()

    page = delegate.get(url("manage_answers")).content.decode()
    response = delegate.post(url("manage_answers"), answers_data(questions))

    assert "Changes are closed." in page
    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == [
        "Changes are closed; please write to the organisers for any change."
    ]


def test_special_category_answer_on_the_personal_page_needs_the_consent(
    delegate, conference, registration
):
    diet = conference.questions.get(builtin=BUILTIN_DIET)
    halal = diet.choices.get(builtin="halal")

    refused = delegate.post(url("manage_answers"), {field(diet): [str(halal.pk)]})
    accepted = delegate.post(
        url("manage_answers"), {field(diet): [str(halal.pk)], "special_needs_consent": "on"}
    )

    assert refused.status_code == 400
    assert "special_needs_consent" in refused.context["form"].errors
    assert accepted.status_code == 302
    assert registration.answers.get(question=diet).choice_labels == ["Halal"]
    assert registration.consents.filter(kind=ConsentRecord.Kind.SPECIAL_NEEDS).count() == 1


def test_delegate_downloads_their_own_file_only(
    delegate, client, conference, questions, registration
):
    delegate.post(url("manage_answers"), {field(questions[QuestionType.FILE]): pdf_upload()})
    answer = registration.answers.get(question=questions[QuestionType.FILE])
    other = RegistrationFactory(conference=conference)
    other_answer = other.answers.create(
        question=questions[QuestionType.FILE], question_label="Q", file_name="x.pdf"
    )

    response = delegate.get(url("manage_answer_file", pk=answer.pk))
    foreign = delegate.get(url("manage_answer_file", pk=other_answer.pk))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="mandate.pdf"'
    assert foreign.status_code == 404


def test_file_of_another_type_is_refused_whatever_its_name(delegate, questions):
    question = questions[QuestionType.FILE]
    upload = pdf_upload(name="mandate.pdf", content=b"MZ\x90\x00 not a pdf")

    response = delegate.post(url("manage_answers"), {field(question): upload})

    assert response.status_code == 400
    assert response.context["form"].errors[field(question)] == ["Send a PDF, JPEG or PNG file."]


def test_file_over_the_size_limit_is_refused(delegate, questions):
    question = questions[QuestionType.FILE]
    upload = pdf_upload(content=b"%PDF-1.4" + b"0" * (5 * 2**20))

    response = delegate.post(url("manage_answers"), {field(question): upload})

    assert response.status_code == 400
    assert response.context["form"].errors[field(question)] == [
        "This file is too large: send one of 5 MB at most."
    ]
