"""Actions that cannot be undone (cancel, reject) first show a page naming the delegates they
will change, and do nothing until it is answered "Yes, I'm sure"."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse

from registrations.models import OutboundEmail, Registration
from tests.factories import AuthorityFactory, ConferenceFactory, RegistrationFactory
from tests.staff import staff_login

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:registrations_registration_changelist"


@pytest.fixture
def organiser(client):
    user = get_user_model().objects.create_user("organiser", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name="Organisers"))
    staff_login(client, user)
    return client


@pytest.fixture
def conference():
    return ConferenceFactory(capacity=1)


@pytest.mark.parametrize(
    ("action", "status", "outcome", "question"),
    [
        ("cancel_registrations", "confirmed", "cancelled", "Cancel this 1 registration?"),
        ("reject_registrations", "pending", "rejected", "Reject this 1 pending registration?"),
    ],
)
def test_the_action_names_the_delegates_and_waits_for_confirmation(
    organiser, conference, action, status, outcome, question
):
    authority = AuthorityFactory(name="Liège", country="BE")
    chosen = RegistrationFactory(
        conference=conference,
        status=status,
        first_name="Élise",
        last_name="Dupont",
        authority=authority,
    )
    not_concerned = RegistrationFactory(
        conference=conference, status="cancelled", last_name="Elsewhere"
    )

    response = organiser.post(
        reverse(CHANGELIST),
        {"action": action, "_selected_action": [chosen.pk, not_concerned.pk]},
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert question in content
    assert "Élise Dupont" in content
    assert "Liège (BE)" in content
    assert chosen.reference in content
    assert "Elsewhere" not in content
    assert "Yes, I’m sure" in content
    assert "No, take me back" in content
    assert f'name="_selected_action" value="{chosen.pk}"' in content
    chosen.refresh_from_db()
    assert chosen.status == status
    assert not OutboundEmail.objects.exists()

    response = organiser.post(
        reverse(CHANGELIST),
        {"action": action, "_selected_action": [chosen.pk], "post": "yes"},
        follow=True,
    )

    chosen.refresh_from_db()
    assert chosen.status == outcome
    assert OutboundEmail.objects.filter(registration=chosen).exists()


def test_cancelling_all_of_a_filtered_list_names_them_and_keeps_the_filter(organiser, conference):
    liege = AuthorityFactory(name="Liège", country="BE")
    in_belgium = RegistrationFactory(conference=conference, authority=liege)
    in_poland = RegistrationFactory(
        conference=conference, authority=AuthorityFactory(name="Gdańsk", country="PL")
    )
    url = reverse(CHANGELIST) + "?country=BE"

    response = organiser.post(
        url,
        {
            "action": "cancel_registrations",
            "_selected_action": [in_belgium.pk],
            "select_across": "1",
        },
    )

    content = response.content.decode()
    assert in_belgium.reference in content
    assert in_poland.reference not in content
    assert 'href="/admin/registrations/registration/?country=BE"' in content
    organiser.post(
        url,
        {
            "action": "cancel_registrations",
            "_selected_action": [in_belgium.pk],
            "select_across": "1",
            "post": "yes",
        },
    )
    assert Registration.objects.get(pk=in_belgium.pk).status == "cancelled"
    assert Registration.objects.get(pk=in_poland.pk).status == "confirmed"


def test_nothing_to_change_says_so_without_a_confirmation(organiser, conference):
    already = RegistrationFactory(conference=conference, status="cancelled")

    response = organiser.post(
        reverse(CHANGELIST),
        {"action": "cancel_registrations", "_selected_action": [already.pk]},
        follow=True,
    )

    assert "None of the selected registrations can be changed that way." in (
        response.content.decode()
    )


def test_erasing_names_the_delegates_and_waits_for_confirmation(organiser, conference):
    cancelled = RegistrationFactory(
        conference=conference, status="cancelled", first_name="Ærø", last_name="Đorđević"
    )
    active = RegistrationFactory(conference=conference, last_name="Still-coming")
    data = {"action": "erase_registrations", "_selected_action": [cancelled.pk, active.pk]}

    response = organiser.post(reverse(CHANGELIST), data)

    content = response.content.decode()
    assert "Erase the personal data of this 1 registration?" in content
    assert "Ærø Đorđević" in content
    assert "Still-coming" not in content
    cancelled.refresh_from_db()
    assert cancelled.erased_at is None and cancelled.last_name == "Đorđević"

    organiser.post(reverse(CHANGELIST), {**data, "post": "yes"})

    cancelled.refresh_from_db()
    active.refresh_from_db()
    assert cancelled.erased_at is not None and cancelled.last_name == ""
    assert active.erased_at is None and active.last_name == "Still-coming"


def test_viewers_cannot_erase(client, conference):
    user = get_user_model().objects.create_user("viewer", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name="Viewers"))
    staff_login(client, user)
    cancelled = RegistrationFactory(conference=conference, status="cancelled")

    client.post(
        reverse(CHANGELIST),
        {"action": "erase_registrations", "_selected_action": [cancelled.pk], "post": "yes"},
    )

    cancelled.refresh_from_db()
    assert cancelled.erased_at is None
