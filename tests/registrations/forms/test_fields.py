"""Text fields of the delegate forms refuse control characters (registrations/forms/fields.py)."""

import datetime as dt

import pytest
from django.utils import translation

from conference.models import Session
from registrations.forms.delegations import DelegationMemberForm
from registrations.forms.fields import SessionChoiceField
from registrations.forms.registration import RegistrationForm
from tests.factories import AuthorityFactory, ConferenceFactory, SessionFactory

pytestmark = pytest.mark.django_db

CONTROL_MESSAGE = "Remove the invisible control characters from this text."


@pytest.fixture
def valid_data():
    return {
        "authority": AuthorityFactory(name="Gdańsk", country="PL").pk,
        "first_name": "Łukasz",
        "last_name": "Wiśniewski",
        "email": "lukasz.w@gdansk.eu",
        "job_title": "Head of municipal police",
        "category": "delegate",
        "preferred_language": "en",
        "privacy_consent": "on",
    }


def make_form(data) -> RegistrationForm:
    return RegistrationForm(data, conference=ConferenceFactory(), submit_label="Register")


@pytest.mark.parametrize(
    "value", ["Head\x01of police", "Head of police\x1b[0m", "Mayor\x7f", "Mayor\x85of Nice"]
)
def test_line_of_text_with_control_character_is_refused_next_to_the_field(valid_data, value):
    form = make_form({**valid_data, "job_title": value})

    assert form.errors == {"job_title": [CONTROL_MESSAGE]}


@pytest.mark.parametrize("value", ["Head\tof police", "Head\nof police"])
def test_line_of_text_refuses_tabs_and_line_breaks(valid_data, value):
    form = make_form({**valid_data, "organisation": value})

    assert form.errors == {"organisation": [CONTROL_MESSAGE]}


def test_nul_is_refused_with_djangos_message_alone(valid_data):
    form = make_form({**valid_data, "job_title": "Head\x00of police"})

    assert form.errors == {"job_title": ["Null characters are not allowed."]}


def test_text_area_keeps_tabs_and_line_breaks_but_not_other_controls(valid_data):
    needs = {"special_needs_consent": "on"}
    kept = make_form({**valid_data, **needs, "dietary_needs": "Vegetarian\r\n\tno nuts"})
    refused = make_form({**valid_data, **needs, "accessibility_needs": "Wheel\x0cchair"})

    assert kept.is_valid(), kept.errors
    assert kept.cleaned_data["dietary_needs"] == "Vegetarian\r\n\tno nuts"
    assert refused.errors == {"accessibility_needs": [CONTROL_MESSAGE]}


def test_name_says_only_its_own_message(valid_data):
    form = make_form({**valid_data, "first_name": "Łuk\x01asz"})

    assert form.errors == {
        "first_name": ["Use letters only (any alphabet), with spaces, hyphens or apostrophes."]
    }


def test_new_authority_name_and_delegation_member_refuse_control_characters(valid_data):
    authority = make_form(
        {
            **valid_data,
            "authority": "",
            "new_authority_name": "Gda\x02ńsk",
            "new_authority_country": "PL",
        }
    )
    member = DelegationMemberForm(
        {
            "first_name": "Jan",
            "last_name": "Peeters",
            "email": "jan@liege.be",
            "job_title": "x\x03",
        },
        language="en",
    )

    assert authority.errors["new_authority_name"] == [CONTROL_MESSAGE]
    assert member.errors["job_title"] == [CONTROL_MESSAGE]


def test_registration_page_answers_400_with_the_message(client, valid_data):
    conference = ConferenceFactory()
    response = client.post(
        f"/en/{conference.slug}/register/", {**valid_data, "job_title": "Head\x00\x01"}
    )

    assert response.status_code == 400
    assert response.context["form"].errors["job_title"] == [
        "Null characters are not allowed.",
        CONTROL_MESSAGE,
    ]


@pytest.mark.parametrize(
    ("language", "when"),
    [
        ("en", "Wednesday 20 October, 14:00–15:30"),
        ("fr", "mercredi 20 octobre, 14\u00a0h\u00a000–15\u00a0h\u00a030"),
    ],
)
def test_session_label_writes_the_time_as_the_language_does(language, when):
    conference = ConferenceFactory(
        start_date=dt.date(2021, 10, 20), end_date=dt.date(2021, 10, 22), time_zone="Europe/Paris"
    )
    starts_at = dt.datetime(2021, 10, 20, 14, 0, tzinfo=conference.tzinfo)
    session = SessionFactory(
        conference=conference,
        title="Drugs & nightlife",
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(minutes=90),
        room=None,
        location="",
    )
    field = SessionChoiceField(queryset=Session.objects.all())

    with translation.override(language):
        label = field.label_from_instance(session)

    assert label == f"{when} · Drugs & nightlife"
