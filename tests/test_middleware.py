"""The guards of config/middleware.py and the headers every page carries: control characters
refused, Content-Security-Policy, Permissions-Policy, Cache-Control on private pages."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import translation

from registrations.access.links import management_link_issue
from registrations.authorities.delegations import Coordinator, delegation_register
from registrations.places.registrations import RegistrationData
from tests.factories import AuthorityFactory, RegistrationFactory

pytestmark = pytest.mark.django_db

CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
NO_STORE = {"max-age=0", "no-cache", "no-store", "must-revalidate", "private"}


def policy(response) -> dict[str, str]:
    """The Content-Security-Policy header as directive -> sources (django-csp writes the
    directives in no fixed order)."""
    header = response["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in header.split(";"))


def cache_control(response) -> set[str]:
    return {part.strip() for part in response["Cache-Control"].split(",")}


def url(name: str, **kwargs) -> str:
    with translation.override("en"):
        return reverse(name, kwargs=kwargs)


@pytest.fixture
def desk_client(client):
    staff = get_user_model().objects.create_user("marie", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="check_in"))
    client.force_login(staff)
    return client


@pytest.fixture
def delegate_client(client, conference):
    registration = RegistrationFactory(conference=conference)
    client.get(
        url("registrations:manage_enter", token=management_link_issue(registration=registration))
    )
    return client


@pytest.fixture
def coordinator_client(client, conference):
    delegation = delegation_register(
        conference=conference,
        authority=AuthorityFactory(name="Liège", country="BE"),
        coordinator=Coordinator(first_name="Marie", last_name="Dupont", email="marie@liege.be"),
        members=[
            RegistrationData(
                first_name="Jan", last_name="Peeters", email="jan@liege.be", job_title="Mayor"
            )
        ],
    )
    client.get(
        url("registrations:manage_enter", token=management_link_issue(delegation=delegation))
    )
    client.member = delegation.members.get()
    return client


# --- Control characters ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/agenda/%00.ics", "/agenda/abc%00def.ics", "/en/%01/", "/en/manage/enter/a%1Fb/"]
)
def test_control_character_in_path_is_a_bad_request(client, path):
    assert client.get(path).status_code == 400


@pytest.mark.parametrize("query", ["q=%00", "q=a%0Ab", "q=%7F", "q=%C2%85", "%00=x", "q=\x00"])
def test_control_character_in_query_string_is_a_bad_request(client, conference, query):
    response = client.get(f"{url('conference:programme', slug=conference.slug)}?{query}")

    assert response.status_code == 400


def test_other_characters_in_query_string_pass(client, conference):
    response = client.get(
        url("conference:programme", slug=conference.slug), {"kind": "Liège — 東京 ✓"}
    )

    assert response.status_code == 200


def test_desk_search_with_nul_is_a_bad_request(desk_client, conference):
    assert (
        desk_client.get(url("registrations:desk", slug=conference.slug), {"q": "\x00"}).status_code
        == 400
    )


def test_admin_filter_with_nul_is_a_bad_request(admin_client):
    response = admin_client.get(
        url("admin:registrations_registration_changelist"), {"status": "\x00"}
    )

    assert response.status_code == 400


def test_coordinator_substitute_with_nul_in_reference_is_a_bad_request(coordinator_client):
    path = url("registrations:delegation_substitute", reference="NCE-1\x002")

    assert coordinator_client.get(path).status_code == 400
    assert coordinator_client.post(path, {"first_name": "An"}).status_code == 400


def test_refusal_is_logged_without_the_value(client, caplog):
    client.get("/agenda/secret%00.ics")

    record = caplog.records[-1]
    assert record.name == "django.security.ControlCharacterInRequestError"
    assert record.getMessage() == "Control character in the path or query string"


def test_cookie_with_control_character_is_dropped(client, conference):
    # A session cookie with NUL would reach the session table's lookup, which PostgreSQL refuses.
    client.cookies["sessionid"] = "\x00" * 32
    client.cookies["django_language"] = "fr\x01"

    response = client.get(url("registrations:manage"))

    assert response.status_code == 403
    assert response.wsgi_request.COOKIES.get("sessionid") is None
    assert "django_language" not in response.wsgi_request.COOKIES


# --- Content-Security-Policy ----------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["conference:detail", "conference:programme", "registrations:register"]
)
def test_public_pages_carry_the_strict_policy(client, conference, name):
    response = client.get(url(name, slug=conference.slug))

    assert response.status_code == 200
    assert policy(response) == CSP


def test_admin_login_carries_the_strict_policy(client):
    response = client.get(url("admin:login"))

    assert policy(response) == CSP


def test_programme_style_sheet_carries_the_nonce_of_the_policy(client, conference):
    from tests.factories import SessionFactory

    SessionFactory(conference=conference)

    response = client.get(url("conference:programme", slug=conference.slug))

    nonce = re.search(r'<style nonce="([^"]+)">', response.content.decode()).group(1)
    assert policy(response) == {**CSP, "style-src": f"'self' 'nonce-{nonce}'"}
    assert " style=" not in response.content.decode()


# --- Permissions-Policy ---------------------------------------------------------------------


def test_desk_page_allows_the_camera(desk_client, conference):
    response = desk_client.get(url("registrations:desk", slug=conference.slug))

    assert response.status_code == 200
    assert response["Permissions-Policy"] == "camera=(self), geolocation=(), microphone=()"


def test_other_pages_deny_the_camera(client, desk_client, conference):
    home = client.get(url("conference:detail", slug=conference.slug))
    scan = desk_client.post(
        url("registrations:desk_scan", slug=conference.slug), "{}", content_type="application/json"
    )

    assert home["Permissions-Policy"] == "camera=(), geolocation=(), microphone=()"
    assert scan["Permissions-Policy"] == "camera=(), geolocation=(), microphone=()"
    assert (
        client.get("/nowhere/")["Permissions-Policy"] == "camera=(), geolocation=(), microphone=()"
    )


# --- Cache-Control --------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["registrations:manage", "registrations:manage_details"])
def test_personal_pages_are_not_stored(delegate_client, name):
    response = delegate_client.get(url(name))

    assert response.status_code == 200
    assert cache_control(response) == NO_STORE


def test_personal_download_keeps_its_own_no_store(delegate_client):
    response = delegate_client.get(url("registrations:manage_data"))

    assert response.status_code == 200
    assert cache_control(response) == {"private", "no-store"}


def test_personal_link_and_refusal_are_not_stored(client):
    entered = client.get(url("registrations:manage_enter", token="unknown"))
    refused = client.get(url("registrations:manage"))

    assert (entered.status_code, cache_control(entered)) == (404, NO_STORE)
    assert (refused.status_code, cache_control(refused)) == (403, NO_STORE)


def test_coordinator_pages_are_not_stored(coordinator_client):
    page = coordinator_client.get(url("registrations:manage_delegation"))
    substitute = coordinator_client.get(
        url("registrations:delegation_substitute", reference=coordinator_client.member.reference)
    )

    assert (page.status_code, cache_control(page)) == (200, NO_STORE)
    assert (substitute.status_code, cache_control(substitute)) == (200, NO_STORE)


def test_desk_pages_are_not_stored(desk_client, conference):
    page = desk_client.get(url("registrations:desk", slug=conference.slug))
    scan = desk_client.post(
        url("registrations:desk_scan", slug=conference.slug), "{}", content_type="application/json"
    )

    assert (page.status_code, cache_control(page)) == (200, NO_STORE)
    assert (scan.status_code, cache_control(scan)) == (400, NO_STORE)


def test_admin_pages_are_not_stored(client, admin_client):
    login = client.get(url("admin:login"))
    changelist = admin_client.get(url("admin:registrations_registration_changelist"))

    assert (login.status_code, cache_control(login)) == (200, NO_STORE)
    assert (changelist.status_code, cache_control(changelist)) == (200, NO_STORE)


def test_public_pages_may_be_stored(client, conference):
    response = client.get(url("conference:programme", slug=conference.slug))

    assert response.status_code == 200
    assert "Cache-Control" not in response
