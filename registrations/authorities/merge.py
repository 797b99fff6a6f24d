"""Merging an authority entered twice into the one that stays."""

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from registrations.errors import RegistrationError
from registrations.models import Authority, AuthorityAllotment, Delegation, Registration

logger = logging.getLogger(__name__)


def authority_merge(*, duplicate: Authority, into: Authority) -> int:
    """Move the registrations, delegations and places of `duplicate` to `into`, then delete
    `duplicate`; returns how many registrations moved. `into` keeps its own name, kind,
    membership and codes, and its places where both had some for a conference; a refusal to be
    listed publicly recorded on either stays (the authority said so, under whichever name).
    Two delegations
    at the same conference cannot be merged: the organiser decides which one stays."""
    if duplicate.pk == into.pk:
        raise RegistrationError(gettext("An authority cannot be merged into itself."))
    with transaction.atomic():
        # Both rows locked in a stable order: two merges of the same pair cannot cross.
        locked = {
            authority.pk: authority
            for authority in Authority.objects.select_for_update()
            .filter(pk__in=[duplicate.pk, into.pk])
            .order_by("pk")
        }
        if len(locked) != 2:
            raise RegistrationError(gettext("One of the two authorities no longer exists."))
        duplicate, into = locked[duplicate.pk], locked[into.pk]
        if duplicate.country != into.country:
            raise RegistrationError(
                gettext(
                    "%(duplicate)s and %(into)s are in different countries. Correct the "
                    "country of the wrong one first, then merge."
                )
                % {"duplicate": duplicate, "into": into}
            )
        clash = (
            Delegation.objects.filter(
                authority=duplicate,
                conference__in=Delegation.objects.filter(authority=into).values("conference"),
            )
            .select_related("conference")
            .first()
        )
        if clash is not None:
            raise RegistrationError(
                gettext(
                    "Both %(duplicate)s and %(into)s have a delegation at %(conference)s. "
                    "Delete one of the two delegations first (its delegates stay registered), "
                    "then merge."
                )
                % {"duplicate": duplicate, "into": into, "conference": clash.conference}
            )
        moved = Registration.objects.filter(authority=duplicate).update(
            authority=into, updated_at=timezone.now()
        )
        Delegation.objects.filter(authority=duplicate).update(authority=into)
        AuthorityAllotment.objects.filter(
            authority=duplicate,
            conference__in=AuthorityAllotment.objects.filter(authority=into).values("conference"),
        ).delete()
        AuthorityAllotment.objects.filter(authority=duplicate).update(authority=into)
        if duplicate.public_listing == Authority.PublicListing.HIDDEN:
            into.public_listing = Authority.PublicListing.HIDDEN
            into.save(update_fields=["public_listing"])
        duplicate_pk = duplicate.pk
        duplicate.delete()
    logger.info("authority %s merged into %s: %s registrations moved", duplicate_pk, into.pk, moved)
    return moved
