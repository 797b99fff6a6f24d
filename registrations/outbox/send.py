"""Sending one outbox email, in two steps, so that the outbox never records less than happened.

1. The claim, in a short transaction of its own under the row lock: a queued email becomes
   "sending (unconfirmed)", its attempt is counted, the time noted and its Message-ID made (at
   the first attempt, then kept for every later one). It commits before the message leaves.
2. The send, holding no lock and no transaction; then its result is recorded in a second
   transaction: sent; queued again for later after a temporary failure; or failed.

Running the task twice, or on two workers at once, sends once: the second run waits for the
first one's claim to commit, then finds the email sending (or sent) and leaves it alone. A worker
that dies between the server's acceptance and the record (killed, or its database connection
gone) leaves the email "sending" with its attempt counted; after EMAIL_SENDING_LEASE_SECONDS the
beat task (queue.outbound_emails_requeue_stalled) queues it again, and it is sent once more with
the same Message-ID, by which receivers and mail systems drop the duplicate. So the guarantee is
at least once, with a stable Message-ID: no SMTP client can promise exactly once."""

import logging
import smtplib
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from conference.calendar import site_domain
from registrations.errors import TemporaryEmailError
from registrations.models import OutboundEmail, VisaLetterRequest
from registrations.outbox.compose import outbound_email_compose

logger = logging.getLogger(__name__)

EMAIL_MAX_ATTEMPTS = 8


def _is_temporary(error: Exception) -> bool:
    """4xx SMTP replies and network trouble pass; 5xx replies and malformed messages do not."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _msg in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return 400 <= error.smtp_code < 500 or isinstance(error, smtplib.SMTPAuthenticationError)
    return isinstance(error, (smtplib.SMTPServerDisconnected, OSError))


def email_retry_delay(attempts: int) -> int:
    """Seconds before the next try: 1, 2, 4, 8… minutes (by default), at most an hour."""
    return min(settings.EMAIL_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0), 3600)


def outbound_email_message_id(email: OutboundEmail) -> str:
    """Globally unique (a random part), and naming the row for whoever reads the headers."""
    return f"<{uuid.uuid4().hex}.outbox-{email.pk}@{site_domain()}>"


def _outbound_email_claim(email_id: int) -> tuple[OutboundEmail | None, bool]:
    """The email, and whether this run claimed it for sending."""
    with transaction.atomic():
        # Lock the outbox row only: a plain FOR UPDATE would also lock the joined conference
        # row, which is the capacity lock, and deadlock against registrations.
        email = (
            OutboundEmail.objects.select_for_update(of=("self",))
            .select_related(
                "registration__conference__venue",
                "registration__authority",
                "delegation__conference__venue",
                "delegation__authority",
            )
            .filter(pk=email_id)
            .first()
        )
        if email is None or email.status != OutboundEmail.Status.QUEUED:
            if email is not None and email.status == OutboundEmail.Status.SENDING:
                logger.info("email %s is being sent by another run; left alone", email.pk)
            return email, False
        if email.kind == OutboundEmail.Kind.REMINDER:
            # Reminders are only ever scheduled for a registration (reminder_schedule).
            assert email.registration is not None
            if not email.registration.is_active:
                email.status = OutboundEmail.Status.WITHDRAWN
                email.next_attempt_at = None
                email.save(update_fields=["status", "next_attempt_at"])
                return email, False
        email.status = OutboundEmail.Status.SENDING
        email.attempts += 1
        email.sending_started_at = timezone.now()
        if not email.message_id:
            email.message_id = outbound_email_message_id(email)
        email.save(update_fields=["status", "attempts", "sending_started_at", "message_id"])
    return email, True


def _outbound_email_record(
    claimed: OutboundEmail, error: Exception | None
) -> tuple[OutboundEmail | None, int | None]:
    """Record how the claimed attempt went; the email, and the seconds before a retry if one
    is due."""
    retry_in = None
    with transaction.atomic():
        email = OutboundEmail.objects.select_for_update().filter(pk=claimed.pk).first()
        # Still this attempt's: sending, or queued again by the beat task while this run was
        # slow (a result is better than a second copy). Withdrawn meanwhile (the delegate's data
        # erased) or claimed by a later run, it is no longer this run's to write.
        if (
            email is None
            or email.sending_started_at != claimed.sending_started_at
            or email.status not in (OutboundEmail.Status.SENDING, OutboundEmail.Status.QUEUED)
        ):
            logger.warning("email %s changed while it was sent; result not recorded", claimed.pk)
            return email, None
        if error is not None:
            email.last_error = f"{type(error).__name__}: {error}"[:2000]
            if _is_temporary(error) and email.attempts < EMAIL_MAX_ATTEMPTS:
                retry_in = email_retry_delay(email.attempts)
                email.status = OutboundEmail.Status.QUEUED
                email.next_attempt_at = timezone.now() + timedelta(seconds=retry_in)
                logger.warning("email %s: temporary failure, retry in %s s", email.pk, retry_in)
            else:
                email.status = OutboundEmail.Status.FAILED
                email.next_attempt_at = None
                # The error text may quote the address: the log gets the type and code only.
                code = getattr(error, "smtp_code", "")
                logger.error("email %s failed: %s %s", email.pk, type(error).__name__, code)
        else:
            email.status = OutboundEmail.Status.SENT
            email.sent_at = timezone.now()
            email.next_attempt_at = None
            email.last_error = ""
            logger.info("email %s sent", email.pk)
            if email.kind == OutboundEmail.Kind.VISA_APPROVED and email.visa_request_id:
                # The letter goes with this email: from now its passport data's days run
                # (travel.retention). Sent again later, it keeps the first sending.
                VisaLetterRequest.objects.filter(
                    pk=email.visa_request_id, letter_sent_at=None
                ).update(letter_sent_at=email.sent_at)
        email.save(update_fields=["status", "last_error", "next_attempt_at", "sent_at"])
    return email, retry_in


def outbound_email_send(*, email_id: int) -> OutboundEmail | None:
    """Send one outbox email if it is still queued: claimed, sent, recorded (see above).

    Raises TemporaryEmailError when a later attempt may succeed."""
    email, claimed = _outbound_email_claim(email_id)
    if email is None or not claimed:
        return email
    try:
        outbound_email_compose(email).send()
    except Exception as error:
        email, retry_in = _outbound_email_record(email, error)
    else:
        email, retry_in = _outbound_email_record(email, None)
    if retry_in is not None:
        raise TemporaryEmailError(retry_in)
    return email
