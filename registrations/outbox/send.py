"""Sending one outbox email: once, however often it is asked for, with retries for what may pass."""

import logging
import smtplib
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from registrations.errors import TemporaryEmailError
from registrations.models import OutboundEmail
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


def outbound_email_send(*, email_id: int) -> OutboundEmail | None:
    """Send one outbox email if it is still queued. Safe to run twice or concurrently: the row
    lock is held while sending, so a second run waits and then finds the email sent.

    Raises TemporaryEmailError when a later attempt may succeed."""

    retry_in = None
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
            return email
        if email.kind == OutboundEmail.Kind.REMINDER:
            # Reminders are only ever scheduled for a registration (reminder_schedule).
            assert email.registration is not None
            if not email.registration.is_active:
                email.status = OutboundEmail.Status.WITHDRAWN
                email.next_attempt_at = None
                email.save(update_fields=["status", "next_attempt_at"])
                return email
        email.attempts += 1
        try:
            outbound_email_compose(email).send()
        except Exception as error:
            email.last_error = f"{type(error).__name__}: {error}"[:2000]
            if _is_temporary(error) and email.attempts < EMAIL_MAX_ATTEMPTS:
                retry_in = email_retry_delay(email.attempts)
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
        email.save()
    if retry_in is not None:
        raise TemporaryEmailError(retry_in)
    return email
