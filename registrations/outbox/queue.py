"""Putting emails in the outbox: a row in the caller's transaction, handed to the worker once it
commits; and handing over again what the broker lost, what a dead worker left sending, or what
has fallen due."""

import logging
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from conference.models import Session, SessionChange
from registrations.models import MeetingRequest, OutboundEmail, Registration, VisaLetterRequest
from registrations.outbox.recipients import Recipient
from registrations.outbox.rows import StatementBatch, rows_insert
from registrations.outbox.send import EMAIL_MAX_ATTEMPTS
from registrations.outbox.tasks import send_outbound_email

logger = logging.getLogger(__name__)

# The beat task hands a queued email to the worker again once it is this late.
EMAIL_STALLED_AFTER = timedelta(minutes=5)

# What an email still sending after the lease shows in the admin: the last attempt's outcome is
# unknown (the worker stopped before recording it), so the receiver may already have a copy.
EMAIL_UNCONFIRMED_ERROR = (
    "No result recorded: the worker stopped while sending; the mail server may have accepted it."
)


def outbound_email_queue(
    *,
    to: Recipient,
    kind: str,
    session: Session | None = None,
    session_change: SessionChange | None = None,
    visa_request: VisaLetterRequest | None = None,
    meeting_request: MeetingRequest | None = None,
) -> OutboundEmail:
    """Record an email in the caller's transaction and hand it to the worker once that
    commits."""
    email = outbound_email_new(
        to=to,
        kind=kind,
        session=session,
        session_change=session_change,
        visa_request=visa_request,
        meeting_request=meeting_request,
    )
    email.save()
    transaction.on_commit(lambda: outbound_email_enqueue(email.pk), robust=True)
    return email


def outbound_email_new(
    *,
    to: Recipient,
    kind: str,
    session: Session | None = None,
    session_change: SessionChange | None = None,
    visa_request: VisaLetterRequest | None = None,
    meeting_request: MeetingRequest | None = None,
) -> OutboundEmail:
    """The unsaved row of an email to queue, for outbound_emails_save."""
    return OutboundEmail(
        registration=to.registration,
        delegation=to.delegation,
        webhook_endpoint=to.webhook_endpoint,
        retention_schedule=to.retention_schedule,
        kind=kind,
        session=session,
        session_change=session_change,
        visa_request=visa_request,
        meeting_request=meeting_request or to.meeting_report,
        recipient=to.address,
        language=to.language,
        next_attempt_at=timezone.now(),
    )


def outbound_emails_save(
    emails: list[OutboundEmail], *, batch: StatementBatch | None = None
) -> None:
    """Record several emails in the caller's transaction, in one statement (a registration's
    status email and its reminder, under the conference lock; sent with `batch` if given); the
    queued ones are handed to the worker once that commits, the scheduled ones when they fall
    due."""
    if not emails:
        return

    def saved() -> None:
        for email in emails:
            if email.status == OutboundEmail.Status.QUEUED:
                transaction.on_commit(partial(_enqueue, email.pk), robust=True)

    rows_insert(emails, batch=batch, then=saved)


def _enqueue(email_id: int) -> None:
    # By name at commit, as outbound_email_queue's callback looks it up.
    outbound_email_enqueue(email_id)


def outbound_email_enqueue(email_id: int) -> None:

    try:
        send_outbound_email.apply_async(args=[email_id], retry=False)
    except Exception:
        # The broker is down. The row is saved; requeue_stalled_emails hands it over later.
        logger.warning(
            "email %s not handed to the broker; it stays queued", email_id, exc_info=True
        )


def outbound_email_retry(*, email: OutboundEmail) -> None:
    """An organiser asks for a failed email to be tried again."""
    with transaction.atomic():
        email = OutboundEmail.objects.select_for_update().get(pk=email.pk)
        # Only what failed is tried again: a sent email stays sent, and a withdrawn or scheduled
        # one must not go out (a cancelled delegate's reminder, an erased address).
        if email.status != OutboundEmail.Status.FAILED:
            return
        email.status = OutboundEmail.Status.QUEUED
        email.attempts = 0
        email.next_attempt_at = timezone.now()
        email.save(update_fields=["status", "attempts", "next_attempt_at"])
        transaction.on_commit(lambda: outbound_email_enqueue(email.pk), robust=True)


def reminder_schedule(registration: Registration, *, now: datetime) -> None:
    """Plan the reminder sent some days before the conference. It is a row with a due time,
    not a far-future Celery ETA: the beat task hands it over when it is due."""
    if registration_reminder_due(registration, now=now) is None:
        return
    if registration.emails.filter(
        kind=OutboundEmail.Kind.REMINDER,
        status__in=[
            OutboundEmail.Status.SCHEDULED,
            OutboundEmail.Status.QUEUED,
            OutboundEmail.Status.SENDING,
        ],
    ).exists():
        return
    reminder = reminder_new(registration, now=now)
    if reminder is not None:
        reminder.save()


def registration_reminder_due(registration: Registration, *, now: datetime) -> datetime | None:
    """When the reminder before the conference falls due; None without one, or once past."""
    conference = registration.conference
    if not conference.reminder_days_before:
        return None
    due = conference.starts_at - timedelta(days=conference.reminder_days_before)
    return due if due > now else None


def reminder_new(registration: Registration, *, now: datetime) -> OutboundEmail | None:
    """The unsaved reminder of a registration that has none (one created in this
    transaction), for outbound_emails_save; None when no reminder is due."""
    due = registration_reminder_due(registration, now=now)
    if due is None:
        return None
    return OutboundEmail(
        registration=registration,
        kind=OutboundEmail.Kind.REMINDER,
        status=OutboundEmail.Status.SCHEDULED,
        recipient=registration.email,
        language=registration.preferred_language,
        next_attempt_at=due,
    )


def outbound_emails_dispatch_due(*, now: datetime | None = None) -> int:
    """Hand the worker every scheduled email that is due. Each row is claimed by exactly one
    run, even when two runs overlap: they skip the rows the other has locked, and a claimed row
    is no longer scheduled."""
    now = now or timezone.now()
    with transaction.atomic():
        due = list(
            OutboundEmail.objects.select_for_update(skip_locked=True)
            .filter(status=OutboundEmail.Status.SCHEDULED, next_attempt_at__lte=now)
            .order_by("next_attempt_at", "pk")
            .values_list("pk", flat=True)[:500]
        )
        if not due:
            return 0
        # The address and language are those of the delegate now, not when it was planned.
        for email in OutboundEmail.objects.filter(pk__in=due).select_related("registration"):
            email.status = OutboundEmail.Status.QUEUED
            if email.registration is not None:
                email.recipient = email.registration.email
                email.language = email.registration.preferred_language
            email.next_attempt_at = now
            email.save(update_fields=["status", "recipient", "language", "next_attempt_at"])
        for email_id in due:
            transaction.on_commit(partial(outbound_email_enqueue, email_id), robust=True)
    logger.info("dispatched %s scheduled emails", len(due))
    return len(due)


def outbound_emails_requeue_stalled(*, now: datetime | None = None) -> int:
    """Hand the worker again every queued email that is overdue (the broker was down when it
    was queued, or its retry was lost), and every email still sending after the lease: its
    worker died before recording a result, maybe after the server accepted it. That one goes
    out again with the same Message-ID, so the receiver can drop a duplicate; once its attempts
    are spent it fails instead, for an organiser to look at."""
    now = now or timezone.now()
    lease = timedelta(seconds=settings.EMAIL_SENDING_LEASE_SECONDS)
    with transaction.atomic():
        # Rows being claimed or recorded right now are locked: skipped, they are not stalled.
        unconfirmed = list(
            OutboundEmail.objects.select_for_update(skip_locked=True)
            .filter(status=OutboundEmail.Status.SENDING, sending_started_at__lt=now - lease)
            .order_by("sending_started_at", "pk")[:500]
        )
        for email in unconfirmed:
            email.last_error = EMAIL_UNCONFIRMED_ERROR
            if email.attempts >= EMAIL_MAX_ATTEMPTS:
                email.status = OutboundEmail.Status.FAILED
                email.next_attempt_at = None
                logger.error(
                    "email %s failed: no result after %s attempts", email.pk, email.attempts
                )
            else:
                email.status = OutboundEmail.Status.QUEUED
                email.next_attempt_at = now
                logger.warning("email %s: no result recorded after the lease; sent again", email.pk)
            email.save(update_fields=["status", "next_attempt_at", "last_error"])
    resent = [email.pk for email in unconfirmed if email.status == OutboundEmail.Status.QUEUED]
    stalled = list(
        OutboundEmail.objects.filter(
            status=OutboundEmail.Status.QUEUED, next_attempt_at__lt=now - EMAIL_STALLED_AFTER
        ).values_list("pk", flat=True)[:500]
    )
    OutboundEmail.objects.filter(pk__in=stalled).update(next_attempt_at=now)
    handed_over = resent + stalled
    for email_id in handed_over:
        outbound_email_enqueue(email_id)
    if handed_over:
        logger.info("requeued %s stalled emails", len(handed_over))
    return len(handed_over)
