"""What delegates do themselves from their personal link: change their details and sessions,
ask for a new link, erase their data."""

import logging
from collections.abc import Iterable
from datetime import datetime

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from conference.models import Conference, Session
from registrations.access.agenda import agenda_feed_retire
from registrations.access.links import management_links_revoke
from registrations.errors import ChangesClosedError, RegistrationError
from registrations.models import (
    ConsentRecord,
    OutboundEmail,
    Registration,
    WebhookEvent,
)
from registrations.network.data import network_data_erase
from registrations.outbox.queue import outbound_email_queue
from registrations.outbox.recipients import Recipient
from registrations.places.bookings import BookingChanges, session_bookings_replace
from registrations.places.locking import places_lock
from registrations.places.registrations import RegistrationData, email_normalise
from registrations.privacy.export_jobs import export_jobs_delete, export_jobs_holding
from registrations.privacy.schedule import privacy_notice_version
from registrations.privacy.travel_purge import travel_data_erase
from registrations.questions.answers import answers_delete
from registrations.webhooks.erasure import webhook_deliveries_scrub
from registrations.webhooks.events import webhook_event_record

logger = logging.getLogger(__name__)


def management_link_send(*, registration: Registration, revoke: bool = False) -> OutboundEmail:
    """Email the delegate a fresh personal link, after revoking the old ones if asked."""
    with transaction.atomic():
        if revoke:
            management_links_revoke(registration=registration)
        return outbound_email_queue(
            to=Recipient.delegate(registration), kind=OutboundEmail.Kind.MANAGEMENT_LINK
        )


def management_link_request(*, conference: Conference, email: str) -> bool:
    """ "Lost your link?": email one to the address if it holds an active registration. The
    answer is for tests and logs only; the page says the same either way."""
    email = email_normalise(email)
    # A cancelled delegate may still want to download or erase their data.
    candidates = conference.registrations.filter(email__iexact=email, erased_at=None)
    registration = (
        candidates.active().first() or candidates.order_by("-cancelled_at", "-pk").first()
    )
    delegation = conference.delegations.filter(coordinator_email__iexact=email).first()
    with transaction.atomic():
        if registration is not None:
            management_link_send(registration=registration)
        if delegation is not None:
            # The coordinator's email lists the delegation and carries its link.
            outbound_email_queue(
                to=Recipient.coordinator(delegation), kind=OutboundEmail.Kind.DELEGATION
            )
    return registration is not None or delegation is not None


def _lock_registration_for_change(registration: Registration, now: datetime) -> Registration:
    registration = places_lock(registration=registration).registration
    if not registration.is_active:
        raise RegistrationError(gettext("This registration is cancelled."))
    if not registration.conference.changes_are_open(now):
        raise ChangesClosedError(
            gettext("Changes are closed; please write to the organisers for any change.")
        )
    return registration


DETAIL_FIELDS = (
    "first_name",
    "last_name",
    "badge_name",
    "email",
    "job_title",
    "organisation",
    "phone",
    "preferred_language",
    "interpretation_language",
    "dietary_needs",
    "accessibility_needs",
)


def registration_update_details(
    *,
    registration: Registration,
    data: RegistrationData,
    special_needs_consent: bool,
    now: datetime | None = None,
) -> list[str]:
    """The delegate changes their own details. A new email address revokes the personal links
    and the agenda's address (they went to the old address), and both addresses are told.
    Returns the changed fields."""
    now = now or timezone.now()
    if (data.dietary_needs or data.accessibility_needs) and not special_needs_consent:
        raise RegistrationError(
            _("Dietary and accessibility needs can only be kept with your consent.")
        )
    with transaction.atomic():
        registration = _lock_registration_for_change(registration, now)
        old_email = registration.email
        values = {
            "first_name": data.first_name.strip(),
            "last_name": data.last_name.strip(),
            "badge_name": data.badge_name.strip(),
            "email": email_normalise(data.email),
            "job_title": data.job_title.strip(),
            "organisation": data.organisation.strip(),
            "phone": data.phone,
            "preferred_language": data.preferred_language,
            "interpretation_language": data.interpretation_language,
            "dietary_needs": data.dietary_needs.strip(),
            "accessibility_needs": data.accessibility_needs.strip(),
        }
        changed = [
            name for name in DETAIL_FIELDS if str(getattr(registration, name)) != str(values[name])
        ]
        if not changed:
            return []
        email_changed = values["email"] != old_email
        if email_changed and (
            registration.conference.registrations.active()
            .filter(email__iexact=values["email"])
            .exclude(pk=registration.pk)
            .exists()
        ):
            raise RegistrationError(gettext("This email address is already registered."))
        for name, value in values.items():
            setattr(registration, name, value)
        registration.full_clean(validate_constraints=False)
        try:
            with transaction.atomic():
                registration.save(update_fields=[*changed, "updated_at"])
        except IntegrityError as error:
            # The address was registered by someone else a moment ago: the unique index
            # decides, as under the conference lock that a sign-up holds.
            raise RegistrationError(gettext("This email address is already registered.")) from error
        webhook_event_record(
            WebhookEvent.REGISTRATION_UPDATED, registration=registration, changed_fields=changed
        )
        if (
            special_needs_consent
            and not registration.consents.filter(kind=ConsentRecord.Kind.SPECIAL_NEEDS).exists()
        ):
            ConsentRecord.objects.create(
                registration=registration,
                kind=ConsentRecord.Kind.SPECIAL_NEEDS,
                notice_version=privacy_notice_version(registration.conference),
                given_at=now,
            )
        if email_changed:
            management_links_revoke(registration=registration, now=now)
            # The agenda's address went to the old address too.
            agenda_feed_retire(registration=registration, new_address=True, now=now)
            outbound_email_queue(
                to=Recipient.delegate(registration, address=old_email),
                kind=OutboundEmail.Kind.DETAILS_CHANGED,
            )
        outbound_email_queue(
            to=Recipient.delegate(registration), kind=OutboundEmail.Kind.DETAILS_CHANGED
        )
    logger.info("registration %s: details changed (%s)", registration.pk, ", ".join(changed))
    return changed


def registration_change_sessions(
    *, registration: Registration, sessions: Iterable[Session], now: datetime | None = None
) -> BookingChanges:
    """The delegate changes their sessions themselves, until changes close; they are told."""
    now = now or timezone.now()
    with transaction.atomic():
        registration = _lock_registration_for_change(registration, now)
        changes = session_bookings_replace(registration, list(sessions), now=now)
        if changes.added or changes.removed:
            outbound_email_queue(
                to=Recipient.delegate(registration), kind=OutboundEmail.Kind.SESSIONS_CHANGED
            )
            webhook_event_record(
                WebhookEvent.REGISTRATION_UPDATED,
                registration=registration,
                changed_fields=["sessions"],
            )
    return changes


def _admin_log_scrub(registration: Registration) -> None:
    """The admin's history names the registration and its emails (object_repr) and may quote
    them in its messages: those entries keep the reference only. Entries that mention the
    delegate's address or full name elsewhere (a bulk message, another object) are scrubbed
    too. Called before the fields are erased, while they can still be searched for."""
    own = Q(
        content_type=ContentType.objects.get_for_model(Registration),
        object_id=str(registration.pk),
    ) | Q(
        content_type=ContentType.objects.get_for_model(OutboundEmail),
        object_id__in=[str(pk) for pk in registration.emails.values_list("pk", flat=True)],
    )
    mentions = Q(object_repr__icontains=registration.email) | Q(
        change_message__icontains=registration.email
    )
    full_name = f"{registration.first_name} {registration.last_name}".strip()
    if full_name:
        mentions |= Q(object_repr__icontains=full_name) | Q(change_message__icontains=full_name)
    LogEntry.objects.filter(own | mentions).update(
        object_repr=registration.reference, change_message=""
    )


def _export_jobs_delete_holding(registration: Registration) -> None:
    """Background export files may hold the delegate, needs included: the jobs that list them
    go, with their files, whatever their state (privacy.export_jobs). Older jobs cannot hold
    them. The files are removed once the erasure commits."""
    export_jobs_delete(export_jobs_holding([registration.pk], since=registration.created_at))


def registration_erase(*, registration: Registration, now: datetime | None = None) -> None:
    """Erase the personal data of a cancelled registration, at the delegate's request. What
    remains is anonymous: the reference, the authority, the category, the dates and the
    consent records (which say what was agreed, not by whom). The admin's history, the webhook
    deliveries and the background export files that may hold the delegate are scrubbed (the
    deliveries not sent yet withdrawn) and deleted."""
    now = now or timezone.now()
    with transaction.atomic():
        registration = places_lock(registration=registration).registration
        if registration.is_active:
            raise RegistrationError(gettext("Cancel the registration before erasing it."))
        if registration.erased_at is not None:
            return
        _admin_log_scrub(registration)
        _export_jobs_delete_holding(registration)
        # Identity data for site visits and visa requests (with their letters) go at once.
        travel_data_erase(registration)
        # Their directory entry and their meeting requests, sent and received.
        network_data_erase(registration)
        # Their answers to the conference's questions, and the files they sent.
        answers_delete(registration.answers.all())
        placeholder = f"erased-{registration.pk}@invalid"
        registration.first_name = registration.last_name = ""
        registration.email = placeholder
        registration.job_title = registration.organisation = registration.badge_name = ""
        registration.phone = ""
        registration.dietary_needs = registration.accessibility_needs = ""
        registration.erased_at = now
        registration.save()
        registration.management_links.all().delete()
        # Retired already by the cancellation, unless it came before feeds were retired.
        agenda_feed_retire(registration=registration, new_address=False, now=now)
        # The history holds earlier names and addresses: it goes too.
        registration.history.all().delete()
        registration.emails.exclude(status=OutboundEmail.Status.SENT).exclude(
            status=OutboundEmail.Status.FAILED
        ).update(status=OutboundEmail.Status.WITHDRAWN, next_attempt_at=None)
        registration.emails.update(recipient=placeholder, last_error="")
        # As the retention purge does: the payloads name them, the answers may quote them.
        webhook_deliveries_scrub(registration.webhook_deliveries.all())
    logger.info("registration %s: personal data erased", registration.pk)
