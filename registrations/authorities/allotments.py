"""How many delegates an authority may register at a conference, and how many it has left."""

from django.db.models import Case, Count, IntegerField, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import ngettext

from conference.models import Conference
from registrations.errors import AuthorityFullError
from registrations.models import Authority, AuthorityAllotment, Registration


def authority_places(conference: Conference, authority: Authority) -> int | None:
    """How many delegates the authority may register; None when there is no limit."""
    allotment = AuthorityAllotment.objects.filter(
        conference=conference, authority=authority
    ).first()
    return allotment.places if allotment else conference.default_allotment


def authority_places_left(conference: Conference, authority: Authority) -> int | None:
    """The places the authority has left; None when there is no limit. One query, as it runs
    under the conference lock: the allotment, and the count of its active registrations only
    when there is a limit (bounded by it, as registrations stop there)."""
    allotted = Coalesce(
        Subquery(
            AuthorityAllotment.objects.filter(conference=conference, authority=authority).values(
                "places"
            )[:1]
        ),
        Value(conference.default_allotment, output_field=IntegerField()),
    )
    used = Subquery(
        Registration.objects.filter(conference=conference, authority=authority)
        .exclude(status__in=Registration.INACTIVE_STATUSES)
        .order_by()
        .values("authority")
        .annotate(count=Count("pk"))
        .values("count")
    )
    row = (
        Conference.objects.filter(pk=conference.pk)
        .annotate(allotted=allotted)
        .annotate(
            used=Case(
                When(allotted__isnull=True, then=Value(None)),
                default=Coalesce(used, 0),
                output_field=IntegerField(),
            )
        )
        .values("allotted", "used")
        .get()
    )
    if row["allotted"] is None:
        return None
    return max(row["allotted"] - row["used"], 0)


def authority_places_check(conference: Conference, authority: Authority, *, wanted: int) -> None:
    # Called under the conference lock, so two coordinators cannot both take the last place.
    authority_places_refuse(
        authority, left=authority_places_left(conference, authority), wanted=wanted
    )


def authority_places_refuse(authority: Authority, *, left: int | None, wanted: int) -> None:
    """Refuse `wanted` places to an authority that has `left` (None: no limit)."""
    if left is not None and wanted > left:
        raise AuthorityFullError(
            ngettext(
                "%(authority)s has %(left)d place left at this conference.",
                "%(authority)s has %(left)d places left at this conference.",
                left,
            )
            % {"authority": authority.name, "left": left}
        )
