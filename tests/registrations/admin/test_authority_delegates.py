"""The authority list's counts link to the registrations they count; an authority's page lists
its delegates."""

import re

import pytest
from django.urls import reverse

from registrations.models import Registration
from tests.factories import AuthorityFactory, ConferenceFactory, RegistrationFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:registrations_authority_changelist"
REGISTRATIONS = "admin:registrations_registration_changelist"


def count_links(page: str) -> list[str]:
    prefix = re.escape(reverse(REGISTRATIONS))
    return [link.replace("&amp;", "&") for link in re.findall(rf'href="({prefix}\?[^"]*)"', page)]


def test_counts_link_to_the_registrations_they_count(admin_client):
    liege = AuthorityFactory(name="Liège", country="BE")
    confirmed = RegistrationFactory.create_batch(2, authority=liege)
    RegistrationFactory(authority=liege, status=Registration.Status.WAITLISTED)
    RegistrationFactory(authority=AuthorityFactory(name="Gent", country="BE"))

    page = admin_client.get(reverse(CHANGELIST), {"q": "liège"}).content.decode()

    links = count_links(page)
    assert links == [
        f"{reverse(REGISTRATIONS)}?authority={liege.pk}&status__exact=confirmed",
        f"{reverse(REGISTRATIONS)}?authority={liege.pk}&status__exact=waitlisted",
    ]
    # Following the link lists those it counted, and nobody else.
    listed = admin_client.get(links[0]).context["cl"].result_list
    assert sorted(registration.pk for registration in listed) == sorted(
        registration.pk for registration in confirmed
    )


def test_counts_link_at_the_conference_chosen(admin_client):
    liege = AuthorityFactory(name="Liège", country="BE")
    conference, other = ConferenceFactory(), ConferenceFactory()
    here = RegistrationFactory(authority=liege, conference=conference)
    RegistrationFactory(authority=liege, conference=other)

    page = admin_client.get(
        reverse(CHANGELIST), {"q": "liège", "conference": conference.pk}
    ).content.decode()

    (link,) = count_links(page)
    assert link == (
        f"{reverse(REGISTRATIONS)}?authority={liege.pk}&status__exact=confirmed"
        f"&conference__id__exact={conference.pk}"
    )
    assert list(admin_client.get(link).context["cl"].result_list) == [here]


def test_authority_page_lists_its_delegates(admin_client):
    liege = AuthorityFactory(name="Liège", country="BE")
    nowak = RegistrationFactory(
        authority=liege,
        first_name="Anna",
        last_name="Nowak",
        category=Registration.Category.ELECTED_OFFICIAL,
    )
    dupont = RegistrationFactory(
        authority=liege, first_name="Marc", last_name="Dupont", status="cancelled"
    )
    stranger = RegistrationFactory(last_name="Stranger")

    response = admin_client.get(reverse("admin:registrations_authority_change", args=[liege.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    for registration, name in ((nowak, "Nowak, Anna"), (dupont, "Dupont, Marc")):
        url = reverse("admin:registrations_registration_change", args=[registration.pk])
        assert f'<a href="{url}">{name}</a>' in page
    assert "Elected official" in page
    assert "Cancelled" in page
    assert stranger.last_name not in page
    # Read-only: no form fields for the delegates, nothing to add.
    assert 'name="registrations-0-status"' not in page
    assert "Add another Registration" not in page


def test_authority_page_delegates_in_fixed_queries(admin_client, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    liege = AuthorityFactory(name="Liège", country="BE")
    url = reverse("admin:registrations_authority_change", args=[liege.pk])

    def queries_for(count: int) -> int:
        RegistrationFactory.create_batch(count, authority=liege)
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get(url).status_code == 200
        return len(captured)

    assert queries_for(1) == queries_for(20)
