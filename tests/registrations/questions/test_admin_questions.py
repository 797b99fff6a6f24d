import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from registrations.models import Answer, Question, QuestionType
from registrations.questions.builtin import BUILTIN_DIET
from tests.factories import RegistrationFactory
from tests.factories.questions import QuestionFactory
from tests.registrations.questions.helpers import (
    PDF,
    answers_data,
    assert_answers_given,
    field,
    pdf_upload,
)
from tests.staff import staff_login

pytestmark = pytest.mark.django_db


def grant(user, *codenames: str) -> None:
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))


@pytest.fixture
def organiser(client, django_user_model):
    user = django_user_model.objects.create_user("ines", password="x", is_staff=True)
    grant(
        user,
        "view_registration",
        "change_registration",
        "view_question",
        "add_question",
        "change_question",
        "delete_question",
        "view_questionchoice",
        "add_questionchoice",
        "change_questionchoice",
        "delete_questionchoice",
        "view_answer",
        "change_answer",
        "delete_answer",
        "view_special_needs",
    )
    staff_login(client, user)
    client.user = user
    return client


def question_post(conference, **overrides) -> dict:
    data = {
        "conference": conference.pk,
        "position": "5",
        "type": QuestionType.SINGLE_CHOICE,
        "label_en": "Your hotel",
        "label_fr": "Votre hôtel",
        "help_text_en": "From the conference's list.",
        "help_text_fr": "Dans la liste de la conférence.",
        "required": "on",
        "categories": ["delegate", "speaker"],
        "active": "on",
        "choices-TOTAL_FORMS": "2",
        "choices-INITIAL_FORMS": "0",
        "choices-MIN_NUM_FORMS": "0",
        "choices-MAX_NUM_FORMS": "1000",
        "choices-0-position": "1",
        "choices-0-label_en": "Hotel Negresco",
        "choices-0-label_fr": "Hôtel Negresco",
        "choices-0-capacity": "40",
        "choices-1-position": "2",
        "choices-1-label_en": "Hotel Aston",
        "choices-1-label_fr": "Hôtel Aston",
        "choices-1-capacity": "",
    }
    data.update(overrides)
    return data


def test_organiser_adds_a_bilingual_question_with_choices_and_a_capacity(organiser, conference):
    response = organiser.post(
        reverse("admin:registrations_question_add"), question_post(conference)
    )

    assert response.status_code == 302, response.content.decode()
    question = Question.objects.get(label_en="Your hotel")
    assert question.label_fr == "Votre hôtel"
    assert question.help_text_fr == "Dans la liste de la conférence."
    assert question.categories == ["delegate", "speaker"]
    assert question.required
    choices = list(question.choices.values_list("label_en", "label_fr", "capacity"))
    assert choices == [
        ("Hotel Negresco", "Hôtel Negresco", 40),
        ("Hotel Aston", "Hôtel Aston", None),
    ]


def test_question_list_orders_by_position_and_changes_it_in_place(organiser, conference):
    first = QuestionFactory(conference=conference, position=1, label_en="Badge photo")
    second = QuestionFactory(conference=conference, position=2, label_en="Hotel")

    response = organiser.get(
        reverse("admin:registrations_question_changelist"), {"conference__id__exact": conference.pk}
    )
    content = response.content.decode()

    assert content.index("Badge photo") < content.index("Hotel")
    assert first.pk and second.pk


def test_question_type_is_fixed_once_answered(organiser, conference, questions):
    question = questions[QuestionType.TEXT]
    Answer.objects.create(
        registration=RegistrationFactory(conference=conference),
        question=question,
        question_label="Q text",
        value_text="Prevention unit",
    )

    response = organiser.get(reverse("admin:registrations_question_change", args=[question.pk]))

    assert 'name="type"' not in response.content.decode()


def test_renamed_question_keeps_its_answers_readable(conference, questions):
    question = questions[QuestionType.SINGLE_CHOICE]
    registration = RegistrationFactory(conference=conference)
    answer = Answer.objects.create(
        registration=registration, question=question, question_label="Q single_choice"
    )
    aston = question.choices.get(label_en="Hotel Aston")
    answer.choices.set([aston])
    answer.choice_labels = ["Hotel Aston"]
    answer.save()

    question.label_en = "Hotel booked"
    question.save()
    aston.delete()

    answer.refresh_from_db()
    assert answer.question_label == "Q single_choice"
    assert answer.display_value == "Hotel Aston"


def test_deleting_a_question_with_answers_asks_first_and_counts_them(
    organiser, conference, questions
):
    question = questions[QuestionType.TEXT]
    for _ in range(3):
        Answer.objects.create(
            registration=RegistrationFactory(conference=conference),
            question=question,
            question_label="Q text",
            value_text="secret",
        )
    url = reverse("admin:registrations_question_delete", args=[question.pk])

    page = organiser.get(url).content.decode()

    assert "Answers: 3" in page
    # The confirmation names the answers without showing them.
    assert "secret" not in page
    assert Answer.objects.count() == 3

    organiser.post(url, {"post": "yes"})

    assert not Answer.objects.exists()


def test_each_question_type_round_trips_through_the_admin(organiser, conference, questions):
    registration = RegistrationFactory(conference=conference)
    url = reverse("admin:registrations_registration_answers", args=[registration.pk])

    response = organiser.post(url, answers_data(questions))

    assert response.status_code == 302, response.content.decode()
    assert_answers_given(registration, conference)
    page = organiser.get(url).content.decode()
    assert "Deputy mayor&#x27;s office" in page
    assert "mandate.pdf" in page


def test_organiser_downloads_a_file_answer(organiser, conference, questions):
    registration = RegistrationFactory(conference=conference)
    organiser.post(
        reverse("admin:registrations_registration_answers", args=[registration.pk]),
        {field(questions[QuestionType.FILE]): pdf_upload()},
    )
    answer = registration.answers.get()

    response = organiser.get(reverse("admin:registrations_answer_file", args=[answer.pk]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF


def test_file_download_needs_the_permission(client, django_user_model, conference, questions):
    registration = RegistrationFactory(conference=conference)
    answer = Answer.objects.create(
        registration=registration,
        question=questions[QuestionType.FILE],
        question_label="Q file",
        file_name="mandate.pdf",
        file=pdf_upload(),
    )
    user = django_user_model.objects.create_user("viktor", password="x", is_staff=True)
    grant(user, "view_registration")
    staff_login(client, user)

    response = client.get(reverse("admin:registrations_answer_file", args=[answer.pk]))

    assert response.status_code == 403


def test_special_category_answers_hidden_from_staff_without_the_permission(
    client, django_user_model, conference
):
    user = django_user_model.objects.create_user("viktor", password="x", is_staff=True)
    grant(user, "view_registration", "change_answer", "view_answer")
    staff_login(client, user)
    registration = RegistrationFactory(conference=conference)
    diet = conference.questions.get(builtin=BUILTIN_DIET)

    page = client.get(
        reverse("admin:registrations_registration_answers", args=[registration.pk])
    ).content.decode()

    assert field(diet) not in page
    assert "Days you attend" in page


def test_organiser_cannot_record_special_answers_without_the_delegates_consent(
    organiser, conference
):
    registration = RegistrationFactory(conference=conference)
    diet = conference.questions.get(builtin=BUILTIN_DIET)
    vegan = diet.choices.get(builtin="vegan")

    response = organiser.post(
        reverse("admin:registrations_registration_answers", args=[registration.pk]),
        {field(diet): [str(vegan.pk)]},
    )

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "The delegate has not agreed to their dietary, health and accessibility answers being kept."
    ]
    assert not registration.answers.exists()


def test_deleting_a_question_deletes_the_files_of_its_answers(
    organiser, conference, questions, django_capture_on_commit_callbacks
):
    question = questions[QuestionType.FILE]
    answer = Answer.objects.create(
        registration=RegistrationFactory(conference=conference),
        question=question,
        question_label="Q file",
        file_name="mandate.pdf",
        file=pdf_upload(),
    )
    storage, name = answer.file.storage, answer.file.name
    assert storage.exists(name)

    with django_capture_on_commit_callbacks(execute=True):
        organiser.post(
            reverse("admin:registrations_question_delete", args=[question.pk]), {"post": "yes"}
        )

    assert not Answer.objects.exists()
    assert not storage.exists(name)


def test_file_download_needs_both_the_registration_and_the_answer_permissions(
    client, django_user_model, conference, questions
):
    """One download view (the admin site's), with every check: an answer is part of a
    registration, so seeing it needs both permissions; a special-category file also needs the
    special-needs one."""
    registration = RegistrationFactory(conference=conference)
    answer = Answer.objects.create(
        registration=registration,
        question=questions[QuestionType.FILE],
        question_label="Q file",
        file_name="mandate.pdf",
        file=pdf_upload(),
    )
    secret = Answer.objects.create(
        registration=registration,
        question=QuestionFactory(
            conference=conference, type=QuestionType.FILE, special_category=True
        ),
        question_label="Medical file",
        file_name="medical.pdf",
        file=pdf_upload(),
    )
    url = reverse("admin:registrations_answer_file", args=[answer.pk])
    secret_url = reverse("admin:registrations_answer_file", args=[secret.pk])
    user = django_user_model.objects.create_user("viktor", password="x", is_staff=True)
    grant(user, "view_answer")
    staff_login(client, user)
    assert client.get(url).status_code == 403

    grant(user, "view_registration")
    user = django_user_model.objects.get(pk=user.pk)
    staff_login(client, user)
    assert client.get(url).status_code == 200
    assert client.get(secret_url).status_code == 403
