"""The public page of participating cities and regions, its map, and the home page's map: only
authorities that agreed to be named and have a confirmed delegate, wherever they are shown (the
page, the maps, the public API), counted without names, filtered, in English and in French."""

import re

import pytest
from django.urls import reverse

from registrations.models import Authority, Registration
from registrations.network_map.selectors import participating_authorities
from registrations.places.registrations import RegistrationData, registration_create
from registrations.places.status import registration_cancel
from tests.factories import AuthorityFactory, RegistrationFactory

pytestmark = pytest.mark.django_db

Listing = Authority.PublicListing
Kind = Authority.Kind


@pytest.fixture
def network(conference):
    """Nice (2 confirmed, 1 waiting), Liège, the Région Sud (a region), Gdańsk (not a member,
    listed by an organiser), Wien (member, hidden), Porto (not a member: by membership, not
    listed), Lyon (only a waiting delegate)."""
    authorities = {
        "nice": AuthorityFactory(name="Nice", country="FR", latitude=43.70, longitude=7.27),
        "liege": AuthorityFactory(name="Liège", country="BE", latitude=50.63, longitude=5.57),
        "sud": AuthorityFactory(
            name="Région Sud", country="FR", kind=Kind.REGION, latitude=43.30, longitude=5.38
        ),
        "gdansk": AuthorityFactory(
            name="Gdańsk",
            country="PL",
            is_member=False,
            public_listing=Listing.LISTED,
            latitude=54.35,
            longitude=18.65,
        ),
        "wien": AuthorityFactory(
            name="Wien", country="AT", public_listing=Listing.HIDDEN, latitude=48.2, longitude=16.4
        ),
        "porto": AuthorityFactory(
            name="Porto", country="PT", is_member=False, latitude=41.15, longitude=-8.61
        ),
        "lyon": AuthorityFactory(name="Lyon", country="FR", latitude=45.75, longitude=4.85),
    }
    for key in ("nice", "nice", "liege", "sud", "gdansk", "wien", "porto"):
        RegistrationFactory(conference=conference, authority=authorities[key])
    for key in ("nice", "lyon"):
        RegistrationFactory(
            conference=conference,
            authority=authorities[key],
            status=Registration.Status.WAITLISTED,
        )
    return authorities


def participants(client, conference, language="en", **query):
    return client.get(f"/{language}/{conference.slug}/participants/", query)


def map_titles(html: str) -> list[str]:
    found = re.search(r"<svg class=\"network-map-svg\".*?</svg>", html, re.S)
    svg = found.group(0) if found else ""
    return re.findall(
        r"<(?:circle|rect)[^>]*class=\"network-map-point[^\"]*\"[^>]*><title>([^<]*)</title>", svg
    )


def test_the_selector_counts_confirmed_delegates_of_listed_authorities_only(conference, network):
    counted = {a.name: a.delegate_count for a in participating_authorities(conference)}

    assert counted == {"Nice": 2, "Liège": 1, "Région Sud": 1, "Gdańsk": 1}


def test_the_page_lists_by_country_with_counts_and_no_names(client, conference, network):
    response = participants(client, conference)

    html = response.content.decode()
    assert response.status_code == 200
    assert "4 cities and regions from 3 countries" in html
    headings = re.findall(r'<h3 class="h5 mt-3" id="country-(\w\w)">([^<]+)</h3>', html)
    assert headings == [("BE", "Belgium"), ("FR", "France"), ("PL", "Poland")]
    assert "2 delegates" in html and "1 delegate<" in html
    for absent in ("Wien", "Porto", "Lyon"):
        assert absent not in html
    for registration in Registration.objects.all():
        assert registration.last_name not in html
        assert registration.email not in html


def test_the_map_has_a_titled_point_per_listed_authority_and_none_for_the_others(
    client, conference, network
):
    html = participants(client, conference).content.decode()

    assert sorted(map_titles(html)) == [
        "Gdańsk, Poland: 1 delegate",
        "Liège, Belgium: 1 delegate",
        "Nice, France: 2 delegates",
        "Région Sud, France: 1 delegate",
    ]
    svg = re.search(r"<svg class=\"network-map-svg\"[^>]*>", html).group(0)
    assert 'role="img"' in svg and 'viewBox="0 0 1000.0 942.5"' in svg
    assert "the map&#x27;s text equivalent" in html or "the map's text equivalent" in html
    # The region is a square, the cities are dots.
    assert re.search(r'<rect class="network-map-point is-area"[^>]*><title>Région Sud', html)
    assert re.search(r'<circle class="network-map-point"[^>]*><title>Nice', html)


def test_filters_by_country_and_kind(client, conference, network):
    by_country = participants(client, conference, country="FR").content.decode()
    assert sorted(map_titles(by_country)) == [
        "Nice, France: 2 delegates",
        "Région Sud, France: 1 delegate",
    ]
    assert "2 authorities match" in by_country
    assert '<option value="FR" selected>France</option>' in by_country

    by_kind = participants(client, conference, kind="region").content.decode()
    assert map_titles(by_kind) == ["Région Sud, France: 1 delegate"]

    # A value that is not a choice (a hidden authority's country) is dropped, not obeyed.
    hidden_country = participants(client, conference, country="AT").content.decode()
    assert "Wien" not in hidden_country
    assert len(map_titles(hidden_country)) == 4
    assert '<option value="AT"' not in hidden_country


def test_the_page_in_french_names_countries_in_french_and_sorts_them_so(
    client, conference, network
):
    AuthorityFactory(name="Genève", country="CH")
    RegistrationFactory(conference=conference, authority=Authority.objects.get(name="Genève"))
    AuthorityFactory(name="Dublin", country="IE")
    RegistrationFactory(conference=conference, authority=Authority.objects.get(name="Dublin"))

    html = participants(client, conference, language="fr").content.decode()

    headings = [name for _code, name in re.findall(r'id="country-(\w\w)">([^<]+)</h3>', html)]
    assert headings == ["Belgique", "France", "Irlande", "Pologne", "Suisse"]
    assert "6 villes et régions de 5 pays" in html  # after the lead's merge of the catalogue
    assert "Nice, France\u00a0: 2 délégués" in map_titles(html)


def test_the_public_api_names_the_same_authorities_as_the_page(client, conference, network):
    api = client.get(reverse("api:authorities", args=[conference.slug])).json()
    html = participants(client, conference).content.decode()

    on_the_page = {title.split(",")[0] for title in map_titles(html)}
    assert {authority["name"] for authority in api} == on_the_page


def test_the_home_page_shows_the_map_with_the_headline_and_a_link(client, conference, network):
    html = client.get(f"/en/{conference.slug}/").content.decode()

    assert "4 cities and regions from 3 countries" in html
    assert len(map_titles(html)) == 4
    assert "Wien" not in html
    assert f'href="/en/{conference.slug}/participants/"' in html


def test_the_home_page_has_no_map_before_anyone_is_listed(client, conference):
    html = client.get(f"/en/{conference.slug}/").content.decode()

    assert "network-map-svg" not in html
    # The navigation still leads to the page, which says why it is empty.
    page = participants(client, conference).content.decode()
    assert "will be listed here once their delegates are confirmed" in page


def test_an_authority_without_coordinates_is_listed_but_not_drawn(client, conference):
    nowhere = AuthorityFactory(name="Somewhere Unknown", country="FR")
    RegistrationFactory(conference=conference, authority=nowhere)

    html = participants(client, conference).content.decode()

    assert "Somewhere Unknown" in html
    assert map_titles(html) == []
    assert "1 authority is in the list but not on the map." in html


def test_a_confirmation_and_a_cancellation_show_on_the_cached_pages_at_once(
    client, conference, django_capture_on_commit_callbacks
):
    nice = AuthorityFactory(name="Nice", country="FR", latitude=43.70, longitude=7.27)
    data = RegistrationData(
        first_name="Émilie", last_name="Dubois", email="emilie@example.org", job_title="Adviser"
    )
    assert map_titles(client.get(f"/en/{conference.slug}/").content.decode()) == []
    participants(client, conference)  # cached, empty

    with django_capture_on_commit_callbacks(execute=True):
        outcome = registration_create(
            conference=conference, authority=nice, data=data, notify=False
        )

    assert map_titles(client.get(f"/en/{conference.slug}/").content.decode()) == [
        "Nice, France: 1 delegate"
    ]
    assert map_titles(participants(client, conference).content.decode()) == [
        "Nice, France: 1 delegate"
    ]

    with django_capture_on_commit_callbacks(execute=True):
        registration_cancel(registration=outcome.registration)

    assert "network-map-svg" not in client.get(f"/en/{conference.slug}/").content.decode()
    assert "Nice" not in participants(client, conference).content.decode()


def test_an_authority_hidden_by_an_organiser_leaves_the_cached_pages_at_once(
    client, conference, network, django_capture_on_commit_callbacks
):
    assert "Liège" in participants(client, conference).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        network["liege"].public_listing = Listing.HIDDEN
        network["liege"].save()

    assert "Liège" not in participants(client, conference).content.decode()
    assert "Liège" not in client.get(f"/en/{conference.slug}/").content.decode()


def test_the_navigation_links_to_the_page(client, conference):
    html = client.get(reverse("conference:programme", args=[conference.slug])).content.decode()

    assert f'href="/en/{conference.slug}/participants/"' in html
