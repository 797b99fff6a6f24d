"""Writing many registrations at once (demo data, imports) under the rules of registration."""

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from conference.models import Conference
from registrations.errors import RegistrationError
from registrations.models import Authority, ConsentRecord, Registration
from registrations.places.counters import place_counts_move, place_counts_write
from registrations.places.locking import places_lock
from registrations.places.registrations import (
    RegistrationData,
    email_normalise,
    newcomer_gets_place,
    registration_from_data,
    registration_needs_approval,
    registration_reference_new,
)
from registrations.privacy.schedule import privacy_notice_version

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ImportedRegistration:
    authority: Authority
    data: RegistrationData
    special_needs_consent: bool = False
    # When this one registered; None: the import's `registered_at`.
    registered_at: datetime | None = None


def registrations_import(
    *,
    conference: Conference,
    entries: Iterable[ImportedRegistration],
    registered_at: datetime,
    batch_size: int = 2000,
) -> int:
    """Write many registrations at once (demo data, imports) under the rules of
    registration_create: pending approval for non-members, confirmed while places remain, then
    the waiting list, in the order of `entries` (which should be that of their registration
    times); consent records; a first history record each, the baseline later changes are
    compared with. Emails already registered are skipped. No email is queued: whoever imports
    decides whom to tell. Returns how many were added."""
    with transaction.atomic():
        conference = places_lock(conference=conference).conference
        registrations = conference.registrations.all()
        known_emails = {email.lower() for email in registrations.values_list("email", flat=True)}
        taken_references = set(
            Registration.objects.filter(
                reference__startswith=f"{conference.reference_prefix}-"
            ).values_list("reference", flat=True)
        )
        added = 0
        batch: list[tuple[Registration, bool, datetime]] = []
        for entry in entries:
            data = entry.data
            email = email_normalise(data.email)
            if email in known_emails:
                continue
            if (data.dietary_needs or data.accessibility_needs) and not entry.special_needs_consent:
                raise RegistrationError(
                    _("Dietary and accessibility needs can only be kept with your consent.")
                )
            known_emails.add(email)
            if registration_needs_approval(conference, entry.authority):
                status = Registration.Status.PENDING
            elif newcomer_gets_place(conference):
                status = Registration.Status.CONFIRMED
            else:
                status = Registration.Status.WAITLISTED
            place_counts_move(conference, from_status=None, to_status=status, write=False)
            reference = registration_reference_new(conference.reference_prefix)
            while reference in taken_references:
                reference = registration_reference_new(conference.reference_prefix)
            taken_references.add(reference)
            at = entry.registered_at or registered_at
            registration = registration_from_data(
                data,
                conference=conference,
                authority=entry.authority,
                reference=reference,
                status=status,
                confirmed_at=at if status == Registration.Status.CONFIRMED else None,
                waitlisted_at=at if status == Registration.Status.WAITLISTED else None,
            )
            batch.append((registration, entry.special_needs_consent, at))
            if len(batch) == batch_size:
                added += _write_imported(batch)
                batch = []
        if batch:
            added += _write_imported(batch)
        place_counts_write(conference)
    logger.info("conference %s: %s registrations imported", conference.pk, added)
    return added


def _write_imported(batch: list[tuple[Registration, bool, datetime]]) -> int:
    for registration, _consent, _at in batch:
        registration.set_name_keys()  # save() would; bulk_create() does not
    registrations = Registration.objects.bulk_create(
        [registration for registration, _consent, _at in batch]
    )
    ConsentRecord.objects.bulk_create(
        ConsentRecord(
            registration=registration,
            kind=kind,
            notice_version=privacy_notice_version(registration.conference),
            given_at=registered_at,
        )
        for registration, special_needs_consent, registered_at in batch
        for kind in (
            [ConsentRecord.Kind.PRIVACY_NOTICE, ConsentRecord.Kind.SPECIAL_NEEDS]
            if special_needs_consent
            else [ConsentRecord.Kind.PRIVACY_NOTICE]
        )
    )
    # created_at is auto_now_add, which bulk_create cannot set: one UPDATE per moment (an
    # import has one; the demo's are spread), not bulk_update's CASE over every row.
    by_moment: dict[datetime, list[int]] = defaultdict(list)
    for registration, _consent, registered_at in batch:
        registration.created_at = registration.updated_at = registered_at
        registration._history_date = registered_at  # type: ignore[attr-defined]
        by_moment[registered_at].append(registration.pk)
    for registered_at, pks in by_moment.items():
        Registration.objects.filter(pk__in=pks).update(
            created_at=registered_at, updated_at=registered_at
        )
    Registration.history.bulk_history_create(registrations)
    return len(registrations)
