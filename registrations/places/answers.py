"""Saving a registration's answers: the choices with a capacity locked (places_lock's order:
after the registration and the sessions), their seats checked, then the answers written; for a
new registration in the transaction that creates it, for an existing one on its own."""

import logging
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from registrations.errors import ChangesClosedError, RegistrationError
from registrations.models import ConsentRecord, Registration
from registrations.places.locking import places_lock, registration_touch
from registrations.privacy.schedule import privacy_notice_version
from registrations.questions.answers import (
    AnswersInput,
    answer_files_guard,
    answers_check,
    answers_write,
    choices_capacity_check,
)

logger = logging.getLogger(__name__)

SPECIAL_CONSENT_MESSAGE = _(
    "Dietary, health and accessibility answers can only be kept with your consent."
)


def answers_save_locked(
    registration: Registration, answers: AnswersInput, *, new: bool = False
) -> list[int]:
    """Inside the caller's transaction, which holds the locks that come before the choices
    (the conference or the registration): lock the limited choices wanted, refuse a full one,
    write. Returns the ids of the questions whose answer changed. `new`: a registration
    created in this transaction, which has no answers to read."""
    answers_check(registration=registration, answers=answers)
    locked = places_lock(choice_ids=answers.limited_choice_ids(registration.category)).choices
    choices_capacity_check(registration=registration, answers=answers, locked_choices=locked)
    return answers_write(registration=registration, answers=answers, new=new)


def registration_answers_set(
    *,
    registration: Registration,
    answers: AnswersInput,
    special_needs_consent: bool,
    by_organiser: bool = False,
    now: datetime | None = None,
) -> list[int]:
    """The delegate (until changes close) or an organiser (any time) changes the answers of a
    registration. Special-category answers need the delegate's consent, recorded the first
    time they give it; organisers keep such answers only for delegates who gave it. Returns
    the ids of the questions whose answer changed."""
    now = now or timezone.now()
    with answer_files_guard(), transaction.atomic():
        registration = places_lock(registration=registration).registration
        if not by_organiser:
            if not registration.is_active:
                raise RegistrationError(gettext("This registration is cancelled."))
            if not registration.conference.changes_are_open(now):
                raise ChangesClosedError(
                    gettext("Changes are closed; please write to the organisers for any change.")
                )
        consented = registration.consents.filter(kind=ConsentRecord.Kind.SPECIAL_NEEDS).exists()
        # Only the delegate consents: an organiser keeps such answers once they have.
        consenting = special_needs_consent and not by_organiser
        if answers.has_special(registration.category) and not (consenting or consented):
            raise RegistrationError(
                gettext(
                    "The delegate has not agreed to their dietary, health and accessibility "
                    "answers being kept."
                )
                if by_organiser
                else str(SPECIAL_CONSENT_MESSAGE)
            )
        if consenting and not consented:
            ConsentRecord.objects.create(
                registration=registration,
                kind=ConsentRecord.Kind.SPECIAL_NEEDS,
                notice_version=privacy_notice_version(registration.conference),
                given_at=now,
            )
        changed = answers_save_locked(registration, answers)
        if changed:
            registration_touch(registration, now=now)
    if changed:
        logger.info("registration %s: %s answers changed", registration.pk, len(changed))
    return changed
