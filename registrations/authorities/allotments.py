"""How many delegates an authority may register at a conference, and how many it has left."""

from django.utils.translation import ngettext

from conference.models import Conference
from registrations.errors import AuthorityFullError
from registrations.models import Authority, AuthorityAllotment


def authority_places(conference: Conference, authority: Authority) -> int | None:
    """How many delegates the authority may register; None when there is no limit."""
    allotment = AuthorityAllotment.objects.filter(
        conference=conference, authority=authority
    ).first()
    return allotment.places if allotment else conference.default_allotment


def authority_places_left(conference: Conference, authority: Authority) -> int | None:
    places = authority_places(conference, authority)
    if places is None:
        return None
    used = conference.registrations.active().filter(authority=authority).count()
    return max(places - used, 0)


def authority_places_check(conference: Conference, authority: Authority, *, wanted: int) -> None:
    # Called under the conference lock, so two coordinators cannot both take the last place.
    left = authority_places_left(conference, authority)
    if left is not None and wanted > left:
        raise AuthorityFullError(
            ngettext(
                "%(authority)s has %(left)d place left at this conference.",
                "%(authority)s has %(left)d places left at this conference.",
                left,
            )
            % {"authority": authority.name, "left": left}
        )
