"""Visa invitation letters: the delegate asks, the organisers approve or refuse, an approved
request becomes a letter kept in storage and emailed; every step emails the delegate."""

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from conference.models import Conference
from registrations.errors import RegistrationError
from registrations.models import (
    ConsentRecord,
    OutboundEmail,
    Registration,
    VisaLetterRequest,
)
from registrations.outbox.queue import outbound_email_queue
from registrations.outbox.recipients import Recipient
from registrations.privacy.schedule import privacy_notice_version
from registrations.travel.letters import visa_letter_filename, visa_letter_pdf

logger = logging.getLogger(__name__)

# A stay may begin and end this many days around the conference: travel, and a day or two to
# recover, but not a holiday the invitation would vouch for.
VISA_STAY_MARGIN = timedelta(days=14)


@dataclass(frozen=True)
class VisaLetterData:
    passport_name: str
    nationality: str
    passport_number: str
    date_of_birth: date
    consulate_city: str
    stay_from: date
    stay_until: date
    letter_language: str


def visa_stay_window(conference: Conference) -> tuple[date, date]:
    """The first arrival and the last departure a letter may name."""
    return conference.start_date - VISA_STAY_MARGIN, conference.end_date + VISA_STAY_MARGIN


def visa_stay_errors(conference: Conference, stay_from: date, stay_until: date) -> dict[str, str]:
    """What is wrong with the dates of stay, by field; empty when they are fine."""
    earliest, latest = visa_stay_window(conference)
    errors = {}
    if stay_from < earliest or stay_from > conference.start_date:
        errors["stay_from"] = gettext(
            "Arrival must be between %(earliest)s and the first day of the conference."
        ) % {"earliest": earliest.isoformat()}
    if stay_until > latest or stay_until < conference.end_date:
        errors["stay_until"] = gettext(
            "Departure must be between the last day of the conference and %(latest)s."
        ) % {"latest": latest.isoformat()}
    return errors


def visa_requests_open(registration: Registration) -> bool:
    """Whether the delegate may ask for a letter now."""
    return registration.is_active and timezone.localdate() <= registration.conference.end_date


def visa_letter_request_create(
    *, registration: Registration, data: VisaLetterData, now: datetime | None = None
) -> VisaLetterRequest:
    """The delegate asks for a letter, consenting to their passport data being used for it; they
    are emailed that it was received. One request under review or approved at a time."""
    now = now or timezone.now()
    if not visa_requests_open(registration):
        raise RegistrationError(gettext("Visa letters can no longer be requested."))
    errors = visa_stay_errors(registration.conference, data.stay_from, data.stay_until)
    if errors:
        raise RegistrationError(" ".join(errors.values()))
    request = VisaLetterRequest(
        registration=registration,
        passport_name=" ".join(data.passport_name.split()),
        nationality=data.nationality,
        passport_number="".join(data.passport_number.split()).upper(),
        date_of_birth=data.date_of_birth,
        consulate_city=" ".join(data.consulate_city.split()),
        stay_from=data.stay_from,
        stay_until=data.stay_until,
        letter_language=data.letter_language,
    )
    try:
        request.full_clean(validate_constraints=False)
    except ValidationError as error:
        raise RegistrationError(" ".join(error.messages)) from error
    try:
        with transaction.atomic():
            request.save()
            if not registration.consents.filter(kind=ConsentRecord.Kind.VISA_LETTER).exists():
                ConsentRecord.objects.create(
                    registration=registration,
                    kind=ConsentRecord.Kind.VISA_LETTER,
                    notice_version=privacy_notice_version(registration.conference),
                    given_at=now,
                )
            outbound_email_queue(
                to=Recipient.delegate(registration),
                kind=OutboundEmail.Kind.VISA_RECEIVED,
                visa_request=request,
            )
    except IntegrityError as error:
        # The unique index: one request under review or approved at a time.
        raise RegistrationError(
            gettext("You have already asked for a visa letter; we will email you our answer.")
        ) from error
    logger.info("registration %s: visa letter requested (%s)", registration.pk, request.pk)
    return request


def _lock_for_review(request: VisaLetterRequest) -> VisaLetterRequest:
    request = VisaLetterRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != VisaLetterRequest.Status.REQUESTED:
        raise RegistrationError(gettext("This request has already been reviewed."))
    if request.passport_data_purged_at is not None:
        raise RegistrationError(gettext("The passport data of this request have been deleted."))
    return request


def visa_letter_approve(
    *,
    request: VisaLetterRequest,
    by: User | None,
    note: str = "",
    now: datetime | None = None,
) -> VisaLetterRequest:
    """Approve the request: the letter is made, kept in storage and emailed to the delegate.
    The retention period of the passport data runs from when the email leaves the outbox,
    which notes it as the letter's sending (outbox.send)."""
    now = now or timezone.now()
    with transaction.atomic():
        request = _lock_for_review(request)
        if not request.registration.conference.letter_signatory_name.strip():
            # An unsigned letter is worth nothing to an embassy.
            raise RegistrationError(
                gettext("Name the signatory of visa letters in the conference's settings first.")
            )
        request.status = VisaLetterRequest.Status.APPROVED
        request.review_note = note.strip()
        request.reviewed_at = now
        request.reviewed_by = by
        request.letter.save(
            visa_letter_filename(request), ContentFile(visa_letter_pdf(request)), save=False
        )
        try:
            request.save()
            outbound_email_queue(
                to=Recipient.delegate(request.registration),
                kind=OutboundEmail.Kind.VISA_APPROVED,
                visa_request=request,
            )
        except BaseException:
            # The transaction rolls back: the file written above must not outlive it.
            request.letter.storage.delete(request.letter.name)
            raise
    logger.info("visa letter request %s approved", request.pk)
    return request


def visa_letter_refuse(
    *,
    request: VisaLetterRequest,
    by: User | None,
    note: str,
    now: datetime | None = None,
) -> VisaLetterRequest:
    """Refuse the request, telling the delegate why. The retention period of the passport data
    runs from when that email leaves the outbox."""
    now = now or timezone.now()
    if not note.strip():
        raise RegistrationError(gettext("Say why the request is refused: the delegate is told."))
    with transaction.atomic():
        request = _lock_for_review(request)
        request.status = VisaLetterRequest.Status.REFUSED
        request.review_note = note.strip()
        request.reviewed_at = now
        request.reviewed_by = by
        request.save()
        outbound_email_queue(
            to=Recipient.delegate(request.registration),
            kind=OutboundEmail.Kind.VISA_REFUSED,
            visa_request=request,
        )
    logger.info("visa letter request %s refused", request.pk)
    return request


@dataclass(frozen=True)
class VisaLetterVerification:
    """What the public verification page may show: never passport data."""

    reference: str
    holder_name: str
    conference: Conference
    stay_from: date
    stay_until: date
    issued_on: date
    # The registration it was issued for was cancelled, substituted or rejected: the letter no
    # longer invites anyone, and the page names no one.
    withdrawn: bool = False


def visa_letter_verify(reference: str) -> VisaLetterVerification | None:
    """The letter issued under this reference, or None if there is none (or it was withdrawn
    by erasure). It answers from the approval, as the letter is downloadable from then, even
    while its email waits for the mail server. After the passport data are deleted, the
    holder's name is no longer shown; once the registration is no longer active, the letter
    is answered as withdrawn, without the holder's name."""
    request = (
        VisaLetterRequest.objects.select_related("registration__conference")
        .filter(reference=reference.strip().upper(), status=VisaLetterRequest.Status.APPROVED)
        .first()
    )
    if request is None or request.reviewed_at is None:
        return None
    conference = request.registration.conference
    withdrawn = not request.registration.is_active
    return VisaLetterVerification(
        reference=request.reference,
        holder_name="" if withdrawn else request.passport_name,
        conference=conference,
        stay_from=request.stay_from,
        stay_until=request.stay_until,
        # The date printed on the letter (letters.py).
        issued_on=timezone.localtime(request.reviewed_at, conference.tzinfo).date(),
        withdrawn=withdrawn,
    )
