"""Organisers' messages to many delegates, through the outbox."""

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from registrations.errors import RegistrationError
from registrations.models import BulkEmail, OutboundEmail, Registration
from registrations.outbox.placeholders import bulk_placeholders_unknown, bulk_text_render
from registrations.outbox.queue import outbound_email_enqueue

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class BulkEmailPreview:
    """What a delegate who reads `language` gets: `fallback` when that language's text is
    empty and the other's stands in."""

    language: str
    language_name: str
    subject: str
    body: str
    fallback: bool


def bulk_email_previews(
    *,
    registration: Registration,
    subjects: Mapping[str, str],
    bodies: Mapping[str, str],
    personal_link: str,
) -> list[BulkEmailPreview]:
    """The message as one delegate would get it in each language of the site, chosen as the
    sending does (the model's fallback), before anything is saved."""
    message = BulkEmail(
        **{f"subject_{code}": text for code, text in subjects.items()},
        **{f"body_{code}": text for code, text in bodies.items()},
    )
    previews = []
    for code, name in settings.LANGUAGES:
        with translation.override(code):
            previews.append(
                BulkEmailPreview(
                    language=code,
                    language_name=str(name),
                    subject=bulk_text_render(
                        message.subject, registration=registration, personal_link=personal_link
                    ),
                    body=bulk_text_render(
                        message.body, registration=registration, personal_link=personal_link
                    ),
                    fallback=not (subjects.get(code) and bodies.get(code)),
                )
            )
    return previews


def bulk_email_send(
    *,
    registrations: Iterable[Registration],
    subjects: Mapping[str, str],
    bodies: Mapping[str, str],
    sent_by=None,
) -> BulkEmail:
    """Queue a message for each delegate (of one conference), through the outbox. `subjects`
    and `bodies` hold the text in each language (by code); each delegate gets the one of their
    language, or, where it is empty, the other's."""
    texts = [*subjects.values(), *bodies.values()]
    unknown = set().union(*(bulk_placeholders_unknown(text) for text in texts))
    if unknown:
        raise RegistrationError(
            gettext("Unknown placeholder: %(names)s") % {"names": ", ".join(sorted(unknown))}
        )
    if not any(subjects.values()) or not any(bodies.values()):
        raise RegistrationError(
            gettext("Write the subject and the message in one language at least.")
        )
    languages = {code for code, _name in settings.LANGUAGES}
    if not {*subjects, *bodies} <= languages:
        raise RegistrationError(gettext("Write the message in the site’s languages only."))
    recipients = [r for r in registrations if r.erased_at is None]
    conferences = {registration.conference_id for registration in recipients}
    if len(conferences) != 1:
        raise RegistrationError(gettext("Choose delegates of one conference at a time."))
    now = timezone.now()
    with transaction.atomic():
        bulk = BulkEmail.objects.create(
            conference_id=conferences.pop(),
            **{f"subject_{code}": text for code, text in subjects.items()},
            **{f"body_{code}": text for code, text in bodies.items()},
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
