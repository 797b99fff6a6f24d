"""Printing (or reprinting) a delegate's badge from the desk: for staff who print badges."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from registrations.models import Registration
from tests.factories import RegistrationFactory
from tests.staff import staff_login

pytestmark = pytest.mark.django_db


def desk_url(conference) -> str:
    return reverse("registrations:desk", kwargs={"slug": conference.slug})


def badge_url(registration) -> str:
    return reverse(
        "registrations:desk_badge",
        kwargs={"slug": registration.conference.slug, "reference": registration.reference},
    )


@pytest.fixture
def login(client):
    def as_user(group: str | None = None, *codenames: str):
        user = get_user_model().objects.create_user("staff", password="x", is_staff=True)
        if group:
            user.groups.add(Group.objects.get(name=group))
        user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
        staff_login(client, user)
        return client

    return as_user


def test_desk_prints_a_confirmed_delegates_badge(login):
    registration = RegistrationFactory(first_name="Anna", last_name="Nowak")
    client = login("Registration desk")

    page = client.get(desk_url(registration.conference), {"registration": registration.reference})
    assert f'href="{badge_url(registration)}"' in page.content.decode()

    response = client.get(badge_url(registration))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="badge-{registration.reference}.pdf"'
    )
    assert response["Cache-Control"] == "private, no-store"
    assert response.content.startswith(b"%PDF")


def test_desk_staff_without_the_badge_permission_get_no_link_and_403(login):
    registration = RegistrationFactory()
    client = login(None, "check_in")

    page = client.get(desk_url(registration.conference), {"registration": registration.reference})
    assert page.status_code == 200
    assert badge_url(registration) not in page.content.decode()
    assert client.get(badge_url(registration)).status_code == 403


def test_viewers_cannot_print_from_the_desk(login):
    registration = RegistrationFactory()
    assert login("Viewers").get(badge_url(registration)).status_code == 403


@pytest.mark.parametrize("status", [Registration.Status.PENDING, Registration.Status.CANCELLED])
def test_no_badge_before_the_registration_is_confirmed(login, status):
    registration = RegistrationFactory(status=status)
    client = login("Registration desk")

    page = client.get(desk_url(registration.conference), {"registration": registration.reference})
    assert badge_url(registration) not in page.content.decode()
    assert client.get(badge_url(registration)).status_code == 404


def test_badge_of_another_conference_is_not_found(login):
    registration = RegistrationFactory()
    other = RegistrationFactory()
    url = reverse(
        "registrations:desk_badge",
        kwargs={"slug": other.conference.slug, "reference": registration.reference},
    )
    assert login("Registration desk").get(url).status_code == 404
