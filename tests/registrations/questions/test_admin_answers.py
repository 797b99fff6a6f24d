"""The registration list filters by answer (a choice, or yes or no, of the conference filtered
to), and a registration's page shows its answers; special-category ones only with the
special-needs permission, in both."""

import pytest
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.urls import reverse

from registrations.models import QuestionType
from registrations.questions.builtin import BUILTIN_DIET
from tests.factories import ConferenceFactory, RegistrationFactory
from tests.factories.questions import QuestionFactory
from tests.registrations.questions.answering import answer, builtin, choose
from tests.registrations.questions.helpers import PDF
from tests.staff import staff_login

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:registrations_registration_changelist"


def grant(user, *codenames: str) -> None:
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))


@pytest.fixture
def staff(django_user_model):
    user = django_user_model.objects.create_user("olga", password="x", is_staff=True)
    grant(user, "view_registration")
    return user


@pytest.fixture
def world(conference, questions):
    hotel = questions[QuestionType.SINGLE_CHOICE]
    aston = hotel.choices.get(label_en="Hotel Aston")
    negresco = hotel.choices.get(label_en="Hotel Negresco")
    diet = builtin(conference, BUILTIN_DIET)
    aalto = RegistrationFactory(conference=conference, last_name="Aalto")
    choose(aalto, hotel, "Hotel Aston")
    choose(aalto, diet, "vegan")
    answer(aalto, questions[QuestionType.YES_NO], value_bool=True)
    answer(aalto, questions[QuestionType.FILE], file_name="mandate.pdf", file="answers/1/a.pdf")
    berg = RegistrationFactory(conference=conference, last_name="Berg")
    choose(berg, hotel, "Hotel Negresco")
    answer(berg, questions[QuestionType.YES_NO], value_bool=False)
    RegistrationFactory(conference=conference, last_name="Claes")
    # Another conference's delegate, answering nothing here.
    RegistrationFactory(conference=ConferenceFactory(), last_name="Dahl")
    return {
        "conference": conference,
        "aston": aston,
        "negresco": negresco,
        "vegan": diet.choices.get(builtin="vegan"),
        "yes_no": questions[QuestionType.YES_NO],
        "aalto": aalto,
    }


def listed(client, **params) -> list[str]:
    response = client.get(reverse(CHANGELIST), params)
    assert response.status_code == 200
    return sorted(r.last_name for r in response.context["cl"].result_list)


def test_filter_by_choice_and_by_yes_or_no(client, staff, world):
    staff_login(client, staff)
    conference = world["conference"].pk

    assert listed(client, answer=f"c{world['aston'].pk}") == ["Aalto"]
    assert listed(client, answer=f"c{world['negresco'].pk}") == ["Berg"]
    assert listed(client, answer=f"y{world['yes_no'].pk}") == ["Aalto"]
    assert listed(client, answer=f"n{world['yes_no'].pk}") == ["Berg"]
    assert listed(client, conference__id__exact=conference) == ["Aalto", "Berg", "Claes"]


def filter_choices(client, **params) -> list[str]:
    response = client.get(reverse(CHANGELIST), params)
    answer_filter = next(
        (
            spec
            for spec in response.context["cl"].filter_specs
            if getattr(spec, "parameter_name", None) == "answer"
        ),
        None,
    )
    return [label for _value, label in answer_filter.lookup_choices] if answer_filter else []


def test_filter_offers_the_filtered_conference_choices(client, staff, world):
    staff_login(client, staff)

    offered = filter_choices(client, conference__id__exact=world["conference"].pk)

    assert "Q single_choice: Hotel Aston" in offered
    assert "Q yes_no: Yes" in offered
    assert not any(label.startswith("Dietary requirements") for label in offered)
    # Two conferences and none chosen: whose questions would it be?
    assert filter_choices(client) == []


def test_special_category_filter_needs_the_permission(client, staff, world):
    staff_login(client, staff)
    assert listed(client, answer=f"c{world['vegan'].pk}") == []

    grant(staff, "view_special_needs")
    staff = type(staff).objects.get(pk=staff.pk)
    staff_login(client, staff)
    assert listed(client, answer=f"c{world['vegan'].pk}") == ["Aalto"]
    offered = filter_choices(client, conference__id__exact=world["conference"].pk)
    assert "Dietary requirements: Vegan" in offered


def test_registration_page_shows_its_answers_special_ones_with_the_permission(client, staff, world):
    url = reverse("admin:registrations_registration_change", args=[world["aalto"].pk])
    staff_login(client, staff)
    assert "Hotel Aston" not in client.get(url).content.decode()  # no view_answer

    grant(staff, "view_answer")
    staff = type(staff).objects.get(pk=staff.pk)
    staff_login(client, staff)

    page = client.get(url).content.decode()

    assert "Q single_choice" in page
    assert "Hotel Aston" in page
    assert "mandate.pdf" in page
    assert "Q yes_no" in page
    assert "Dietary requirements" not in page

    grant(staff, "view_special_needs")
    staff = type(staff).objects.get(pk=staff.pk)
    staff_login(client, staff)
    page = client.get(url).content.decode()
    assert "Dietary requirements" in page
    assert "Vegan" in page


def test_file_answer_downloads_through_the_permission_checked_view(
    client, staff, conference, questions, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    registration = RegistrationFactory(conference=conference)
    sent = answer(registration, questions[QuestionType.FILE], file_name="mandate.pdf")
    sent.file.save("mandate.pdf", ContentFile(PDF), save=True)
    sent.file_content_type = "application/pdf"
    sent.save()
    secret_question = QuestionFactory(
        conference=conference, type=QuestionType.FILE, special_category=True
    )
    secret = answer(registration, secret_question, file_name="medical.pdf")
    secret.file.save("medical.pdf", ContentFile(PDF), save=True)
    url = reverse("admin:registrations_answer_file", args=[sent.pk])
    secret_url = reverse("admin:registrations_answer_file", args=[secret.pk])
    staff_login(client, staff)
    assert client.get(url).status_code == 403  # no view_answer

    grant(staff, "view_answer")
    staff = type(staff).objects.get(pk=staff.pk)
    staff_login(client, staff)
    page = client.get(
        reverse("admin:registrations_registration_change", args=[registration.pk])
    ).content.decode()
    response = client.get(url)

    assert f'href="{url}"' in page
    assert f'href="{secret_url}"' not in page
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="mandate.pdf"'
    assert b"".join(response.streaming_content) == PDF
    assert client.get(secret_url).status_code == 403

    grant(staff, "view_special_needs")
    staff = type(staff).objects.get(pk=staff.pk)
    staff_login(client, staff)
    assert client.get(secret_url).status_code == 200
