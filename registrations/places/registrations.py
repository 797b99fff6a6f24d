"""Registering a delegate: a place while places remain, the waiting list after that, or an
organiser's approval first; consent records; the email that says where they stand."""

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from conference.models import Conference, Session
from registrations.authorities.allotments import authority_places_refuse
from registrations.authorities.lookup import NewAuthority, authority_get_or_create_named
from registrations.errors import (
    AlreadyRegisteredError,
    BookingError,
    RegistrationClosedError,
    RegistrationError,
)
from registrations.models import (
    Authority,
    ConsentRecord,
    Delegation,
    OutboundEmail,
    Registration,
    WebhookEndpoint,
)
from registrations.outbox.queue import (
    outbound_email_new,
    outbound_email_queue,
    outbound_emails_save,
    reminder_new,
)
from registrations.outbox.recipients import Recipient
from registrations.outbox.rows import StatementBatch, rows_insert
from registrations.places.answers import SPECIAL_CONSENT_MESSAGE, answers_save_locked
from registrations.places.bookings import session_bookings_new, session_choice_check
from registrations.places.counters import place_counts_move
from registrations.places.inserts import (  # noqa: F401 (imported from here too)
    REFERENCE_ALPHABET,
    REFERENCE_LENGTH,
    registration_insert_locked,
    registration_reference_new,
    registration_save_with_reference,
)
from registrations.places.locking import SessionPlaces, conference_lock_and_read, places_lock
from registrations.places.sign_up_check import (
    AUTHORITY_PLACES_AND_ADDRESS_SQL,
    authority_places_and_address,
    authority_places_and_address_found,
    authority_places_and_address_params,
)
from registrations.privacy.schedule import privacy_notice_version
from registrations.questions.answers import AnswersInput, answer_files_guard
from registrations.webhooks.events import (
    webhook_creation_events,
    webhook_endpoints_active,
    webhook_event_record,
)

logger = logging.getLogger(__name__)

ALREADY_REGISTERED_COOLDOWN = timedelta(hours=1)


class SignUpTime:
    """How long each branch of a sign-up takes in this process lately (moving averages of the
    time and of its spread): a new registration, and a repeated sign-up of an address already
    registered. Each answer is held until the slower branch's usual time plus twice its spread,
    so that neither tells which it was by coming sooner: padding both to one mark a little above
    their averages keeps their medians together even when one branch's times are skewed (a mark
    at the mean alone would leave the faster half of the slower branch unpadded). Unlocked: a
    lost update between threads only makes an average a little less fresh."""

    WEIGHT = 0.2
    SPREADS = 2

    def __init__(self) -> None:
        self.seconds = {"new": 0.0, "repeated": 0.0}
        self.spread = {"new": 0.0, "repeated": 0.0}

    def record_and_pad(self, branch: str, seconds: float) -> None:
        average = self.seconds[branch]
        if average:
            self.spread[branch] = (1 - self.WEIGHT) * self.spread[branch] + self.WEIGHT * abs(
                seconds - average
            )
            self.seconds[branch] = (1 - self.WEIGHT) * average + self.WEIGHT * seconds
        else:
            self.seconds[branch] = seconds
        mark = max(self.seconds[name] + self.SPREADS * self.spread[name] for name in self.seconds)
        if mark > seconds:
            time.sleep(mark - seconds)


sign_up_time = SignUpTime()


@dataclass(frozen=True)
class RegistrationData:
    first_name: str
    last_name: str
    email: str
    job_title: str
    organisation: str = ""
    badge_name: str = ""
    phone: str = ""
    category: str = Registration.Category.DELEGATE
    preferred_language: str = Registration.Language.ENGLISH
    interpretation_language: str = ""
    dietary_needs: str = ""
    accessibility_needs: str = ""
    # The answers to the conference's questions, saved with the registration.
    answers: AnswersInput | None = None

    def has_special_needs(self) -> bool:
        """Does it hold what needs the special-needs consent: dietary or accessibility needs,
        answers to special-category questions?"""
        return bool(
            self.dietary_needs
            or self.accessibility_needs
            or (self.answers is not None and self.answers.has_special(self.category))
        )


@dataclass(frozen=True)
class RegistrationOutcome:
    registration: Registration
    # False when the email address was already registered: nothing new was created and the
    # existing registrant was sent a reminder instead.
    created: bool


def email_normalise(email: str) -> str:
    return email.strip().lower()


# The email that tells a delegate where their registration stands.
# Keyed by the status as a registration holds it: a plain string.
STATUS_EMAIL: dict[str, OutboundEmail.Kind] = {
    Registration.Status.PENDING: OutboundEmail.Kind.PENDING,
    Registration.Status.CONFIRMED: OutboundEmail.Kind.CONFIRMED,
    Registration.Status.WAITLISTED: OutboundEmail.Kind.WAITLISTED,
    Registration.Status.CANCELLED: OutboundEmail.Kind.CANCELLED,
    Registration.Status.REJECTED: OutboundEmail.Kind.REJECTED,
}


def registration_needs_approval(conference: Conference, authority: Authority) -> bool:
    """Delegates of member authorities are confirmed directly; with the conference's approval
    policy on, those of other or unreviewed authorities wait for an organiser."""
    return conference.approval_for_non_members and (
        not authority.is_member or authority.needs_review
    )


def newcomer_gets_place(conference: Conference) -> bool:
    """A newcomer is confirmed while places remain and nobody is waiting before them. The
    conference is the row as locked, whose counters are current."""
    return not conference.waitlisted_count and conference.confirmed_count < conference.capacity


def registration_create(
    *,
    conference: Conference,
    data: RegistrationData,
    authority: Authority | None = None,
    new_authority: NewAuthority | None = None,
    special_needs_consent: bool = False,
    sessions: Iterable[Session] = (),
    now: datetime | None = None,
    notify: bool = True,
    by_organiser: bool = False,
) -> RegistrationOutcome:
    """Register a delegate: confirmed while places remain, on the waiting list after that; with
    the sessions they chose booked, or their waiting lists joined, as session_bookings_set does.

    Without `notify`, the delegate is sent nothing (neither where they stand nor, later, the
    reminder): organisers who add or import delegates decide whom to tell. `by_organiser`: an
    organiser registers someone (the admin's form, an import). They may do so outside the
    public registration period, an address already registered is refused with a message
    instead of reminding its owner, and the answer is not padded (that hides from strangers
    which addresses are registered; organisers see the list)."""
    if (authority is None) == (new_authority is None):
        raise ValueError("give either an authority or a new authority")
    if data.has_special_needs() and not special_needs_consent:
        raise RegistrationError(
            _("Dietary and accessibility needs can only be kept with your consent.")
        )
    now = now or timezone.now()
    email = email_normalise(data.email)
    started = time.perf_counter()
    sessions = list(sessions)
    # Whatever does not depend on the counters is done before the lock that every
    # registration of the conference waits for: the new row built and validated, its consents,
    # the webhook endpoints to tell.
    draft = registration_draft(
        conference, data=data, consents=consent_kinds(special_needs_consent), now=now
    )

    # The sessions chosen are locked with the conference (in the same round trip, after it),
    # unless booking them is refused: then they are not locked, and the refusal comes where
    # it did, after the checks before it.
    early_session_ids: list[int] = []
    if sessions and authority is not None:
        try:
            session_choice_check(draft.registration, sessions)
            early_session_ids = sorted({session.pk for session in sessions})
        except BookingError:
            pass
    sessions_locked = None
    with answer_files_guard(), transaction.atomic():
        found = None
        if authority is None:
            conference = places_lock(conference=conference).conference
        else:
            # What is read first, with the lock: one round trip.
            conference, found, sessions_locked = conference_lock_and_read(
                conference,
                AUTHORITY_PLACES_AND_ADDRESS_SQL,
                authority_places_and_address_params(conference.pk, authority.pk, email),
                session_ids=early_session_ids,
            )
        if not by_organiser and not conference.registration_is_open(now):
            raise RegistrationClosedError(_("Registration for this conference is closed."))

        # The authority's places are checked before the address, whether or not it is
        # registered: a refusal for want of places must not tell which addresses are.
        if authority is None:
            assert new_authority is not None  # one of the two, checked on entry
            authority = authority_get_or_create_named(new_authority=new_authority)
            places_left, existing_id = authority_places_and_address(conference, authority, email)
        else:
            assert found is not None
            places_left, existing_id = authority_places_and_address_found(found)
        authority_places_refuse(authority, left=places_left, wanted=1)
        existing = None
        if existing_id is not None:
            existing = Registration.objects.get(pk=existing_id)
            existing.conference = conference
        if existing is not None and by_organiser:
            raise AlreadyRegisteredError(
                _("%(email)s is already registered (%(reference)s).")
                % {"email": email, "reference": existing.reference}
            )
        if existing is not None:
            already_registered_remind(existing, now=now)
        else:
            registration = registration_create_locked(
                conference,
                authority=authority,
                data=data,
                consents=draft.consent_kinds,
                sessions=sessions,
                now=now,
                notify=notify,
                draft=draft,
                sessions_locked=sessions_locked if early_session_ids else None,
            )
    if by_organiser:
        logger.info(
            "registration %s created as %s by an organiser", registration.pk, registration.status
        )
        return RegistrationOutcome(registration=registration, created=True)
    # The answer to a repeated sign-up must come neither sooner nor later than to a new one.
    # Padded once the outermost transaction commits (at once without one): callers wrap this in
    # their own atomic(), which keeps the conference locked until then, and a sleep under the
    # lock would make every other sign-up wait it out.
    branch = "repeated" if existing is not None else "new"
    transaction.on_commit(
        lambda: sign_up_time.record_and_pad(branch, time.perf_counter() - started)
    )
    if existing is not None:
        return RegistrationOutcome(registration=existing, created=False)
    logger.info("registration %s created as %s", registration.pk, registration.status)
    return RegistrationOutcome(registration=registration, created=True)


def already_registered_remind(existing: Registration, *, now: datetime) -> None:
    """Someone tried to register an address that already is: its owner is told, the page says
    nothing. Anyone can type someone else's address, so one reminder per cooldown; within it the
    reminder is still written to the outbox, withdrawn, so that both branches of a sign-up write
    an email row and take comparable time (and the organisers see the repeated attempts)."""
    reminded = existing.emails.filter(
        kind=OutboundEmail.Kind.ALREADY_REGISTERED,
        created_at__gte=now - ALREADY_REGISTERED_COOLDOWN,
    ).exclude(status=OutboundEmail.Status.WITHDRAWN)
    to = Recipient.delegate(existing)
    if reminded.exists():
        OutboundEmail.objects.create(
            registration=existing,
            kind=OutboundEmail.Kind.ALREADY_REGISTERED,
            recipient=to.address,
            language=to.language,
            status=OutboundEmail.Status.WITHDRAWN,
        )
    else:
        outbound_email_queue(to=to, kind=OutboundEmail.Kind.ALREADY_REGISTERED)
    logger.info("registration %s: repeated sign-up", existing.pk)


def consent_kinds(special_needs_consent: bool, *, given_by_coordinator: bool = False) -> list:
    kinds = [
        ConsentRecord.Kind.COORDINATOR_NOTICE
        if given_by_coordinator
        else ConsentRecord.Kind.PRIVACY_NOTICE
    ]
    if special_needs_consent:
        kinds.append(ConsentRecord.Kind.SPECIAL_NEEDS)
    return kinds


def registration_from_data(data: RegistrationData, **fields) -> Registration:
    """An unsaved registration holding what the delegate told, tidied."""
    return Registration(
        first_name=data.first_name.strip(),
        last_name=data.last_name.strip(),
        email=email_normalise(data.email),
        job_title=data.job_title.strip(),
        badge_name=data.badge_name.strip(),
        organisation=data.organisation.strip(),
        phone=data.phone,
        category=data.category,
        preferred_language=data.preferred_language,
        interpretation_language=data.interpretation_language,
        dietary_needs=data.dietary_needs.strip(),
        accessibility_needs=data.accessibility_needs.strip(),
        **fields,
    )


@dataclass(frozen=True)
class RegistrationDraft:
    """A new registration as far as it goes before the conference lock: built from what the
    delegate told and validated (its status, which the counters decide, set under the lock),
    its consent records, and the webhook endpoints that may hear of it."""

    registration: Registration
    consent_kinds: list[str]
    consents: list[ConsentRecord]
    endpoints: list[WebhookEndpoint]
    # What the validation found, raised when the registration is created, after the checks
    # that come first (registration closed, the authority's places, the address registered).
    invalid: ValidationError | None = None


def registration_draft(
    conference: Conference,
    *,
    data: RegistrationData,
    consents: list[str],
    now: datetime,
    delegation: Delegation | None = None,
    endpoints: list[WebhookEndpoint] | None = None,
) -> RegistrationDraft:
    """What registration_create_locked writes, prepared without the lock. The authority is
    not needed: the validation leaves it out, and a new one is made under the lock; nor is the
    delegation, which may be created under it too. `endpoints`: the conference's active
    webhook endpoints, read once for several drafts."""
    registration = registration_from_data(
        data, conference=conference, delegation=delegation, status=Registration.Status.PENDING
    )
    invalid: ValidationError | None = None
    try:
        registration_validate(registration)
    except ValidationError as error:
        invalid = error
    # As saving does, here rather than under the lock: the names do not change there.
    registration.set_name_keys()
    notice_version = privacy_notice_version(conference)
    return RegistrationDraft(
        registration=registration,
        consent_kinds=consents,
        consents=[
            ConsentRecord(
                registration=registration, kind=kind, notice_version=notice_version, given_at=now
            )
            for kind in consents
        ],
        endpoints=(
            webhook_endpoints_active(conference_id=conference.pk)
            if endpoints is None
            else endpoints
        ),
        invalid=invalid,
    )


def registration_create_locked(
    conference: Conference,
    *,
    authority: Authority,
    data: RegistrationData,
    consents: list[str],
    sessions: list[Session],
    now: datetime,
    delegation: Delegation | None = None,
    notify: bool = True,
    draft: RegistrationDraft | None = None,
    sessions_locked: dict[int, SessionPlaces] | None = None,
) -> Registration:
    """Create one registration; the caller holds the conference lock and has checked that the
    email is free and the authority has places left. Without `notify`, no email is queued
    (where the registration stands, the reminder). `draft`: the registration_draft of `data`
    and `consents`, made before the lock; made here without one. `sessions_locked`: the
    sessions' places as the caller locked them, after the conference."""
    if draft is None:
        draft = registration_draft(
            conference, data=data, consents=consents, now=now, delegation=delegation
        )
    if draft.invalid is not None:
        raise draft.invalid
    if registration_needs_approval(conference, authority):
        status = Registration.Status.PENDING
    elif newcomer_gets_place(conference):
        status = Registration.Status.CONFIRMED
    else:
        status = Registration.Status.WAITLISTED
    registration = draft.registration
    # The conference as locked, whose counters and settings are current.
    registration.conference = conference
    registration.authority = authority
    if delegation is not None:
        registration.delegation = delegation
    registration.status = status
    registration.confirmed_at = now if status == Registration.Status.CONFIRMED else None
    registration.waitlisted_at = now if status == Registration.Status.WAITLISTED else None
    # What follows the row goes in one round trip (two with sessions, locked with those before
    # them), not one a statement: every registration of the conference waits for each.
    batch = StatementBatch()
    registration_insert_locked(
        registration, conference.reference_prefix, batch=batch, name_keys_set=True
    )
    place_counts_move(conference, from_status=None, to_status=status, batch=batch)
    rows_insert(draft.consents, batch=batch)
    if sessions:
        session_bookings_new(registration, sessions, now=now, batch=batch, locked=sessions_locked)
    if data.answers is not None:
        if (
            data.answers.has_special(registration.category)
            and ConsentRecord.Kind.SPECIAL_NEEDS not in consents
        ):
            raise RegistrationError(str(SPECIAL_CONSENT_MESSAGE))
        batch.send()
        # The choices are locked after the sessions, as places_lock orders them.
        answers_save_locked(registration, data.answers, new=True)
    # The status email and the reminder in one statement; the new row has no reminder yet.
    emails: list[OutboundEmail | None] = []
    if notify:
        emails.append(
            outbound_email_new(to=Recipient.delegate(registration), kind=STATUS_EMAIL[status])
        )
        if status == Registration.Status.CONFIRMED:
            emails.append(reminder_new(registration, now=now))
    outbound_emails_save([email for email in emails if email is not None], batch=batch)
    batch.send()
    webhook_event_record(
        *webhook_creation_events(status), registration=registration, endpoints=draft.endpoints
    )
    return registration


def registration_validate(registration: Registration) -> None:
    """The fields' own validation before a new registration is saved, without the queries
    the database answers by itself: that the conference, authority and delegation exist (the
    rows are in hand, the foreign keys refuse others) and that the random agenda token is
    unused (its unique index refuses a clash). The reference is drawn when saving."""
    registration.full_clean(
        exclude=["reference", "conference", "authority", "delegation"],
        validate_unique=False,
        validate_constraints=False,
    )


def registration_resend_confirmation(*, registration: Registration) -> OutboundEmail:
    """Send again the email that describes where the registration stands now."""
    with transaction.atomic():
        return outbound_email_queue(
            to=Recipient.delegate(registration), kind=STATUS_EMAIL[registration.status]
        )
