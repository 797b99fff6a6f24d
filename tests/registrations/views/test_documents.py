import re

import pytest
from django.urls import reverse
from django.utils import translation

from registrations.access.links import management_link_issue
from registrations.models import Registration
from registrations.onsite.check_in import check_in, check_in_undo
from tests.factories import AuthorityFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


def url(name: str, **kwargs) -> str:
    with translation.override("en"):
        return reverse(f"registrations:{name}", kwargs=kwargs)


def sign_in(client, registration):
    """Follows the delegate's personal link, as their browser does."""
    token = management_link_issue(registration=registration)
    response = client.get(url("manage_enter", token=token))
    assert response.status_code == 302
    return client


@pytest.fixture
def registration(conference):
    return RegistrationFactory(
        conference=conference,
        authority=AuthorityFactory(name="Gdańsk", country="PL"),
        reference="NCE-7K3Q9",
        first_name="Anna",
        last_name="Nowak",
    )


@pytest.fixture
def signed_in(client, registration):
    """A browser that has followed the delegate's personal link."""
    return sign_in(client, registration)


def page_count(pdf: bytes) -> int:
    return len(re.findall(rb"/MediaBox \[", pdf))


def test_badge_download_when_confirmed_is_a_private_single_badge_pdf(signed_in):
    response = signed_in.get(url("manage_badge"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="badge-NCE-7K3Q9.pdf"'
    assert response["Cache-Control"] == "private, no-store"
    assert response.content.startswith(b"%PDF-")
    assert b"/MediaBox [ 0 0 297.6378 419.5276 ]" in response.content
    assert page_count(response.content) == 1


@pytest.mark.parametrize("status", [Registration.Status.WAITLISTED, Registration.Status.PENDING])
def test_badge_download_when_not_confirmed_is_not_found(client, conference, status):
    browser = sign_in(client, RegistrationFactory(conference=conference, status=status))

    assert browser.get(url("manage_badge")).status_code == 404


def test_badge_download_without_personal_link_is_refused(client, registration):
    assert client.get(url("manage_badge")).status_code == 403


def test_certificate_download_before_check_in_is_not_found(signed_in):
    assert signed_in.get(url("manage_certificate")).status_code == 404


def test_certificate_download_after_check_in_is_a_private_pdf(signed_in, registration):
    check_in(registration=registration, by=None)

    response = signed_in.get(url("manage_certificate"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="certificate-NCE-7K3Q9.pdf"'
    assert response["Cache-Control"] == "private, no-store"
    assert b"/MediaBox [ 0 0 841.8898 595.2756 ]" in response.content


def test_certificate_download_after_undone_check_in_is_not_found(signed_in, registration):
    check_in_undo(check_in=check_in(registration=registration, by=None).check_in, by=None)

    assert signed_in.get(url("manage_certificate")).status_code == 404


def test_certificate_download_without_personal_link_is_refused(client, registration):
    check_in(registration=registration, by=None)

    assert client.get(url("manage_certificate")).status_code == 403


def test_management_page_links_the_badge_when_confirmed(signed_in):
    content = signed_in.get(url("manage")).content.decode()

    assert f'href="{url("manage_badge")}"' in content
    assert f'href="{url("manage_certificate")}"' not in content


def test_management_page_hides_the_badge_on_the_waiting_list(client, conference):
    registration = RegistrationFactory(conference=conference, status=Registration.Status.WAITLISTED)

    content = sign_in(client, registration).get(url("manage")).content.decode()

    assert "Waiting list" in content
    assert f'href="{url("manage_badge")}"' not in content


def test_management_page_links_the_certificate_once_checked_in(signed_in, registration):
    check_in(registration=registration, by=None)

    content = signed_in.get(url("manage")).content.decode()

    assert content.count(f'href="{url("manage_certificate")}"') == 1
