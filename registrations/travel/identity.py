"""Identity data for site visits: what a delegate gives for the visits they booked that ask
for it, with their consent. Only the fields the visit asks for are kept."""

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from conference.models import Session
from registrations.errors import RegistrationError
from registrations.models import (
    ConsentRecord,
    Registration,
    SiteVisitIdentity,
    identity_fields_required,
)
from registrations.privacy.schedule import privacy_notice_version

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class VisitIdentityData:
    full_name: str = ""
    nationality: str = ""
    id_number: str = ""
    date_of_birth: date | None = None


def visit_sessions_asking_identity(registration: Registration) -> list[Session]:
    """The delegate's booked (or waited-for) sessions that ask for identity data."""
    sessions = Session.objects.filter(bookings__registration=registration).order_by(
        "starts_at", "pk"
    )
    return [session for session in sessions if session.requires_identity_data]


def visit_identities_forget(*, registration: Registration, session_ids: Iterable[int]) -> int:
    """Delete the delegate's identity data for these visits: their booking is gone, whoever
    removed it, and with it the only reason to hold them. Returns the rows deleted."""
    deleted, _by_model = SiteVisitIdentity.objects.filter(
        registration=registration, session_id__in=list(session_ids)
    ).delete()
    if deleted:
        logger.info("registration %s: identity data of unbooked visits deleted", registration.pk)
    return deleted


def visit_identities_save(
    *,
    registration: Registration,
    identities: Mapping[Session, VisitIdentityData],
    consent: bool,
    now: datetime | None = None,
) -> list[SiteVisitIdentity]:
    """Keep the delegate's identity data for their visits, field by field as each visit asks;
    a visit they no longer hold a booking for loses its data. Refused without their consent,
    or when a field the visit asks for is missing."""
    now = now or timezone.now()
    with transaction.atomic():
        booked = {session.pk: session for session in visit_sessions_asking_identity(registration)}
        saved = []
        if identities and not consent:
            raise RegistrationError(
                gettext("Identity data for site visits can only be kept with your consent.")
            )
        for session, data in identities.items():
            if session.pk not in booked:
                raise RegistrationError(
                    gettext("“%(title)s” is not a visit you booked that asks for identity data.")
                    % {"title": session.title}
                )
            asked = identity_fields_required(session)
            values = {field: getattr(data, field) for field in asked}
            missing = [field for field, value in values.items() if not value]
            if missing:
                raise RegistrationError(
                    gettext("Please give every detail that “%(title)s” asks for.")
                    % {"title": session.title}
                )
            # A field the visit stopped asking for is emptied, not kept.
            for field in ("full_name", "nationality", "id_number"):
                values.setdefault(field, "")
            values.setdefault("date_of_birth", None)
            identity, _created = SiteVisitIdentity.objects.update_or_create(
                registration=registration, session=session, defaults={**values, "given_at": now}
            )
            saved.append(identity)
        # Data for a visit no longer booked serve no purpose any more.
        registration.visit_identities.exclude(session_id__in=booked).delete()
        if (
            identities
            and not registration.consents.filter(kind=ConsentRecord.Kind.VISIT_IDENTITY).exists()
        ):
            ConsentRecord.objects.create(
                registration=registration,
                kind=ConsentRecord.Kind.VISIT_IDENTITY,
                notice_version=privacy_notice_version(registration.conference),
                given_at=now,
            )
    if saved:
        logger.info(
            "registration %s: identity data for sessions %s",
            registration.pk,
            ", ".join(str(identity.session_id) for identity in saved),
        )
    return saved
