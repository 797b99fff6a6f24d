import pytest
from django.urls import reverse
from django.utils import translation

from registrations.access.links import management_link_issue
from registrations.models import Delegation, QuestionType, Registration
from registrations.questions.builtin import BUILTIN_DIET
from tests.factories import AuthorityFactory
from tests.registrations.questions.helpers import answers_data, assert_answers_given, field

pytestmark = pytest.mark.django_db


def url(name: str, **kwargs) -> str:
    with translation.override("en"):
        return reverse(f"registrations:{name}", kwargs=kwargs)


@pytest.fixture
def liege(db):
    return AuthorityFactory(name="Liège", country="BE", is_member=True)


def delegation_post(authority, *people, extra: dict | None = None) -> dict:
    data = {
        "authority": authority.pk,
        "coordinator_first_name": "Marie",
        "coordinator_last_name": "Dupont",
        "coordinator_email": "marie@liege.be",
        "coordinator_language": "fr",
        "privacy_consent": "on",
        "members-TOTAL_FORMS": "2",
        "members-INITIAL_FORMS": "0",
        "members-MIN_NUM_FORMS": "1",
        "members-MAX_NUM_FORMS": "50",
        # A browser sends the selects of a row left empty too.
        "members-1-category": "delegate",
        "members-1-preferred_language": "en",
    }
    for index, (first, email) in enumerate(people):
        data.update(
            {
                f"members-{index}-first_name": first,
                f"members-{index}-last_name": "Peeters",
                f"members-{index}-email": email,
                f"members-{index}-job_title": "Adviser",
                f"members-{index}-category": "delegate",
                f"members-{index}-preferred_language": "fr",
            }
        )
    data.update(extra or {})
    return data


def test_each_question_type_round_trips_through_the_delegation_form_per_delegate(
    client, conference, questions, liege
):
    response = client.post(
        url("delegation_register", slug=conference.slug),
        delegation_post(
            liege,
            ("Jan", "jan@liege.be"),
            ("Els", "els@liege.be"),
            extra=answers_data(questions, prefix="members-1-"),
        ),
    )

    assert response.status_code == 302, response.content.decode()
    assert_answers_given(Registration.objects.get(email="els@liege.be"), conference)
    assert not Registration.objects.get(email="jan@liege.be").answers.exists()


def test_delegation_form_asks_each_delegate_but_not_the_special_category(
    client, conference, questions
):
    content = client.get(url("delegation_register", slug=conference.slug)).content.decode()
    diet = conference.questions.get(builtin=BUILTIN_DIET)

    assert f'name="members-0-{field(questions[QuestionType.TEXT])}"' in content
    assert f'name="members-1-{field(questions[QuestionType.TEXT])}"' in content
    assert field(diet) not in content
    assert 'enctype="multipart/form-data"' in content


def test_delegate_required_answer_missing_is_refused_beside_the_field(
    client, conference, questions, liege
):
    question = questions[QuestionType.NUMBER]
    question.required = True
    question.save()

    response = client.post(
        url("delegation_register", slug=conference.slug),
        delegation_post(liege, ("Jan", "jan@liege.be")),
    )

    assert response.status_code == 400
    formset = response.context["formset"]
    assert formset.forms[0].errors[field(question)] == ["This question needs an answer."]
    # The row left empty asks nothing.
    assert formset.forms[1].errors == {}
    assert not Delegation.objects.exists()


def test_coordinator_adds_a_delegate_with_answers(client, conference, questions, liege):
    client.post(
        url("delegation_register", slug=conference.slug),
        delegation_post(liege, ("Jan", "jan@liege.be")),
    )
    token = management_link_issue(delegation=Delegation.objects.get())
    client.get(url("manage_enter", token=token))
    text = questions[QuestionType.TEXT]

    response = client.post(
        url("manage_delegation"),
        {
            "first_name": "Els",
            "last_name": "Peeters",
            "email": "els@liege.be",
            "job_title": "Adviser",
            "category": "delegate",
            "preferred_language": "fr",
            field(text): "Prevention unit",
        },
    )

    assert response.status_code == 302, response.content.decode()
    added = Registration.objects.get(email="els@liege.be")
    assert added.answers.get(question=text).value_text == "Prevention unit"
