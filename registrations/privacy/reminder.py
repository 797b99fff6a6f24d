"""Organisers are told, through the outbox, some days before a conference's final purge, so
that they can export what they still need (the aggregate figures survive it)."""

import datetime
import logging

from django.db import transaction

from conference.models import Conference
from registrations.models import OutboundEmail, RetentionSchedule
from registrations.outbox.queue import outbound_email_queue
from registrations.outbox.recipients import Recipient
from registrations.privacy.schedule import retention_deadlines, retention_schedule_for

logger = logging.getLogger(__name__)


def final_purge_reminders_send(
    *, now: datetime.datetime, conferences: list[Conference] | None = None
) -> int:
    """Email the organisers of each conference whose final purge is near (FINAL_PURGE_NOTICE
    ahead) and who have not been told: once per conference, even with two runs at once (the
    schedule row is locked, and marked in the same transaction). Returns how many were told."""
    told = 0
    for conference in conferences if conferences is not None else Conference.objects.all():
        deadlines = retention_deadlines(conference)
        if not deadlines.final_purge_reminder <= now < deadlines.identifying:
            continue
        schedule = retention_schedule_for(conference)
        with transaction.atomic():
            schedule = RetentionSchedule.objects.select_for_update().get(pk=schedule.pk)
            if schedule.final_purge_reminded_at is not None:
                continue
            outbound_email_queue(
                to=Recipient.organisers_of_schedule(schedule),
                kind=OutboundEmail.Kind.FINAL_PURGE_REMINDER,
            )
            # A plain update: the schedule's promise is unchanged, so is its version.
            RetentionSchedule.objects.filter(pk=schedule.pk).update(final_purge_reminded_at=now)
        told += 1
        logger.info("conference %s: organisers told of the final purge", conference.pk)
    return told
