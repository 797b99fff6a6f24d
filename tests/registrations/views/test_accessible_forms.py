"""The delegate forms for screen readers and phones: the error summary, the page title after a
failed submit, the fields' types and autocomplete, the submit button's progress label."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import translation

from registrations.access.links import management_link_issue
from tests.factories import AuthorityFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


def url(name: str, language: str = "en", **kwargs) -> str:
    with translation.override(language):
        return reverse(f"registrations:{name}", kwargs=kwargs)


class Elements(HTMLParser):
    """Every element of a page as (tag, attributes as a list of pairs, duplicates kept)."""

    def __init__(self, html: str):
        super().__init__()
        self.elements: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.title = ""
        self._in_title = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, attrs))
        self._in_title = tag == "title"

    def handle_endtag(self, tag):
        self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data

    def by_id(self, element_id: str) -> list[tuple[str, str | None]]:
        matches = [attrs for _tag, attrs in self.elements if ("id", element_id) in attrs]
        assert len(matches) == 1, element_id
        return matches[0]

    def summary_links(self) -> list[str]:
        return [
            dict(attrs)["href"] or ""
            for tag, attrs in self.elements
            if tag == "a" and (dict(attrs).get("href") or "").startswith("#id_")
        ]


def page(response) -> Elements:
    return Elements(response.content.decode())


def test_register_page_title_starts_with_error_after_a_failed_submit(client, conference):
    response = client.post(url("register", slug=conference.slug), {"phone": "12"})

    assert response.status_code == 400
    assert page(response).title == f"Error: Register · {conference.name}"


def test_register_page_title_starts_with_erreur_in_french(client, conference):
    response = client.post(url("register", "fr", slug=conference.slug), {"phone": "12"})

    assert page(response).title == f"Erreur\u00a0: S'inscrire · {conference.name}"


def test_register_page_title_has_no_error_before_submitting(client, conference):
    response = client.get(url("register", slug=conference.slug))

    assert page(response).title == f"Register · {conference.name}"
    assert 'id="error-summary"' not in response.content.decode()


def test_register_error_summary_links_each_error_to_its_field(client, conference):
    response = client.post(
        url("register", slug=conference.slug),
        {
            "first_name": "Sanne",
            "email": "not an address",
            "phone": "12",
            "category": "delegate",
            "preferred_language": "en",
        },
    )

    elements = page(response)
    summary = dict(elements.by_id("error-summary"))
    assert summary["tabindex"] == "-1"
    assert summary["role"] == "alert"
    assert elements.summary_links() == [
        "#id_authority",
        "#id_last_name",
        "#id_email",
        "#id_job_title",
        "#id_phone",
        "#id_privacy_consent",
    ]
    assert (
        '<a href="#id_email">Email: Enter a valid email address.</a>' in response.content.decode()
    )


def test_register_invalid_city_box_is_invalid_and_described_by_its_error(client, conference):
    response = client.post(url("register", slug=conference.slug), {})

    attrs = dict(page(response).by_id("id_authority"))
    assert attrs["aria-invalid"] == "true"
    assert attrs["aria-describedby"] == "id_authority_helptext id_authority_error"
    assert 'id="id_authority_error"' in response.content.decode()


def test_register_phone_field_has_one_type_tel_and_autocomplete(client, conference):
    response = client.get(url("register", slug=conference.slug))

    phone = page(response).by_id("id_phone")
    assert [value for name, value in phone if name == "type"] == ["tel"]
    assert dict(phone)["autocomplete"] == "tel"


def test_register_contact_fields_say_what_to_autocomplete(client, conference):
    response = client.get(url("register", slug=conference.slug))

    elements = page(response)
    autocomplete = {
        name: dict(elements.by_id(f"id_{name}"))["autocomplete"]
        for name in ("first_name", "last_name", "email", "organisation", "job_title")
    }
    assert autocomplete == {
        "first_name": "given-name",
        "last_name": "family-name",
        "email": "email",
        "organisation": "organization",
        "job_title": "organization-title",
    }


def test_register_form_names_its_sending_label(client, conference):
    response = client.get(url("register", "fr", slug=conference.slug))

    assert 'data-sending-label="Envoi…"' in response.content.decode()
    assert "/static/js/forms.js" in response.content.decode()


def test_delegation_error_summary_links_to_the_member_fields(client, conference):
    liege = AuthorityFactory(name="Liège", country="BE")
    data = {
        "authority": liege.pk,
        "coordinator_first_name": "Marie",
        "coordinator_last_name": "Dupont",
        "coordinator_email": "marie@liege.be",
        "coordinator_language": "fr",
        "members-TOTAL_FORMS": "2",
        "members-INITIAL_FORMS": "0",
        "members-MIN_NUM_FORMS": "1",
        "members-MAX_NUM_FORMS": "50",
        "members-0-first_name": "Jan",
        "members-0-last_name": "Peeters",
        "members-0-email": "jan@liege",
        "members-0-job_title": "Adviser",
        "members-0-category": "delegate",
        "members-0-preferred_language": "fr",
        "members-1-category": "delegate",
        "members-1-preferred_language": "en",
    }

    response = client.post(url("delegation_register", slug=conference.slug), data)

    assert response.status_code == 400
    elements = page(response)
    assert elements.title == f"Error: Register a delegation · {conference.name}"
    assert elements.summary_links() == ["#id_privacy_consent", "#id_members-0-email"]
    assert (
        '<a href="#id_members-0-email">Delegate 1, email: Enter a valid email address.</a>'
        in response.content.decode()
    )


def test_delegation_coordinator_autocompletes_and_members_do_not(client, conference):
    response = client.get(url("delegation_register", slug=conference.slug))

    elements = page(response)
    assert dict(elements.by_id("id_coordinator_first_name"))["autocomplete"] == "given-name"
    assert dict(elements.by_id("id_coordinator_last_name"))["autocomplete"] == "family-name"
    assert dict(elements.by_id("id_coordinator_email"))["autocomplete"] == "email"
    assert dict(elements.by_id("id_members-0-first_name"))["autocomplete"] == "off"
    assert dict(elements.by_id("id_members-0-email"))["autocomplete"] == "off"


def test_lost_link_error_summary_and_title(client, conference):
    response = client.post(url("lost_link", slug=conference.slug), {"email": "nobody"})

    elements = page(response)
    assert elements.title == f"Error: Lost your link? · {conference.name}"
    assert elements.summary_links() == ["#id_email"]
    assert 'data-sending-label="Sending…"' in response.content.decode()


def test_details_edit_error_summary_title_and_phone(client, conference):
    registration = RegistrationFactory(conference=conference)
    client.get(url("manage_enter", token=management_link_issue(registration=registration)))

    response = client.post(
        url("manage_details"),
        {
            "first_name": "Sanne",
            "last_name": "",
            "email": registration.email,
            "job_title": "Adviser",
            "preferred_language": "en",
        },
    )

    elements = page(response)
    assert elements.title == f"Error: Change my details · {conference.name}"
    assert elements.summary_links() == ["#id_last_name"]
    assert [value for name, value in elements.by_id("id_phone") if name == "type"] == ["tel"]


def test_register_city_box_is_followed_by_its_places_and_what_to_do_when_full(client, conference):
    response = client.get(url("register", "fr", slug=conference.slug))

    note = dict(page(response).by_id("authority-places"))
    assert note["aria-live"] == "polite"
    assert note["data-url-template"] == f"/fr/{conference.slug}/authorities/0/places.json"
    assert note["data-text-left"] == "Places restantes pour cette ville ou région\u00a0: %s"
    assert note["data-text-full"] == (
        "Cette ville ou région n’a plus de place. Demandez à votre coordinateur de vous "
        "inscrire, ou écrivez aux organisateurs à l’adresse %s."
    )
    assert note["data-contact-email"] == conference.contact_email
    html = response.content.decode()
    assert html.index('id="id_authority"') < html.index('id="authority-places"')
    assert html.index('id="authority-places"') < html.index('id="id_first_name"')
