"""Organisers' messages to many delegates, through the outbox."""

import logging
from collections.abc import Iterable
from functools import partial

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from registrations.errors import RegistrationError
from registrations.models import BulkEmail, OutboundEmail, Registration
from registrations.outbox.placeholders import bulk_placeholders_unknown
from registrations.outbox.queue import outbound_email_enqueue

logger = logging.getLogger(__name__)


def bulk_email_send(
    *,
    registrations: Iterable[Registration],
    subject: str,
    body: str,
    sent_by=None,
) -> BulkEmail:
    """Queue a message for each delegate (of one conference), through the outbox."""
    unknown = bulk_placeholders_unknown(subject) | bulk_placeholders_unknown(body)
    if unknown:
        raise RegistrationError(
            gettext("Unknown placeholder: %(names)s") % {"names": ", ".join(sorted(unknown))}
        )
    recipients = [r for r in registrations if r.erased_at is None]
    conferences = {registration.conference_id for registration in recipients}
    if len(conferences) != 1:
        raise RegistrationError(gettext("Choose delegates of one conference at a time."))
    now = timezone.now()
    with transaction.atomic():
        bulk = BulkEmail.objects.create(
            conference_id=conferences.pop(),
            subject=subject,
            body=body,
            sent_by=sent_by,
            recipient_count=len(recipients),
        )
        emails = OutboundEmail.objects.bulk_create(
            OutboundEmail(
                registration=registration,
                kind=OutboundEmail.Kind.BULK,
                bulk_email=bulk,
                recipient=registration.email,
                language=registration.preferred_language,
                next_attempt_at=now,
            )
            for registration in recipients
        )
        for email in emails:
            transaction.on_commit(partial(outbound_email_enqueue, email.pk), robust=True)
    logger.info("bulk email %s queued for %s delegates", bulk.pk, len(recipients))
    return bulk
