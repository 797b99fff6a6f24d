"""Random input to every public address and form never gives a 500 (a bounded number of
examples each, so that the run stays under a minute; hypothesis prints the failing example).

The test client raises any exception a view lets through, so a crash fails the test as surely as
a 5xx status does."""

import json
from urllib.parse import quote, urlencode

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from registrations.access.links import management_link_issue
from registrations.authorities.delegations import Coordinator, delegation_register
from registrations.forms.delegations import DelegationForm, DelegationMemberForm
from registrations.forms.registration import RegistrationForm
from registrations.forms.self_service import DetailsEditForm, LostLinkForm, SessionsEditForm
from registrations.places.registrations import RegistrationData
from tests.factories import AuthorityFactory, RegistrationFactory, SessionFactory

pytestmark = pytest.mark.django_db

FUZZ = hypothesis_settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Values that have broken web applications before: NUL and other controls, quotes, encodings,
# numbers out of range, very long text.
NASTY = st.sampled_from(
    [
        "\x00",
        "a\x00b",
        "\x01\x1b[0m\x7f\x85",
        "%00",
        "' OR '1'='1",
        '"><script>alert(1)</script>',
        "../../etc/passwd",
        "-1",
        "0",
        "99999999999999999999999",
        "1e309",
        "NaN",
        "１２３",
        "x" * 5000,
        "",
        " ",
    ]
)
TEXT = st.one_of(st.text(max_size=60), NASTY)
QUERY = st.dictionaries(TEXT, TEXT, max_size=4).map(lambda params: urlencode(params))

# Addresses that take no input, or that are not public (the admin, behind its login, but for
# its login page, which is fuzzed).
SKIPPED_PREFIXES = ("admin", "i18n", "healthz", "static")


def public_routes() -> list[str]:
    """Every address of the site as a route with its converters, e.g.
    "en/<slug:slug>/sessions/<int:pk>/" (the English prefix for the translated ones)."""
    routes: list[str] = []

    def walk(patterns, prefix: str) -> None:
        for pattern in patterns:
            text = str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + ("en/" if text == "en/" else text))
            elif isinstance(pattern, URLPattern):
                routes.append(prefix + text)

    walk(get_resolver().url_patterns, "")
    return [route for route in routes if not route.startswith(SKIPPED_PREFIXES)]


ROUTES = public_routes()


@pytest.fixture
def world(conference, settings):
    """A conference with a session, a delegate and a coordinator with personal links, and staff
    at the desk. Rate limits are lifted: a 429 would hide what the view does with the input."""
    settings.RATE_LIMITS = dict.fromkeys(settings.RATE_LIMITS, "100000/h")
    session = SessionFactory(conference=conference)
    delegate = RegistrationFactory(conference=conference)
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
    staff = get_user_model().objects.create_user("desk", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="check_in"))
    return {
        "conference": conference,
        "session": session,
        "delegate": delegate,
        "delegate_token": management_link_issue(registration=delegate),
        "delegation": delegation,
        "coordinator_token": management_link_issue(delegation=delegation),
        "member": delegation.members.get(),
        "staff": staff,
    }


def entered(token: str) -> Client:
    """A browser that followed a personal link."""
    client = Client()
    client.get(f"/en/manage/enter/{token}/")
    return client


def desk(world) -> Client:
    client = Client()
    client.force_login(world["staff"])
    return client


def real_value(world, name: str) -> str:
    return {
        "slug": world["conference"].slug,
        "pk": str(world["session"].pk),
        "reference": world["member"].reference,
        "token": world["delegate"].agenda_token or "",
    }.get(name, "")


def assert_not_a_server_error(response) -> None:
    assert response.status_code < 500, response.content[:500]


def fill(route: str, world, data) -> str:
    """The route with each converter replaced by the real value or a random one."""
    path = route
    while "<" in path:
        start, end = path.index("<"), path.index(">")
        name = path[start + 1 : end].split(":")[-1]
        value = data.draw(st.one_of(st.just(real_value(world, name)), TEXT), label=name)
        path = path[:start] + quote(value, safe="") + path[end + 1 :]
    return "/" + path


def test_every_public_route_is_fuzzed():
    assert "en/<slug:slug>/register/" in ROUTES
    assert "agenda/<str:token>.ics" in ROUTES
    assert "en/desk/<slug:slug>/" in ROUTES
    assert "admin/" not in ROUTES


@pytest.mark.parametrize("route", [*ROUTES, "admin/login/"])
@FUZZ
@given(data=st.data())
def test_get_with_random_path_and_query_is_never_a_server_error(world, route, data):
    path = fill(route, world, data)
    query = data.draw(QUERY, label="query")
    if route.startswith(("en/manage/", "en/desk/")):
        # Behind the personal link and the desk's permission, where the pages read input.
        who = data.draw(st.sampled_from(["delegate", "coordinator", "desk"]), label="who")
        client = desk(world) if who == "desk" else entered(world[f"{who}_token"])
    else:
        client = Client()

    assert_not_a_server_error(client.get(f"{path}?{query}" if query else path))


def form_data(form_class, valid: dict, data, prefix: str = "") -> dict:
    """Each field of the form: a valid value or a random one; and a few random extra fields."""
    posted = {}
    for name in form_class.base_fields:
        value = data.draw(st.one_of(st.just(valid.get(name, "")), TEXT), label=prefix + name)
        posted[prefix + name] = value
    posted.update(data.draw(st.dictionaries(TEXT, TEXT, max_size=2), label="extra"))
    return posted


def delegate_valid(world) -> dict:
    return {
        "authority": str(world["delegate"].authority_id),
        "first_name": "Sanne",
        "last_name": "de Vries",
        "email": "sanne@rotterdam.nl",
        "job_title": "Adviser",
        "category": "delegate",
        "preferred_language": "en",
        "privacy_consent": "on",
        "sessions": str(world["session"].pk),
        "new_authority_country": "NL",
    }


@FUZZ
@given(data=st.data())
def test_registration_form_with_random_values_is_never_a_server_error(world, data):
    posted = form_data(RegistrationForm, delegate_valid(world), data)

    response = Client().post(f"/en/{world['conference'].slug}/register/", posted)

    assert_not_a_server_error(response)


@FUZZ
@given(data=st.data())
def test_delegation_form_with_random_values_is_never_a_server_error(world, data):
    valid = {
        **delegate_valid(world),
        "coordinator_first_name": "Marie",
        "coordinator_last_name": "Dupont",
        "coordinator_email": "marie@rotterdam.nl",
        "coordinator_language": "fr",
    }
    posted = form_data(DelegationForm, valid, data)
    members = data.draw(st.integers(min_value=0, max_value=3), label="members")
    for index in range(members):
        posted.update(form_data(DelegationMemberForm, valid, data, prefix=f"members-{index}-"))
    management = st.one_of(st.just(str(members)), TEXT)
    posted["members-TOTAL_FORMS"] = data.draw(management, label="TOTAL_FORMS")
    posted["members-INITIAL_FORMS"] = data.draw(st.one_of(st.just("0"), TEXT), label="INITIAL")

    response = Client().post(f"/en/{world['conference'].slug}/register/delegation/", posted)

    assert_not_a_server_error(response)


@FUZZ
@given(data=st.data())
def test_lost_link_form_with_random_values_is_never_a_server_error(world, data):
    posted = form_data(LostLinkForm, {"email": world["delegate"].email}, data)

    response = Client().post(f"/en/{world['conference'].slug}/lost-link/", posted)

    assert_not_a_server_error(response)


@pytest.mark.parametrize(
    ("path", "form_class"),
    [("details", DetailsEditForm), ("sessions", SessionsEditForm)],
)
@FUZZ
@given(data=st.data())
def test_personal_page_forms_with_random_values_are_never_a_server_error(
    world, path, form_class, data
):
    client = entered(world["delegate_token"])
    posted = form_data(form_class, delegate_valid(world), data)

    assert_not_a_server_error(client.post(f"/en/manage/{path}/", posted))


@FUZZ
@given(data=st.data())
def test_coordinator_forms_with_random_values_are_never_a_server_error(world, data):
    client = entered(world["coordinator_token"])
    reference = data.draw(st.one_of(st.just(world["member"].reference), TEXT), label="reference")
    action = data.draw(st.sampled_from(["substitute", "cancel"]), label="action")
    posted = form_data(DelegationMemberForm, delegate_valid(world), data)
    path = f"/en/manage/delegation/{quote(reference, safe='')}/{action}/"

    assert_not_a_server_error(client.post(path, posted))


@FUZZ
@given(data=st.data())
def test_cancel_and_erase_with_random_values_are_never_a_server_error(world, data):
    client = entered(world["delegate_token"])
    for path in ("cancel", "erase", "leave"):
        posted = data.draw(st.dictionaries(TEXT, TEXT, max_size=3), label=path)
        assert_not_a_server_error(client.post(f"/en/manage/{path}/", posted))


@FUZZ
@given(data=st.data())
def test_desk_forms_with_random_values_are_never_a_server_error(world, data):
    client = desk(world)
    conference = world["conference"]
    posted = {
        "action": data.draw(st.one_of(st.sampled_from(["check_in", "undo"]), TEXT)),
        "registration": data.draw(st.one_of(st.just(world["delegate"].reference), TEXT)),
        "check_in": data.draw(st.one_of(st.just("1"), TEXT)),
    }
    door = data.draw(st.booleans(), label="door")
    path = f"/en/desk/{conference.slug}/" + (f"sessions/{world['session'].pk}/" if door else "")

    assert_not_a_server_error(client.post(path, posted))


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(TEXT, children, max_size=3),
    max_leaves=6,
)


@FUZZ
@given(data=st.data())
def test_desk_scan_with_random_bodies_is_never_a_server_error(world, data):
    client = desk(world)
    body = data.draw(
        st.one_of(
            st.fixed_dictionaries({"token": TEXT, "session": st.one_of(st.none(), st.integers())}),
            JSON.map(json.dumps),
            st.binary(max_size=60),
        ),
        label="body",
    )
    if isinstance(body, dict):
        body = json.dumps(body)

    response = client.post(
        f"/en/desk/{world['conference'].slug}/scan/", body, content_type="application/json"
    )

    assert_not_a_server_error(response)


def test_fuzzing_reaches_pages_that_read_the_input(world):
    """The fixtures open the doors the fuzzing goes through: a wrong link or a missing
    permission would leave it testing refusals only."""
    delegate = entered(world["delegate_token"])
    coordinator = entered(world["coordinator_token"])

    assert delegate.get("/en/manage/details/").status_code == 200
    assert coordinator.get("/en/manage/delegation/").status_code == 200
    assert desk(world).get(f"/en/desk/{world['conference'].slug}/").status_code == 200
