"""Every endpoint with a token, per scope and per role (the groups the migrations make):
200/201/204 when both the scope and the user's permission allow it, 403 otherwise, 404 for what
does not exist; special needs never shown without the permission to see them."""

import json

import pytest
from django.urls import reverse

from registrations.documents.tokens import badge_token
from registrations.models import ApiScope, CheckIn, Registration
from tests.factories import AuthorityFactory, ConferenceFactory, RegistrationFactory, SessionFactory
from tests.factories.registrations import SessionBookingFactory
from tests.registrations.api.conftest import ALL_SCOPES, DESK, ORGANISERS, VIEWERS

pytestmark = pytest.mark.django_db

READ, WRITE, CHECK_IN = (
    ApiScope.READ_REGISTRATIONS,
    ApiScope.WRITE_REGISTRATIONS,
    ApiScope.CHECK_IN,
)
NEEDS = {"dietary_needs": "Coeliac, no gluten", "accessibility_needs": "Step-free access"}


@pytest.fixture
def world():
    conference = ConferenceFactory()
    session = SessionFactory(conference=conference, capacity=10)
    other_session = SessionFactory(
        conference=conference,
        starts_at=session.ends_at,
        ends_at=session.ends_at + (session.ends_at - session.starts_at),
    )
    registration = RegistrationFactory(conference=conference, **NEEDS)
    SessionBookingFactory(registration=registration, session=session, status="booked")
    return {
        "conference": conference,
        "session": session,
        "other_session": other_session,
        "registration": registration,
        "authority": AuthorityFactory(),
    }


def endpoints(world) -> dict:
    """name -> (scope it needs, method, url, body, success status)."""
    slug, reference = world["conference"].slug, world["registration"].reference
    return {
        "list": (READ, "get", reverse("api:registrations", args=[slug]), None, 200),
        "read": (READ, "get", reverse("api:registration", args=[slug, reference]), None, 200),
        "create": (
            WRITE,
            "post",
            reverse("api:registrations", args=[slug]),
            {
                "authority": world["authority"].pk,
                "first_name": "Jan",
                "last_name": "Kowalski",
                "email": "jan.kowalski@example.org",
                "job_title": "Adviser",
                "preferred_language": "en",
                "privacy_consent": True,
            },
            201,
        ),
        "cancel": (
            WRITE,
            "post",
            reverse("api:registration_cancel", args=[slug, reference]),
            None,
            200,
        ),
        "bookings": (READ, "get", reverse("api:bookings", args=[slug, reference]), None, 200),
        "book": (
            WRITE,
            "post",
            reverse("api:bookings", args=[slug, reference]),
            {"session": world["other_session"].pk},
            201,
        ),
        "unbook": (
            WRITE,
            "delete",
            reverse("api:booking", args=[slug, reference, world["session"].pk]),
            None,
            204,
        ),
        "check_in": (
            CHECK_IN,
            "post",
            reverse("api:check_in", args=[slug]),
            {"reference": reference},
            201,
        ),
        "door_check_in": (
            CHECK_IN,
            "post",
            reverse("api:check_in", args=[slug]),
            {"badge_token": badge_token(world["registration"]), "session": world["session"].pk},
            201,
        ),
        "check_in_undo": (
            CHECK_IN,
            "post",
            reverse("api:check_in_undo", args=[slug]),
            {"reference": reference},
            200,
        ),
    }


def call(api, secret, method, url, body):
    client = api(secret)
    if method == "get":
        return client.get(url)
    if method == "delete":
        return client.delete(url)
    return client.post(url, body)


ENDPOINTS = [
    "list",
    "read",
    "create",
    "cancel",
    "bookings",
    "book",
    "unbook",
    "check_in",
    "door_check_in",
    "check_in_undo",
]
# What each group's permissions allow, whatever the token's scopes.
ROLE_ALLOWS = {ORGANISERS: {READ, WRITE, CHECK_IN}, VIEWERS: {READ}, DESK: {CHECK_IN}}


def prepare(name, world):
    if name == "check_in_undo":
        CheckIn.objects.create(
            registration=world["registration"], checked_in_at=world["conference"].created_at
        )


@pytest.mark.parametrize("group", [ORGANISERS, VIEWERS, DESK])
@pytest.mark.parametrize("name", ENDPOINTS)
def test_each_role_with_every_scope(api, make_token, world, group, name):
    scope, method, url, body, success = endpoints(world)[name]
    prepare(name, world)

    response = call(api, make_token(group, ALL_SCOPES), method, url, body)

    expected = success if scope in ROLE_ALLOWS[group] else 403
    assert response.status_code == expected, response.content
    if expected == 403:
        assert response["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize("scope", ALL_SCOPES)
@pytest.mark.parametrize("name", ENDPOINTS)
def test_each_scope_alone_for_an_organiser(api, make_token, world, scope, name):
    needed, method, url, body, success = endpoints(world)[name]
    prepare(name, world)

    response = call(api, make_token(ORGANISERS, [scope]), method, url, body)

    assert response.status_code == (success if scope == needed else 403), response.content


@pytest.mark.parametrize("name", ENDPOINTS)
def test_unknown_conference_is_404_for_an_allowed_token(api, make_token, world, name):
    _scope, method, url, body, _success = endpoints(world)[name]
    url = url.replace(world["conference"].slug, "no-such-conference", 1)

    response = call(api, make_token(ORGANISERS), method, url, body)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize(
    "name", ["read", "cancel", "bookings", "book", "unbook", "check_in", "check_in_undo"]
)
def test_unknown_registration_is_404(api, make_token, world, name):
    _scope, method, url, body, _success = endpoints(world)[name]
    reference = world["registration"].reference
    url = url.replace(reference, "NCE-ZZZZZ")
    if body and "reference" in body:
        body = {**body, "reference": "NCE-ZZZZZ"}

    assert call(api, make_token(ORGANISERS), method, url, body).status_code == 404


def test_a_registration_of_another_conference_is_404(api, make_token, world):
    other = RegistrationFactory()
    url = reverse("api:registration", args=[world["conference"].slug, other.reference])

    assert api(make_token(ORGANISERS)).get(url).status_code == 404


@pytest.mark.parametrize("group", [VIEWERS, ORGANISERS])
def test_special_needs_only_with_the_permission(api, make_token, world, group):
    secret = make_token(group, ALL_SCOPES)
    slug, reference = world["conference"].slug, world["registration"].reference

    responses = [
        api(secret).get(reverse("api:registrations", args=[slug])),
        api(secret).get(reverse("api:registration", args=[slug, reference])),
    ]

    for response in responses:
        body = response.content.decode()
        if group == VIEWERS:
            assert NEEDS["dietary_needs"] not in body
            assert NEEDS["accessibility_needs"] not in body
            assert '"special_needs":null' in body.replace(" ", "")
        else:
            assert NEEDS["dietary_needs"] in body


def test_special_needs_never_in_writes_or_check_ins_without_the_permission(api, make_token, world):
    """A token of an organiser whose group lost the permission to see special needs writes
    them (with consent) but never reads them back, nor in any other answer."""
    from django.contrib.auth.models import Permission

    secret = make_token(ORGANISERS)
    Permission.objects.get(codename="view_special_needs").group_set.clear()
    _scope, _method, url, body, _success = endpoints(world)["create"]
    body = {**body, **NEEDS, "special_needs_consent": True}
    answers = [api(secret).post(url, body)]
    for name in ("read", "list", "bookings", "check_in", "check_in_undo", "cancel"):
        _scope, method, url, request_body, _ok = endpoints(world)[name]
        answers.append(call(api, secret, method, url, request_body))

    assert answers[0].status_code == 201
    assert Registration.objects.get(email="jan.kowalski@example.org").dietary_needs
    for answer in answers:
        assert answer.status_code < 300, answer.content
        text = json.dumps(answer.json()) if answer.content else ""
        assert "Coeliac" not in text
        assert "Step-free" not in text
