"""The admin site asks a second factor of staff who can see special needs, change registrations
or export (enrolment on their first login), and offers one to the others."""

from base64 import b32decode
from urllib.parse import urlencode

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from django_otp.oath import totp

from registrations.permissions import two_factor_required
from tests.staff import totp_device, verified_login

pytestmark = pytest.mark.django_db

INDEX = reverse("admin:index")
LOGIN = reverse("admin:login")
REGISTRATIONS = reverse("admin:registrations_registration_changelist")
SETUP = reverse("two_factor:setup")
PASSWORD = "correct horse battery staple"


def staff(username: str, group: str | None = None, *codenames: str):
    user = get_user_model().objects.create_user(username, password=PASSWORD, is_staff=True)
    if group:
        user.groups.add(Group.objects.get(name=group))
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return user


@pytest.fixture
def organiser():
    return staff("olga", "Organisers")


def login_step(client, data: dict, *, next_url: str = INDEX):
    return client.post(f"{LOGIN}?{urlencode({'next': next_url})}", data)


def password_step(client, user):
    return login_step(
        client,
        {
            "login_view-current_step": "auth",
            "auth-username": user.username,
            "auth-password": PASSWORD,
        },
    )


@pytest.mark.parametrize(
    ("group", "codenames", "required"),
    [
        ("Organisers", [], True),
        ("Viewers", [], False),
        ("Registration desk", [], False),
        (None, ["view_registration", "view_special_needs"], True),
        (None, ["view_registration", "change_registration"], True),
        (None, ["view_registration", "export_registrations"], True),
        (None, ["view_registration", "view_outboundemail"], False),
    ],
)
def test_second_factor_is_required_by_permission(group, codenames, required):
    assert two_factor_required(staff("sam", group, *codenames)) is required


def test_superusers_need_a_second_factor(admin_user):
    assert two_factor_required(admin_user) is True


def test_organiser_without_a_device_is_sent_to_setup_on_first_login(client, organiser):
    response = password_step(client, organiser)
    assert response.status_code == 302
    assert response["Location"] == INDEX

    index = client.get(INDEX)
    assert index.status_code == 302
    assert index["Location"] == f"{LOGIN}?next={INDEX}"
    to_setup = client.get(index["Location"])
    assert to_setup.status_code == 302
    assert to_setup["Location"] == f"{SETUP}?{urlencode({'next': INDEX})}"
    # No admin page in between.
    listing = client.get(REGISTRATIONS)
    assert listing.status_code == 302
    assert listing["Location"] == f"{LOGIN}?next={REGISTRATIONS}"


def test_organiser_enrols_an_authenticator_app_then_uses_the_admin(client, organiser):
    password_step(client, organiser)
    setup = f"{SETUP}?{urlencode({'next': REGISTRATIONS})}"
    assert client.get(setup).status_code == 200
    client.post(setup, {"setup_view-current_step": "welcome"})
    client.post(setup, {"setup_view-current_step": "method", "method-method": "generator"})
    key = client.session["django_two_factor-qr_secret_key"]
    token = totp(b32decode(key))

    response = client.post(
        setup, {"setup_view-current_step": "generator", "generator-token": f"{token:06d}"}
    )

    assert response.status_code == 302
    assert response["Location"] == REGISTRATIONS
    assert organiser.totpdevice_set.filter(confirmed=True).count() == 1
    assert client.get(REGISTRATIONS).status_code == 200


def test_organiser_with_a_device_but_an_unverified_session_is_refused(client, organiser):
    totp_device(organiser)
    client.force_login(organiser)

    response = client.get(REGISTRATIONS)

    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next={REGISTRATIONS}"
    # The login asks for the password and then the token again; no setup.
    login = client.get(response["Location"])
    assert login.status_code == 200
    assert login.context["wizard"]["steps"].current == "auth"


def test_organiser_logs_in_with_password_and_token(client, organiser):
    device = totp_device(organiser)
    token_page = password_step(client, organiser)
    assert token_page.status_code == 200
    assert token_page.context["wizard"]["steps"].current == "token"
    assert client.get(INDEX).status_code == 302

    response = login_step(
        client,
        {"login_view-current_step": "token", "token-otp_token": f"{totp(device.bin_key):06d}"},
    )

    assert response.status_code == 302
    assert response["Location"] == INDEX
    assert client.get(REGISTRATIONS).status_code == 200


def test_wrong_token_is_refused(client, organiser):
    device = totp_device(organiser)
    password_step(client, organiser)
    wrong = (totp(device.bin_key) + 1) % 1_000_000

    response = login_step(
        client, {"login_view-current_step": "token", "token-otp_token": f"{wrong:06d}"}
    )

    assert response.status_code == 200
    assert response.context["wizard"]["steps"].current == "token"
    assert client.get(INDEX).status_code == 302


def test_verified_organiser_uses_the_admin_and_dashboards(client, organiser, conference):
    verified_login(client, organiser)

    index = client.get(INDEX)

    assert index.status_code == 200
    assert reverse("two_factor:profile") in index.content.decode()
    dashboard = reverse("admin:conference_dashboard", kwargs={"slug": conference.slug})
    assert client.get(dashboard).status_code == 200


def test_unverified_organiser_gets_no_dashboard(client, organiser, conference):
    client.force_login(organiser)
    dashboard = reverse("admin:conference_dashboard", kwargs={"slug": conference.slug})

    response = client.get(dashboard)

    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next={dashboard}"


def test_viewer_uses_the_admin_without_a_second_factor_and_is_offered_one(client):
    viewer = staff("vera", "Viewers")
    response = password_step(client, viewer)
    assert response.status_code == 302

    index = client.get(INDEX)

    assert index.status_code == 200
    assert f'href="{SETUP}"' in index.content.decode()
    assert client.get(REGISTRATIONS).status_code == 200


def test_logged_in_viewer_visiting_the_login_goes_to_the_index(client):
    client.force_login(staff("vera", "Viewers"))

    response = client.get(LOGIN)

    assert response.status_code == 302
    assert response["Location"] == INDEX


def test_two_factor_pages_are_in_the_site_look(client):
    client.force_login(staff("vera", "Viewers"))

    response = client.get(SETUP)

    page = response.content.decode()
    assert response.status_code == 200
    assert "vendor/bootstrap-5.3.9/bootstrap.min.css" in page
    assert "cdnjs" not in page
