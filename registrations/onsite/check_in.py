"""Checking delegates in at the conference desk and at session doors."""

import logging
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from conference.models import Session
from registrations.errors import CheckInRefusedError
from registrations.models import CheckIn, Registration, WebhookEvent
from registrations.places.locking import places_lock, registration_touch
from registrations.webhooks.events import webhook_event_record

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CheckInResult:
    check_in: CheckIn
    # True when the delegate was already checked in at that place: nothing new was written and
    # `check_in` is the standing record, with who made it and when.
    already: bool


# Keyed by the status as a registration holds it: a plain string.
CHECK_IN_REFUSALS: dict[str, Promise] = {
    Registration.Status.CANCELLED: _(
        "This registration is cancelled: the delegate cannot be checked in."
    ),
    Registration.Status.REJECTED: _(
        "This registration was rejected: the delegate cannot be checked in."
    ),
}


def check_ins_standing(session: Session | None) -> QuerySet[CheckIn]:
    """Check-ins that stand (not undone) at the desk, or at the door of `session`."""
    return CheckIn.objects.filter(session=session, undone_at__isnull=True)


def check_in(
    *,
    registration: Registration,
    by: User | None,
    session: Session | None = None,
    now: datetime | None = None,
) -> CheckInResult:
    """Record a delegate's arrival at the desk, or at the door of `session`. Checking in twice
    changes nothing: the second call returns the standing check-in, flagged as already."""
    now = now or timezone.now()
    with transaction.atomic():
        # The registration row serialises the desks: a second desk scanning the same badge
        # waits here, then finds the first desk's row. The unique constraints back this up.
        registration = places_lock(registration=registration).registration
        if session is not None and session.conference_id != registration.conference_id:
            raise ValueError("the session belongs to another conference")
        if not registration.is_active:
            raise CheckInRefusedError(str(CHECK_IN_REFUSALS[registration.status]))
        standing = (
            check_ins_standing(session)
            .filter(registration=registration)
            .select_related("checked_in_by")
            .first()
        )
        if standing is not None:
            return CheckInResult(check_in=standing, already=True)
        # Nothing here comes from a form, so there is nothing for full_clean() to check.
        new = CheckIn(
            registration=registration, session=session, checked_in_at=now, checked_in_by=by
        )
        try:
            with transaction.atomic():
                new.save()
        except IntegrityError:
            # Written without the lock (the admin, a script): theirs stands.
            standing = (
                check_ins_standing(session)
                .filter(registration=registration)
                .select_related("checked_in_by")
                .get()
            )
            return CheckInResult(check_in=standing, already=True)
        webhook_event_record(
            WebhookEvent.CHECKIN_CREATED, registration=registration, check_in=new, now=now
        )
        registration_touch(registration, now=now)
    logger.info(
        "registration %s checked in (session %s) by user %s",
        registration.pk,
        session.pk if session else None,
        by.pk if by else None,
    )
    return CheckInResult(check_in=new, already=False)


def check_in_undo(*, check_in: CheckIn, by: User | None, now: datetime | None = None) -> CheckIn:
    """Undo a check-in made by mistake. The record stays, marked undone; checking the delegate
    in again later writes a new one."""
    now = now or timezone.now()
    with transaction.atomic():
        # The same lock as check_in(), so an undo and a check-in of one delegate cannot cross.
        registration = places_lock(registration=check_in.registration).registration
        check_in = CheckIn.objects.get(pk=check_in.pk)
        if check_in.undone_at is not None:
            return check_in
        check_in.undone_at = now
        check_in.undone_by = by
        check_in.save(update_fields=["undone_at", "undone_by"])
        registration_touch(registration, now=now)
    logger.info("check-in %s undone by user %s", check_in.pk, by.pk if by else None)
    return check_in
