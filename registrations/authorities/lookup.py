"""The authority a delegate names when it is not in the list."""

import logging
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from conference.page_cache import authorities_changed
from registrations.models import Authority, authority_name_key

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class NewAuthority:
    """A city or region named by a delegate because it was not in the list."""

    name: str
    country: str
    kind: str = Authority.Kind.MUNICIPALITY


def authority_find_named(*, name: str, country: str) -> Authority | None:
    """The authority of this name in this country, matched ignoring case and accents."""
    return Authority.objects.filter(country=country, name_key=authority_name_key(name)).first()


def authority_get_or_create_named(*, new_authority: NewAuthority) -> Authority:
    """The authority a delegate named, matched ignoring case and accents within its country;
    a new one is created for organiser review."""
    key = authority_name_key(new_authority.name)
    existing = authority_find_named(name=new_authority.name, country=new_authority.country)
    if existing:
        return existing
    authority = Authority(
        name=new_authority.name,
        country=new_authority.country,
        kind=new_authority.kind,
        is_member=False,
        needs_review=True,
    )
    authority.full_clean(exclude=["name_key"], validate_unique=False)
    try:
        with transaction.atomic():
            authority.save()
    except IntegrityError:
        # Named at the same moment by a colleague: theirs stands.
        return Authority.objects.get(country=new_authority.country, name_key=key)
    logger.info("authority %s created for review", authority.pk)
    return authority


def authorities_mark_reviewed(authorities: QuerySet[Authority]) -> int:
    """Organisers checked these authorities: delegates may choose them from now on. Returns how
    many were marked. In one statement, without signals: the registration form's list of
    authorities is retired here, now and once committed."""
    marked = authorities.update(needs_review=False)
    authorities_changed()
    transaction.on_commit(authorities_changed)
    return marked
