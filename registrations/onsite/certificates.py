"""Who attended, and the service that emails their certificates of attendance."""

import logging

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet

from conference.models import Conference
from registrations.models import CheckIn, OutboundEmail, Registration
from registrations.outbox.queue import outbound_email_queue
from registrations.outbox.recipients import Recipient
from registrations.places.locking import places_lock

logger = logging.getLogger(__name__)


def desk_check_ins(registration) -> QuerySet[CheckIn]:
    # Only the arrival at the desk counts, and only while it stands (not undone).
    return CheckIn.objects.filter(
        registration=registration, session__isnull=True, undone_at__isnull=True
    )


def registration_attended(registration: Registration) -> bool:
    return desk_check_ins(registration).exists()


def certificates_send(*, conference: Conference) -> int:
    """Queues a certificate for every delegate checked in at the desk who has not had one;
    returns how many. Running it again sends only to those checked in since."""
    with transaction.atomic():
        # Locked so that two organisers sending at once queue each certificate once.
        places_lock(conference=conference)
        registrations = list(
            conference.registrations.filter(
                Exists(desk_check_ins(OuterRef("pk"))),
                ~Exists(
                    OutboundEmail.objects.filter(
                        registration=OuterRef("pk"), kind=OutboundEmail.Kind.CERTIFICATE
                    )
                ),
                erased_at__isnull=True,
            ).order_by("pk")
        )
        for registration in registrations:
            outbound_email_queue(
                to=Recipient.delegate(registration), kind=OutboundEmail.Kind.CERTIFICATE
            )
    logger.info("conference %s: %s certificates queued", conference.pk, len(registrations))
    return len(registrations)
