"""Reads of authorities: which a delegate can pick, figures per authority, the delegation list."""

from django.db import models
from django.db.models import Case, Count, Exists, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.expressions import BaseExpression
from django.db.models.functions import Coalesce, Concat
from django_countries import countries

from conference.models import Conference
from registrations.collation import sort_key
from registrations.models import (
    Authority,
    AuthorityAllotment,
    Delegation,
    Registration,
)


def authorities_for_choice() -> QuerySet[Authority]:
    """Authorities a delegate can pick: reviewed ones, plus none that a stranger named."""
    return Authority.objects.filter(needs_review=False).order_by("sort_name", "pk")


def authorities_listed_publicly(conference: Conference) -> QuerySet[Authority]:
    """Authorities shown as taking part in the conference (the public API), with at least one
    confirmed delegate: members of the network, whose membership is public, unless an organiser
    marked them not listed, and others only when an organiser marked them listed. That a city
    sends someone is theirs to tell: one that did not agree is never named."""
    confirmed = Registration.objects.filter(
        conference=conference, authority=OuterRef("pk"), status=Registration.Status.CONFIRMED
    )
    listing = Authority.PublicListing
    agreed = Q(public_listing=listing.LISTED) | Q(
        public_listing=listing.BY_MEMBERSHIP, is_member=True
    )
    return (
        Authority.objects.filter(agreed, needs_review=False)
        .filter(Exists(confirmed))
        .order_by("country", "name_key", "pk")
    )


def _count(registrations: QuerySet[Registration]) -> Coalesce:
    counted = (
        registrations.order_by().values("authority").annotate(count=Count("pk")).values("count")
    )
    return Coalesce(Subquery(counted), 0)


def _coordinator(delegation: QuerySet[Delegation]) -> dict[str, Subquery]:
    """`coordinator_name` and `coordinator_email` of the (only) delegation of the queryset."""
    full_name = Concat(
        "coordinator_first_name",
        Value(" "),
        "coordinator_last_name",
        output_field=models.CharField(),
    )
    return {
        "coordinator_name": Subquery(
            delegation.annotate(full_name=full_name).values("full_name")[:1]
        ),
        "coordinator_email": Subquery(delegation.values("coordinator_email")[:1]),
    }


def authorities_with_figures(
    queryset: QuerySet[Authority], *, conference: Conference | None
) -> QuerySet[Authority]:
    """Authorities with their registrations by status (`<status>_count`) and active ones
    (`places_used`), at the conference or at all of them; at a conference also their `places`
    (None: no limit) and their delegation's `coordinator_name` and `coordinator_email`.
    Counted in subqueries, not through joins, so that a filter or search that joins more rows
    cannot multiply them; a page of authorities is one query whatever its length."""
    registrations = Registration.objects.filter(authority=OuterRef("pk"))
    if conference is not None:
        registrations = registrations.filter(conference=conference)
    figures: dict[str, BaseExpression] = {
        f"{status}_count": _count(registrations.filter(status=status))
        for status in Registration.Status.values
    }
    figures["places_used"] = _count(registrations.active())
    if conference is not None:
        # As allotments.authority_places decides it: the authority's own places, else the
        # conference's default.
        own_places = Subquery(
            AuthorityAllotment.objects.filter(authority=OuterRef("pk"), conference=conference)
            .order_by()
            .values("places")[:1]
        )
        default = conference.default_allotment
        figures["places"] = (
            own_places
            if default is None
            else Coalesce(own_places, default, output_field=models.IntegerField())
        )
        figures |= _coordinator(
            Delegation.objects.filter(authority=OuterRef("pk"), conference=conference)
        )
    return queryset.annotate(**figures)


def delegation_list(
    authorities: QuerySet[Authority], *, conference: Conference | None
) -> QuerySet[Registration]:
    """The active registrations of these authorities (at the conference, if one is given),
    each with its authority's coordinator at its conference, ordered by country name,
    authority and last name, in one query."""
    codes = set(authorities.order_by().values_list("country", flat=True).distinct())
    # Countries are stored as codes: order by their names, ranked here by the collation key
    # (registrations.collation), whatever the database's collation.
    by_name = sorted(codes, key=lambda code: sort_key(str(countries.name(code))))
    country_rank = Case(
        *[When(authority__country=code, then=Value(rank)) for rank, code in enumerate(by_name)],
        default=Value(len(by_name)),
        output_field=models.IntegerField(),
    )
    delegation = Delegation.objects.filter(
        authority=OuterRef("authority"), conference=OuterRef("conference")
    )
    registrations = Registration.objects.active().filter(
        authority__in=authorities.order_by().values("pk")
    )
    if conference is not None:
        registrations = registrations.filter(conference=conference)
    return (
        registrations.select_related("authority")
        .annotate(country_rank=country_rank, **_coordinator(delegation))
        .order_by(
            "country_rank",
            # The collation keys (registrations.collation): Łódź among the L.
            "authority__sort_name",
            "authority__pk",
            "sort_name",
            "pk",
        )
    )
