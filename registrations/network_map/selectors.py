"""Reads for the participants page and the maps: the authorities named as taking part, as
authorities.selectors.authorities_listed_publicly decides it (the same selector as the public
API's), with their confirmed delegates counted, grouped by country, and placed on the map."""

from dataclasses import dataclass, field

import pycountry
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext, ngettext
from django_countries import countries

from conference.models import Conference
from registrations.authorities.selectors import authorities_listed_publicly
from registrations.collation import sort_key
from registrations.models import Authority, Registration
from registrations.network_map.outlines import europe_frame, europe_outlines

Kind = Authority.Kind

# Counted as "cities and regions" in the headline; national bodies and international
# organisations are counted apart.
LOCAL_AND_REGIONAL = frozenset({Kind.MUNICIPALITY, Kind.INTERCOMMUNAL, Kind.PROVINCE, Kind.REGION})
# Drawn as squares, at their capital or their centre, not as a city's dot.
AREAS = frozenset({Kind.PROVINCE, Kind.REGION})


def collation_key(text: str) -> str:
    """How people sort names: the Unicode Collation Algorithm ("Émirats" before "Espagne")."""
    return sort_key(text)


def participating_authorities(
    conference: Conference, *, country: str = "", kind: str = ""
) -> QuerySet[Authority]:
    """The authorities named as taking part, each with `delegate_count`, its confirmed
    delegates at the conference (never their names); narrowed to a country or a kind."""
    confirmed = (
        Registration.objects.filter(
            conference=conference, authority=OuterRef("pk"), status=Registration.Status.CONFIRMED
        )
        .order_by()
        .values("authority")
        .annotate(count=Count("pk"))
        .values("count")
    )
    authorities = authorities_listed_publicly(conference).annotate(
        delegate_count=Coalesce(Subquery(confirmed), 0)
    )
    if country:
        authorities = authorities.filter(country=country)
    if kind:
        authorities = authorities.filter(kind=kind)
    return authorities


def country_name(code: str) -> str:
    """The country's name in the active language."""
    return str(countries.name(code))


def countries_by_name(codes: set[str]) -> list[tuple[str, str]]:
    """(code, name in the active language), sorted as people expect."""
    return sorted(
        ((code, country_name(code)) for code in codes), key=lambda pair: collation_key(pair[1])
    )


@dataclass(frozen=True)
class CountryGroup:
    code: str
    name: str
    authorities: list[Authority]

    @property
    def delegate_count(self) -> int:
        return sum(authority.delegate_count for authority in self.authorities)  # type: ignore[attr-defined]


def authorities_by_country(authorities: list[Authority]) -> list[CountryGroup]:
    """The authorities under their countries, both in alphabetical order."""
    grouped: dict[str, list[Authority]] = {}
    for authority in authorities:
        grouped.setdefault(authority.country.code, []).append(authority)
    return [
        CountryGroup(
            code=code,
            name=name,
            authorities=sorted(grouped[code], key=lambda a: (collation_key(a.name), a.pk)),
        )
        for code, name in countries_by_name(set(grouped))
    ]


@dataclass(frozen=True)
class NetworkSummary:
    """“130 cities and regions from 27 countries”, and the national and international bodies."""

    local_and_regional: int
    countries: int
    other_bodies: int

    @property
    def headline(self) -> str:
        authorities = ngettext(
            "%(count)s city or region", "%(count)s cities and regions", self.local_and_regional
        ) % {"count": self.local_and_regional}
        from_countries = ngettext(
            "from %(count)s country", "from %(count)s countries", self.countries
        ) % {"count": self.countries}
        headline = gettext("%(authorities)s %(countries)s") % {
            "authorities": authorities,
            "countries": from_countries,
        }
        if self.other_bodies:
            headline = ngettext(
                "%(headline)s, and %(count)s national or international body",
                "%(headline)s, and %(count)s national or international bodies",
                self.other_bodies,
            ) % {"headline": headline, "count": self.other_bodies}
        return headline


def network_summary(authorities: list[Authority]) -> NetworkSummary:
    local = [authority for authority in authorities if authority.kind in LOCAL_AND_REGIONAL]
    return NetworkSummary(
        local_and_regional=len(local),
        countries=len({authority.country.code for authority in local}),
        other_bodies=len(authorities) - len(local),
    )


@dataclass(frozen=True)
class MapPoint:
    x: float
    y: float
    is_area: bool
    title: str

    # A region's square, centred on its point.
    @property
    def left(self) -> float:
        return round(self.x - 5, 1)

    @property
    def top(self) -> float:
        return round(self.y - 5, 1)


@dataclass(frozen=True)
class MapCountry:
    path: str
    taking_part: bool


@dataclass(frozen=True)
class NetworkMap:
    width: float
    height: float
    countries: list[MapCountry]
    points: list[MapPoint]
    # Listed, but without coordinates (or outside the map): in the list only.
    unplaced: list[Authority] = field(default_factory=list)
    attribution: str = ""


def _numeric_code(alpha_2: str) -> str:
    country = pycountry.countries.get(alpha_2=alpha_2)
    return country.numeric if country is not None else ""


def point_title(authority: Authority) -> str:
    count = authority.delegate_count  # type: ignore[attr-defined]
    return ngettext(
        "%(name)s, %(country)s: %(count)s delegate",
        "%(name)s, %(country)s: %(count)s delegates",
        count,
    ) % {"name": authority.name, "country": country_name(authority.country.code), "count": count}


def network_map(authorities: list[Authority]) -> NetworkMap:
    """The map of these authorities: the country outlines (those taking part shaded) and a
    point for each authority with coordinates inside the frame."""
    outlines = europe_outlines()
    frame = europe_frame()
    taking_part = {_numeric_code(authority.country.code) for authority in authorities}
    points: list[MapPoint] = []
    unplaced: list[Authority] = []
    for authority in authorities:
        if authority.latitude is None or authority.longitude is None:
            unplaced.append(authority)
            continue
        x, y = frame.to_svg(authority.longitude, authority.latitude)
        if not frame.contains(x, y):
            unplaced.append(authority)
            continue
        points.append(
            MapPoint(
                x=round(x, 1),
                y=round(y, 1),
                is_area=authority.kind in AREAS,
                title=point_title(authority),
            )
        )
    # Regions under cities: a city inside a region stays visible and can be pointed at.
    points.sort(key=lambda point: (not point.is_area, point.y))
    return NetworkMap(
        width=frame.width,
        height=frame.height,
        countries=[
            MapCountry(
                path=country["d"],
                taking_part=bool(country["id"]) and country["id"] in taking_part,
            )
            for country in outlines["countries"]
        ],
        points=points,
        unplaced=unplaced,
        attribution=outlines["attribution"],
    )
