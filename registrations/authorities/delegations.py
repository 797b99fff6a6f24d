"""Delegations: a coordinator registers their authority's delegates in one go, adds one later
or has a colleague take over a place."""

import logging
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from conference.models import Conference
from registrations.access.links import management_links_revoke
from registrations.authorities.allotments import authority_places_check
from registrations.authorities.lookup import NewAuthority, authority_get_or_create_named
from registrations.errors import ChangesClosedError, RegistrationClosedError, RegistrationError
from registrations.models import (
    Authority,
    ConsentRecord,
    Delegation,
    OutboundEmail,
    Registration,
    SessionBooking,
)
from registrations.outbox.queue import outbound_email_queue, reminder_schedule
from registrations.outbox.recipients import Recipient
from registrations.places.counters import place_counts_move, registration_status_set
from registrations.places.locking import places_lock
from registrations.places.registrations import (
    STATUS_EMAIL,
    RegistrationData,
    already_registered_remind,
    consent_kinds,
    email_normalise,
    registration_create_locked,
    registration_draft,
    registration_from_data,
    registration_save_with_reference,
)
from registrations.places.status import reminders_withdraw
from registrations.privacy.schedule import privacy_notice_version
from registrations.webhooks.events import (
    webhook_creation_events,
    webhook_endpoints_active,
    webhook_event_record,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Coordinator:
    first_name: str
    last_name: str
    email: str
    preferred_language: str = Registration.Language.ENGLISH


def delegation_register(
    *,
    conference: Conference,
    coordinator: Coordinator,
    members: list[RegistrationData],
    authority: Authority | None = None,
    new_authority: NewAuthority | None = None,
    now: datetime | None = None,
) -> Delegation:
    """A coordinator registers their authority's delegation in one go: each member (the
    coordinator among them if they attend) becomes a registration of their own, with their own
    email; the coordinator gets the link to the delegation's page. As on the individual form,
    a member whose address is already registered is not named to whoever fills the form: they
    are left out, and the owner of the address is told by email."""
    if (authority is None) == (new_authority is None):
        raise ValueError("give either an authority or a new authority")
    if not members:
        raise RegistrationError(gettext("Name at least one delegate."))
    now = now or timezone.now()
    # Each member built and validated, with their consents, before the lock that every
    # registration of the conference waits for (as registration_create does).
    consents = consent_kinds(False, given_by_coordinator=True)
    endpoints = webhook_endpoints_active(conference_id=conference.pk)
    drafts = [
        registration_draft(conference, data=member, consents=consents, now=now, endpoints=endpoints)
        for member in members
    ]
    with transaction.atomic():
        conference = places_lock(conference=conference).conference
        if not conference.registration_is_open(now):
            raise RegistrationClosedError(_("Registration for this conference is closed."))
        if authority is None:
            assert new_authority is not None  # one of the two, checked on entry
            authority = authority_get_or_create_named(new_authority=new_authority)
        if conference.delegations.filter(authority=authority).exists():
            raise RegistrationError(
                gettext(
                    "A delegation of %(authority)s is already registered. Its coordinator can "
                    "add delegates from their personal link."
                )
                % {"authority": authority.name}
            )
        _check_repeated_emails([member.email for member in members])
        # Every delegate named counts against the places, registered or not: an answer that
        # depended on who is registered would tell the form's user (see the docstring).
        authority_places_check(conference, authority, wanted=len(members))
        registered = {
            registration.email_lower: registration
            for registration in conference.registrations.active()
            .annotate(email_lower=Lower("email"))
            .filter(email_lower__in=[email_normalise(member.email) for member in members])
        }
        for registration in registered.values():
            already_registered_remind(registration, now=now)
        drafted = [
            (member, draft)
            for member, draft in zip(members, drafts, strict=True)
            if email_normalise(member.email) not in registered
        ]
        members = [member for member, _draft in drafted]
        delegation = Delegation.objects.create(
            conference=conference,
            authority=authority,
            coordinator_first_name=coordinator.first_name.strip(),
            coordinator_last_name=coordinator.last_name.strip(),
            coordinator_email=email_normalise(coordinator.email),
            coordinator_language=coordinator.preferred_language,
        )
        # The limited choices all members want, locked at once in ascending id (places_lock's
        # order), not member by member in the order of the form.
        choice_ids = {
            pk
            for member in members
            if member.answers is not None
            for pk in member.answers.limited_choice_ids(member.category)
        }
        if choice_ids:
            places_lock(choice_ids=choice_ids)
        for member, draft in drafted:
            registration_create_locked(
                conference,
                authority=authority,
                data=member,
                consents=consents,
                sessions=[],
                now=now,
                delegation=delegation,
                draft=draft,
            )
        outbound_email_queue(
            to=Recipient.coordinator(delegation), kind=OutboundEmail.Kind.DELEGATION
        )
    logger.info("delegation %s registered with %s members", delegation.pk, len(members))
    return delegation


def _check_repeated_emails(emails: list[str]) -> None:
    emails = [email_normalise(email) for email in emails]
    repeated = sorted({email for email in emails if emails.count(email) > 1})
    if repeated:
        raise RegistrationError(
            gettext("Each delegate needs their own email address: %(emails)s")
            % {"emails": ", ".join(repeated)}
        )


def _check_free_emails(conference: Conference, emails: list[str]) -> None:
    """For a coordinator who followed their personal link: the addresses they typed that are
    already registered are named to them."""
    _check_repeated_emails(emails)
    emails = [email_normalise(email) for email in emails]
    taken = sorted(
        conference.registrations.active()
        .annotate(email_lower=Lower("email"))
        .filter(email_lower__in=emails)
        .values_list("email_lower", flat=True)
    )
    if taken:
        raise RegistrationError(
            gettext("Already registered: %(emails)s") % {"emails": ", ".join(taken)}
        )


def delegation_add_member(
    *, delegation: Delegation, data: RegistrationData, now: datetime | None = None
) -> Registration:
    now = now or timezone.now()
    consents = consent_kinds(False, given_by_coordinator=True)
    # Built and validated before the conference lock, as registration_create does.
    draft = registration_draft(
        delegation.conference, data=data, consents=consents, now=now, delegation=delegation
    )
    with transaction.atomic():
        conference = places_lock(conference=delegation.conference).conference
        if not conference.registration_is_open(now):
            raise RegistrationClosedError(_("Registration for this conference is closed."))
        _check_free_emails(conference, [data.email])
        authority_places_check(conference, delegation.authority, wanted=1)
        registration = registration_create_locked(
            conference,
            authority=delegation.authority,
            data=data,
            consents=consents,
            sessions=[],
            now=now,
            delegation=delegation,
            draft=draft,
        )
    logger.info("delegation %s: member %s added", delegation.pk, registration.pk)
    return registration


def delegation_substitute(
    *, registration: Registration, data: RegistrationData, now: datetime | None = None
) -> Registration:
    """A colleague takes over a delegate's place: the same status and place in the waiting
    list, the same session bookings. Both are told by email."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = places_lock(conference=registration.conference, registration=registration)
        conference, old = locked.conference, locked.registration
        if not old.is_active:
            raise RegistrationError(gettext("This registration is cancelled."))
        if not conference.changes_are_open(now):
            raise ChangesClosedError(
                gettext("Changes are closed; please write to the organisers for any change.")
            )
        _check_free_emails(conference, [data.email])
        new = registration_from_data(
            data,
            conference=conference,
            authority=old.authority,
            delegation=old.delegation,
            status=old.status,
            confirmed_at=old.confirmed_at,
            waitlisted_at=old.waitlisted_at,
        )
        # The old registration goes first, so that the new one never counts twice.
        registration_status_set(
            old, Registration.Status.CANCELLED, conference=conference, fields={"cancelled_at": now}
        )
        new.full_clean(exclude=["reference"], validate_constraints=False)
        registration_save_with_reference(new, conference.reference_prefix)
        place_counts_move(conference, from_status=None, to_status=new.status)
        webhook_event_record(*webhook_creation_events(new.status), registration=new, now=now)
        ConsentRecord.objects.create(
            registration=new,
            kind=ConsentRecord.Kind.COORDINATOR_NOTICE,
            notice_version=privacy_notice_version(conference),
            given_at=now,
        )
        places_lock(session_ids=old.bookings.values_list("session_id", flat=True))
        SessionBooking.objects.filter(registration=old).update(registration=new)
        management_links_revoke(registration=old, now=now)
        reminders_withdraw(old)
        outbound_email_queue(to=Recipient.delegate(old), kind=OutboundEmail.Kind.SUBSTITUTED)
        outbound_email_queue(to=Recipient.delegate(new), kind=STATUS_EMAIL[new.status])
        if new.status == Registration.Status.CONFIRMED:
            reminder_schedule(new, now=now)
    logger.info("registration %s replaced by %s", old.pk, new.pk)
    return new
