"""Every write and every business rule of registrations lives here. Views, forms, admin actions,
tasks and commands call these functions, so each rule exists once."""

import hashlib
import logging
import re
import secrets
import smtplib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from conference.models import Conference, Session
from registrations.models import (
    PRIVACY_NOTICE_VERSION,
    Authority,
    AuthorityAllotment,
    BulkEmail,
    ConsentRecord,
    Delegation,
    ManagementLink,
    OutboundEmail,
    Registration,
    SessionBooking,
    authority_name_key,
)

logger = logging.getLogger(__name__)

# Letters and digits that cannot be mistaken for one another when read aloud or typed from paper.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
REFERENCE_LENGTH = 5

EMAIL_MAX_ATTEMPTS = 8
ALREADY_REGISTERED_COOLDOWN = timedelta(hours=1)
# The beat task hands a queued email to the worker again once it is this late.
EMAIL_STALLED_AFTER = timedelta(minutes=5)


class RegistrationError(Exception):
    """A rule refused the change; the message is fit to show to the person who asked."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class RegistrationClosed(RegistrationError):
    pass


@dataclass(frozen=True)
class NewAuthority:
    """A city or region named by a delegate because it was not in the list."""

    name: str
    country: str
    kind: str = Authority.Kind.MUNICIPALITY


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


@dataclass(frozen=True)
class RegistrationOutcome:
    registration: Registration
    # False when the email address was already registered: nothing new was created and the
    # existing registrant was sent a reminder instead.
    created: bool


def normalise_email(email: str) -> str:
    return email.strip().lower()


# --- Authorities ----------------------------------------------------------------------------


def authority_get_or_create_named(*, new_authority: NewAuthority) -> Authority:
    """The authority a delegate named, matched ignoring case and accents within its country;
    a new one is created for organiser review."""
    key = authority_name_key(new_authority.name)
    existing = Authority.objects.filter(country=new_authority.country, name_key=key).first()
    if existing:
        return existing
    authority = Authority(
        name=new_authority.name,
        country=new_authority.country,
        kind=new_authority.kind,
        is_member=False,
        needs_review=True,
    )
    authority.full_clean(exclude=["name_key"], validate_unique=False)
    try:
        with transaction.atomic():
            authority.save()
    except IntegrityError:
        # Named at the same moment by a colleague: theirs stands.
        return Authority.objects.get(country=new_authority.country, name_key=key)
    logger.info("authority %s created for review", authority.pk)
    return authority


# --- Registrations --------------------------------------------------------------------------


def _new_reference(prefix: str) -> str:
    suffix = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))
    return f"{prefix}-{suffix}"


def _save_with_unique_reference(registration: Registration, prefix: str) -> None:
    # 31^5 ≈ 28 million references per prefix: a clash is rare, and the unique index decides.
    for _attempt in range(10):
        registration.reference = _new_reference(prefix)
        if Registration.objects.filter(reference=registration.reference).exists():
            continue
        try:
            with transaction.atomic():
                registration.save()
            return
        except IntegrityError:
            if Registration.objects.filter(reference=registration.reference).exists():
                continue
            raise
    raise RuntimeError("could not find a free registration reference")


def _lock_conference(conference: Conference) -> Conference:
    """Every change to who holds a place starts here: the conference row is the capacity lock."""
    return Conference.objects.select_for_update(no_key=True).get(pk=conference.pk)


def _confirmed_count(conference: Conference) -> int:
    return conference.registrations.filter(status=Registration.Status.CONFIRMED).count()


# The email that tells a delegate where their registration stands.
STATUS_EMAIL = {
    Registration.Status.PENDING: OutboundEmail.Kind.PENDING,
    Registration.Status.CONFIRMED: OutboundEmail.Kind.CONFIRMED,
    Registration.Status.WAITLISTED: OutboundEmail.Kind.WAITLISTED,
    Registration.Status.CANCELLED: OutboundEmail.Kind.CANCELLED,
    Registration.Status.REJECTED: OutboundEmail.Kind.REJECTED,
}


def needs_approval(conference: Conference, authority: Authority) -> bool:
    """Delegates of member authorities are confirmed directly; with the conference's approval
    policy on, those of other or unreviewed authorities wait for an organiser."""
    return conference.approval_for_non_members and (
        not authority.is_member or authority.needs_review
    )


def _newcomer_gets_place(conference: Conference, *, confirmed: int, anyone_waiting: bool) -> bool:
    """A newcomer is confirmed while places remain and nobody is waiting before them."""
    return not anyone_waiting and confirmed < conference.capacity


def registration_create(
    *,
    conference: Conference,
    data: RegistrationData,
    authority: Authority | None = None,
    new_authority: NewAuthority | None = None,
    special_needs_consent: bool = False,
    sessions: Iterable[Session] = (),
    now: datetime | None = None,
) -> RegistrationOutcome:
    """Register a delegate: confirmed while places remain, on the waiting list after that; with
    the sessions they chose booked, or their waiting lists joined, as session_bookings_set does."""
    if (authority is None) == (new_authority is None):
        raise ValueError("give either an authority or a new authority")
    if (data.dietary_needs or data.accessibility_needs) and not special_needs_consent:
        raise RegistrationError(
            _("Dietary and accessibility needs can only be kept with your consent.")
        )
    now = now or timezone.now()
    email = normalise_email(data.email)

    with transaction.atomic():
        conference = _lock_conference(conference)
        if not conference.registration_is_open(now):
            raise RegistrationClosed(_("Registration for this conference is closed."))

        existing = conference.registrations.active().filter(email__iexact=email).first()
        if existing is not None:
            _remind_already_registered(existing, now=now)
            return RegistrationOutcome(registration=existing, created=False)

        if authority is None:
            authority = authority_get_or_create_named(new_authority=new_authority)
        _check_places_of_authority(conference, authority, wanted=1)
        registration = _register_locked(
            conference,
            authority=authority,
            data=data,
            consents=_consent_kinds(special_needs_consent),
            sessions=list(sessions),
            now=now,
        )
    logger.info("registration %s created as %s", registration.pk, registration.status)
    return RegistrationOutcome(registration=registration, created=True)


def _remind_already_registered(existing: Registration, *, now: datetime) -> None:
    """Someone tried to register an address that already is: its owner is told, the page says
    nothing. Anyone can type someone else's address, so one reminder per cooldown."""
    reminded = existing.emails.filter(
        kind=OutboundEmail.Kind.ALREADY_REGISTERED,
        created_at__gte=now - ALREADY_REGISTERED_COOLDOWN,
    ).exists()
    if not reminded:
        outbound_email_queue(registration=existing, kind=OutboundEmail.Kind.ALREADY_REGISTERED)
    logger.info("registration %s: repeated sign-up", existing.pk)


def _consent_kinds(special_needs_consent: bool, *, given_by_coordinator: bool = False) -> list:
    kinds = [
        ConsentRecord.Kind.COORDINATOR_NOTICE
        if given_by_coordinator
        else ConsentRecord.Kind.PRIVACY_NOTICE
    ]
    if special_needs_consent:
        kinds.append(ConsentRecord.Kind.SPECIAL_NEEDS)
    return kinds


def _registration_from_data(data: RegistrationData, **fields) -> Registration:
    """An unsaved registration holding what the delegate told, tidied."""
    return Registration(
        first_name=data.first_name.strip(),
        last_name=data.last_name.strip(),
        email=normalise_email(data.email),
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


def _register_locked(
    conference: Conference,
    *,
    authority: Authority,
    data: RegistrationData,
    consents: list[str],
    sessions: list[Session],
    now: datetime,
    delegation: Delegation | None = None,
) -> Registration:
    """Create one registration; the caller holds the conference lock and has checked that the
    email is free and the authority has places left."""
    if needs_approval(conference, authority):
        status = Registration.Status.PENDING
    elif _newcomer_gets_place(
        conference,
        confirmed=_confirmed_count(conference),
        anyone_waiting=conference.registrations.filter(
            status=Registration.Status.WAITLISTED
        ).exists(),
    ):
        status = Registration.Status.CONFIRMED
    else:
        status = Registration.Status.WAITLISTED
    registration = _registration_from_data(
        data,
        conference=conference,
        authority=authority,
        delegation=delegation,
        status=status,
        confirmed_at=now if status == Registration.Status.CONFIRMED else None,
        waitlisted_at=now if status == Registration.Status.WAITLISTED else None,
    )
    registration.full_clean(exclude=["reference"], validate_constraints=False)
    _save_with_unique_reference(registration, conference.reference_prefix)
    ConsentRecord.objects.bulk_create(
        ConsentRecord(
            registration=registration,
            kind=kind,
            notice_version=PRIVACY_NOTICE_VERSION,
            given_at=now,
        )
        for kind in consents
    )
    if sessions:
        _bookings_replace(registration, sessions, now=now)
    outbound_email_queue(registration=registration, kind=STATUS_EMAIL[status])
    if status == Registration.Status.CONFIRMED:
        _schedule_reminder(registration, now=now)
    return registration


# --- Places per authority and delegations ---------------------------------------------------


class AuthorityFull(RegistrationError):
    pass


def authority_places(conference: Conference, authority: Authority) -> int | None:
    """How many delegates the authority may register; None when there is no limit."""
    allotment = AuthorityAllotment.objects.filter(
        conference=conference, authority=authority
    ).first()
    return allotment.places if allotment else conference.default_allotment


def authority_places_left(conference: Conference, authority: Authority) -> int | None:
    places = authority_places(conference, authority)
    if places is None:
        return None
    used = conference.registrations.active().filter(authority=authority).count()
    return max(places - used, 0)


def _check_places_of_authority(
    conference: Conference, authority: Authority, *, wanted: int
) -> None:
    # Called under the conference lock, so two coordinators cannot both take the last place.
    left = authority_places_left(conference, authority)
    if left is not None and wanted > left:
        raise AuthorityFull(
            ngettext(
                "%(authority)s has %(left)d place left at this conference.",
                "%(authority)s has %(left)d places left at this conference.",
                left,
            )
            % {"authority": authority.name, "left": left}
        )


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
    with transaction.atomic():
        conference = _lock_conference(conference)
        if not conference.registration_is_open(now):
            raise RegistrationClosed(_("Registration for this conference is closed."))
        if authority is None:
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
        registered = {
            registration.email_lower: registration
            for registration in conference.registrations.active()
            .annotate(email_lower=Lower("email"))
            .filter(email_lower__in=[normalise_email(member.email) for member in members])
        }
        for registration in registered.values():
            _remind_already_registered(registration, now=now)
        members = [m for m in members if normalise_email(m.email) not in registered]
        _check_places_of_authority(conference, authority, wanted=len(members))
        delegation = Delegation.objects.create(
            conference=conference,
            authority=authority,
            coordinator_first_name=coordinator.first_name.strip(),
            coordinator_last_name=coordinator.last_name.strip(),
            coordinator_email=normalise_email(coordinator.email),
            coordinator_language=coordinator.preferred_language,
        )
        for member in members:
            _register_locked(
                conference,
                authority=authority,
                data=member,
                consents=_consent_kinds(False, given_by_coordinator=True),
                sessions=[],
                now=now,
                delegation=delegation,
            )
        outbound_email_queue(delegation=delegation, kind=OutboundEmail.Kind.DELEGATION)
    logger.info("delegation %s registered with %s members", delegation.pk, len(members))
    return delegation


def _check_repeated_emails(emails: list[str]) -> None:
    emails = [normalise_email(email) for email in emails]
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
    emails = [normalise_email(email) for email in emails]
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
    with transaction.atomic():
        conference = _lock_conference(delegation.conference)
        if not conference.registration_is_open(now):
            raise RegistrationClosed(_("Registration for this conference is closed."))
        _check_free_emails(conference, [data.email])
        _check_places_of_authority(conference, delegation.authority, wanted=1)
        registration = _register_locked(
            conference,
            authority=delegation.authority,
            data=data,
            consents=_consent_kinds(False, given_by_coordinator=True),
            sessions=[],
            now=now,
            delegation=delegation,
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
        conference = _lock_conference(registration.conference)
        old = Registration.objects.select_for_update(no_key=True).get(pk=registration.pk)
        if not old.is_active:
            raise RegistrationError(gettext("This registration is cancelled."))
        if not conference.changes_are_open(now):
            raise ChangesClosed(
                gettext("Changes are closed; please write to the organisers for any change.")
            )
        _check_free_emails(conference, [data.email])
        new = _registration_from_data(
            data,
            conference=conference,
            authority=old.authority,
            delegation=old.delegation,
            status=old.status,
            confirmed_at=old.confirmed_at,
            waitlisted_at=old.waitlisted_at,
        )
        # The old registration goes first, so that the new one never counts twice.
        old.status = Registration.Status.CANCELLED
        old.cancelled_at = now
        old.save(update_fields=["status", "cancelled_at", "updated_at"])
        new.full_clean(exclude=["reference"], validate_constraints=False)
        _save_with_unique_reference(new, conference.reference_prefix)
        ConsentRecord.objects.create(
            registration=new,
            kind=ConsentRecord.Kind.COORDINATOR_NOTICE,
            notice_version=PRIVACY_NOTICE_VERSION,
            given_at=now,
        )
        _lock_sessions(old.bookings.values_list("session_id", flat=True))
        SessionBooking.objects.filter(registration=old).update(registration=new)
        management_links_revoke(registration=old, now=now)
        _withdraw_reminders(old)
        outbound_email_queue(registration=old, kind=OutboundEmail.Kind.SUBSTITUTED)
        outbound_email_queue(registration=new, kind=STATUS_EMAIL[new.status])
        if new.status == Registration.Status.CONFIRMED:
            _schedule_reminder(new, now=now)
    logger.info("registration %s replaced by %s", old.pk, new.pk)
    return new


@dataclass(frozen=True)
class ImportedRegistration:
    authority: Authority
    data: RegistrationData
    special_needs_consent: bool = False


def registrations_import(
    *,
    conference: Conference,
    entries: Iterable[ImportedRegistration],
    registered_at: datetime,
    batch_size: int = 2000,
) -> int:
    """Write many registrations at once (demo data, imports) under the rules of
    registration_create: pending approval for non-members, confirmed while places remain, then
    the waiting list; consent records;
    emails already registered are skipped. No email is queued: whoever imports decides whom to
    tell. Returns how many were added."""
    with transaction.atomic():
        conference = _lock_conference(conference)
        registrations = conference.registrations.all()
        known_emails = {email.lower() for email in registrations.values_list("email", flat=True)}
        taken_references = set(
            Registration.objects.filter(
                reference__startswith=f"{conference.reference_prefix}-"
            ).values_list("reference", flat=True)
        )
        confirmed = _confirmed_count(conference)
        anyone_waiting = registrations.filter(status=Registration.Status.WAITLISTED).exists()

        added = 0
        batch: list[tuple[Registration, bool]] = []
        for entry in entries:
            data = entry.data
            email = normalise_email(data.email)
            if email in known_emails:
                continue
            if (data.dietary_needs or data.accessibility_needs) and not entry.special_needs_consent:
                raise RegistrationError(
                    _("Dietary and accessibility needs can only be kept with your consent.")
                )
            known_emails.add(email)
            if needs_approval(conference, entry.authority):
                status = Registration.Status.PENDING
            elif _newcomer_gets_place(
                conference, confirmed=confirmed, anyone_waiting=anyone_waiting
            ):
                status = Registration.Status.CONFIRMED
                confirmed += 1
            else:
                status = Registration.Status.WAITLISTED
                anyone_waiting = True
            reference = _new_reference(conference.reference_prefix)
            while reference in taken_references:
                reference = _new_reference(conference.reference_prefix)
            taken_references.add(reference)
            registration = _registration_from_data(
                data,
                conference=conference,
                authority=entry.authority,
                reference=reference,
                status=status,
                confirmed_at=registered_at if status == Registration.Status.CONFIRMED else None,
                waitlisted_at=registered_at if status == Registration.Status.WAITLISTED else None,
            )
            batch.append((registration, entry.special_needs_consent))
            if len(batch) == batch_size:
                added += _write_imported(batch, registered_at=registered_at)
                batch = []
        if batch:
            added += _write_imported(batch, registered_at=registered_at)
    logger.info("conference %s: %s registrations imported", conference.pk, added)
    return added


def _write_imported(batch: list[tuple[Registration, bool]], *, registered_at: datetime) -> int:
    registrations = Registration.objects.bulk_create([registration for registration, _ in batch])
    ConsentRecord.objects.bulk_create(
        ConsentRecord(
            registration=registration,
            kind=kind,
            notice_version=PRIVACY_NOTICE_VERSION,
            given_at=registered_at,
        )
        for registration, special_needs_consent in batch
        for kind in (
            [ConsentRecord.Kind.PRIVACY_NOTICE, ConsentRecord.Kind.SPECIAL_NEEDS]
            if special_needs_consent
            else [ConsentRecord.Kind.PRIVACY_NOTICE]
        )
    )
    # created_at is auto_now_add, which bulk_create cannot set.
    Registration.objects.filter(pk__in=[registration.pk for registration in registrations]).update(
        created_at=registered_at, updated_at=registered_at
    )
    return len(registrations)


def registration_cancel(*, registration: Registration, now: datetime | None = None) -> Registration:
    """Cancel a registration: its place goes to the first on the conference's waiting list, and
    its session places to the first on each session's waiting list."""
    now = now or timezone.now()
    with transaction.atomic():
        conference = _lock_conference(registration.conference)
        registration = Registration.objects.select_for_update(no_key=True).get(pk=registration.pk)
        if not registration.is_active:
            return registration
        held_place = registration.status == Registration.Status.CONFIRMED
        registration.status = Registration.Status.CANCELLED
        registration.cancelled_at = now
        registration.save(update_fields=["status", "cancelled_at", "updated_at"])
        promoted, sessions_to_fill = (
            _promote_registrations(conference, now=now) if held_place else ([], set())
        )
        # Sessions are locked before any booking row is written, as everywhere else.
        freed = set(registration.bookings.values_list("session_id", flat=True))
        locked = _lock_sessions(freed | sessions_to_fill)
        registration.bookings.all().delete()
        # The links sent so far stop working; the cancellation email brings a new one, with
        # which the delegate can still download or erase their data.
        management_links_revoke(registration=registration, now=now)
        _withdraw_reminders(registration)
        outbound_email_queue(registration=registration, kind=OutboundEmail.Kind.CANCELLED)
        # The promoted delegates' email lists their sessions: no separate session emails.
        _rebalance_locked(locked, now=now, quiet_for={r.pk for r in promoted})
    logger.info("registration %s cancelled", registration.pk)
    return registration


def _withdraw_reminders(registration: Registration) -> None:
    """Reminders not sent yet are void once the delegate no longer comes."""
    registration.emails.filter(
        kind=OutboundEmail.Kind.REMINDER,
        status__in=[OutboundEmail.Status.SCHEDULED, OutboundEmail.Status.QUEUED],
    ).update(status=OutboundEmail.Status.WITHDRAWN, next_attempt_at=None)


def waitlist_promote(*, conference: Conference, now: datetime | None = None) -> list[Registration]:
    """Give free places to the conference's waiting list, first come first served. Called when
    a place frees up or when organisers raise the capacity."""
    now = now or timezone.now()
    with transaction.atomic():
        conference = _lock_conference(conference)
        promoted, sessions_to_fill = _promote_registrations(conference, now=now)
        sessions_rebalance(
            session_ids=sessions_to_fill, now=now, quiet_for={r.pk for r in promoted}
        )
    return promoted


def registration_approve(
    *, registration: Registration, now: datetime | None = None
) -> Registration:
    """An organiser accepts a pending registration: it takes a place, or joins the waiting
    list when the conference is full."""
    now = now or timezone.now()
    with transaction.atomic():
        conference = _lock_conference(registration.conference)
        registration = Registration.objects.select_for_update(no_key=True).get(pk=registration.pk)
        if registration.status != Registration.Status.PENDING:
            return registration
        has_place = _newcomer_gets_place(
            conference,
            confirmed=_confirmed_count(conference),
            anyone_waiting=conference.registrations.filter(
                status=Registration.Status.WAITLISTED
            ).exists(),
        )
        registration.status = (
            Registration.Status.CONFIRMED if has_place else Registration.Status.WAITLISTED
        )
        registration.confirmed_at = now if has_place else None
        registration.waitlisted_at = None if has_place else now
        registration.decided_at = now
        registration.save(
            update_fields=["status", "confirmed_at", "waitlisted_at", "decided_at", "updated_at"]
        )
        outbound_email_queue(registration=registration, kind=OutboundEmail.Kind.APPROVED)
        if has_place:
            _schedule_reminder(registration, now=now)
            sessions_rebalance(
                session_ids=registration.bookings.values_list("session_id", flat=True),
                now=now,
                quiet_for={registration.pk},
            )
    logger.info("registration %s approved as %s", registration.pk, registration.status)
    return registration


def registration_reject(*, registration: Registration, now: datetime | None = None) -> Registration:
    """An organiser turns down a pending registration; the delegate is told."""
    now = now or timezone.now()
    with transaction.atomic():
        registration = Registration.objects.select_for_update(no_key=True).get(pk=registration.pk)
        if registration.status != Registration.Status.PENDING:
            return registration
        registration.status = Registration.Status.REJECTED
        registration.decided_at = now
        registration.save(update_fields=["status", "decided_at", "updated_at"])
        # Pending delegates hold no place: their session choices only waited.
        _lock_sessions(registration.bookings.values_list("session_id", flat=True))
        registration.bookings.all().delete()
        management_links_revoke(registration=registration, now=now)
        _withdraw_reminders(registration)
        outbound_email_queue(registration=registration, kind=OutboundEmail.Kind.REJECTED)
    logger.info("registration %s rejected", registration.pk)
    return registration


def _promote_registrations(
    conference: Conference, *, now: datetime
) -> tuple[list[Registration], set[int]]:
    """Confirm waiting registrations while places remain (the conference row is locked).
    Returns them, and the sessions whose waiting lists they now count in."""
    free = conference.capacity - _confirmed_count(conference)
    if free <= 0:
        return [], set()
    promoted = list(
        conference.registrations.select_for_update(no_key=True)
        .filter(status=Registration.Status.WAITLISTED)
        .order_by("waitlisted_at", "pk")[:free]
    )
    for registration in promoted:
        registration.status = Registration.Status.CONFIRMED
        registration.confirmed_at = now
        registration.save(update_fields=["status", "confirmed_at", "updated_at"])
        outbound_email_queue(registration=registration, kind=OutboundEmail.Kind.PROMOTED)
        _schedule_reminder(registration, now=now)
        logger.info("registration %s promoted from the waiting list", registration.pk)
    sessions = set(
        SessionBooking.objects.filter(
            registration__in=promoted, status=SessionBooking.Status.WAITING
        ).values_list("session_id", flat=True)
    )
    return promoted, sessions


# --- Session bookings -----------------------------------------------------------------------
#
# Lock order, everywhere: the conference row, then registration rows, then session rows all at
# once in ascending id. Transactions that lock several registrations hold the conference lock
# first; those without it lock a single registration. Rows are locked FOR NO KEY UPDATE, which
# still lets other transactions insert rows that refer to them (an outbox email to a delegate
# whose row another transaction holds), so foreign keys add no waits of their own.


class BookingError(RegistrationError):
    pass


def session_clashes(sessions: Iterable[Session]) -> list[tuple[Session, Session]]:
    """Pairs of sessions that overlap in time, earliest first."""
    ordered = sorted(sessions, key=lambda session: (session.starts_at, session.pk or 0))
    clashes = []
    for index, first in enumerate(ordered):
        for second in ordered[index + 1 :]:
            if second.starts_at >= first.ends_at:
                break
            clashes.append((first, second))
    return clashes


def session_clash_message(clashes: list[tuple[Session, Session]]) -> str:
    return " ".join(
        gettext("“%(first)s” and “%(second)s” take place at the same time.")
        % {"first": first.title, "second": second.title}
        for first, second in clashes
    )


def _check_choice(registration: Registration, sessions: list[Session]) -> None:
    for session in sessions:
        if session.conference_id != registration.conference_id or not session.requires_sign_up:
            raise BookingError(
                gettext("“%(session)s” cannot be booked.") % {"session": session.title}
            )
    clashes = session_clashes(sessions)
    if clashes:
        raise BookingError(session_clash_message(clashes))


@dataclass(frozen=True)
class BookingChanges:
    added: list[SessionBooking]
    removed: list[Session]


def session_bookings_set(
    *, registration: Registration, sessions: Iterable[Session], now: datetime | None = None
) -> BookingChanges:
    """Make the delegate's sessions exactly `sessions`: a place in each while places remain,
    else a place in its waiting list. Only confirmed delegates hold places; the waiting-list
    entries of others count once their registration is confirmed. Sessions must not overlap."""
    now = now or timezone.now()
    with transaction.atomic():
        registration = Registration.objects.select_for_update(no_key=True).get(pk=registration.pk)
        if not registration.is_active:
            raise BookingError(gettext("This registration is cancelled."))
        return _bookings_replace(registration, list(sessions), now=now)


def _bookings_replace(
    registration: Registration, sessions: list[Session], *, now: datetime
) -> BookingChanges:
    _check_choice(registration, sessions)
    current = {booking.session_id: booking for booking in registration.bookings.all()}
    wanted = {session.pk for session in sessions}
    removed_ids = current.keys() - wanted
    added_ids = wanted - current.keys()
    if not removed_ids and not added_ids:
        return BookingChanges(added=[], removed=[])
    locked = _lock_sessions(removed_ids | added_ids)
    SessionBooking.objects.filter(registration=registration, session_id__in=removed_ids).delete()
    # New choices join the back of the waiting list; the rebalance below then gives them a
    # place if nobody eligible is ahead of them.
    SessionBooking.objects.bulk_create(
        SessionBooking(
            registration=registration, session_id=session_id, status=SessionBooking.Status.WAITING
        )
        for session_id in sorted(added_ids)
    )
    _rebalance_locked(locked, now=now, quiet_for={registration.pk})
    added = list(registration.bookings.filter(session_id__in=added_ids).select_related("session"))
    return BookingChanges(added=added, removed=[locked[pk] for pk in sorted(removed_ids)])


def _lock_sessions(session_ids: Iterable[int]) -> dict[int, Session]:
    sessions = (
        Session.objects.select_for_update(of=("self",), no_key=True)
        .select_related("room")
        .filter(pk__in=set(session_ids))
        .order_by("pk")
    )
    return {session.pk: session for session in sessions}


def sessions_rebalance(
    *,
    session_ids: Iterable[int],
    now: datetime | None = None,
    quiet_for: Iterable[int] = (),
) -> None:
    """Fill the free places of these sessions from their waiting lists: after a cancellation,
    a confirmation, a raised capacity. Delegates in `quiet_for` get no email about it: they are
    being told about their registration, which lists their sessions, in the same breath."""
    session_ids = set(session_ids)
    if not session_ids:
        return
    with transaction.atomic():
        _rebalance_locked(
            _lock_sessions(session_ids), now=now or timezone.now(), quiet_for=set(quiet_for)
        )


def _rebalance_locked(
    sessions: dict[int, Session], *, now: datetime, quiet_for: set[int] = frozenset()
) -> None:
    """Give each free place to the first confirmed delegate in the waiting list, and tell them
    (except the registrations in `quiet_for`, who see the result otherwise)."""
    for session in sessions.values():
        waiting = SessionBooking.objects.filter(
            session=session,
            status=SessionBooking.Status.WAITING,
            registration__status=Registration.Status.CONFIRMED,
        ).order_by("created_at", "pk")
        capacity = session.effective_capacity
        if capacity is not None:
            booked = session.bookings.filter(status=SessionBooking.Status.BOOKED).count()
            waiting = waiting[: max(capacity - booked, 0)]
        for booking in waiting.select_related("registration"):
            booking.status = SessionBooking.Status.BOOKED
            booking.booked_at = now
            booking.save(update_fields=["status", "booked_at"])
            if booking.registration_id not in quiet_for:
                outbound_email_queue(
                    registration=booking.registration,
                    kind=OutboundEmail.Kind.SESSION_PROMOTED,
                    session=session,
                )
                logger.info("booking %s promoted from the session waiting list", booking.pk)


def session_moved_notify(*, session: Session) -> int:
    """Tell every delegate holding a place or waiting in a session that it has moved."""
    with transaction.atomic():
        bookings = list(
            session.bookings.exclude(
                registration__status__in=Registration.INACTIVE_STATUSES
            ).select_related("registration")
        )
        for booking in bookings:
            outbound_email_queue(
                registration=booking.registration,
                kind=OutboundEmail.Kind.SESSION_MOVED,
                session=session,
            )
    return len(bookings)


def registration_resend_confirmation(*, registration: Registration) -> OutboundEmail:
    """Send again the email that describes where the registration stands now."""
    with transaction.atomic():
        return outbound_email_queue(
            registration=registration, kind=STATUS_EMAIL[registration.status]
        )


# --- Self-service: personal links, details, erasure -------------------------------------------

# Links stay valid this long after the last day, for certificates and data requests.
MANAGEMENT_LINK_GRACE = timedelta(days=60)


class ChangesClosed(RegistrationError):
    pass


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def management_link_issue(
    *, registration: Registration | None = None, delegation: Delegation | None = None
) -> str:
    """A new personal link for a delegate, or for a delegation's coordinator; returns its
    token, which is stored only hashed."""
    conference = (registration or delegation).conference
    token = secrets.token_urlsafe(32)
    ManagementLink.objects.create(
        registration=registration,
        delegation=delegation,
        token_hash=_token_hash(token),
        expires_at=conference.ends_at + MANAGEMENT_LINK_GRACE,
    )
    return token


def management_link_resolve(*, token: str, now: datetime | None = None) -> ManagementLink | None:
    """The valid link with this token, if any; records its use."""
    now = now or timezone.now()
    link = (
        ManagementLink.objects.select_related("registration")
        .filter(token_hash=_token_hash(token))
        .first()
    )
    if link is None or not link.is_valid(now):
        return None
    if link.registration is not None and link.registration.erased_at is not None:
        return None
    ManagementLink.objects.filter(pk=link.pk).update(last_used_at=now)
    return link


def management_links_revoke(*, registration: Registration, now: datetime | None = None) -> int:
    return ManagementLink.objects.filter(registration=registration, revoked_at=None).update(
        revoked_at=now or timezone.now()
    )


def management_link_send(*, registration: Registration, revoke: bool = False) -> OutboundEmail:
    """Email the delegate a fresh personal link, after revoking the old ones if asked."""
    with transaction.atomic():
        if revoke:
            management_links_revoke(registration=registration)
        return outbound_email_queue(
            registration=registration, kind=OutboundEmail.Kind.MANAGEMENT_LINK
        )


def management_link_request(*, conference: Conference, email: str) -> bool:
    """ "Lost your link?": email one to the address if it holds an active registration. The
    answer is for tests and logs only; the page says the same either way."""
    email = normalise_email(email)
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
            outbound_email_queue(delegation=delegation, kind=OutboundEmail.Kind.DELEGATION)
    return registration is not None or delegation is not None


def _lock_registration_for_change(registration: Registration, now: datetime) -> Registration:
    registration = (
        Registration.objects.select_for_update(no_key=True, of=("self",))
        .select_related("conference")
        .get(pk=registration.pk)
    )
    if not registration.is_active:
        raise RegistrationError(gettext("This registration is cancelled."))
    if not registration.conference.changes_are_open(now):
        raise ChangesClosed(
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
    (they went to the old address), and both addresses are told. Returns the changed fields."""
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
            "email": normalise_email(data.email),
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
        registration.save(update_fields=[*changed, "updated_at"])
        if (
            special_needs_consent
            and not registration.consents.filter(kind=ConsentRecord.Kind.SPECIAL_NEEDS).exists()
        ):
            ConsentRecord.objects.create(
                registration=registration,
                kind=ConsentRecord.Kind.SPECIAL_NEEDS,
                notice_version=PRIVACY_NOTICE_VERSION,
                given_at=now,
            )
        if email_changed:
            management_links_revoke(registration=registration, now=now)
            outbound_email_queue(
                registration=registration,
                kind=OutboundEmail.Kind.DETAILS_CHANGED,
                recipient=old_email,
            )
        outbound_email_queue(registration=registration, kind=OutboundEmail.Kind.DETAILS_CHANGED)
    logger.info("registration %s: details changed (%s)", registration.pk, ", ".join(changed))
    return changed


def registration_change_sessions(
    *, registration: Registration, sessions: Iterable[Session], now: datetime | None = None
) -> BookingChanges:
    """The delegate changes their sessions themselves, until changes close; they are told."""
    now = now or timezone.now()
    with transaction.atomic():
        registration = _lock_registration_for_change(registration, now)
        changes = _bookings_replace(registration, list(sessions), now=now)
        if changes.added or changes.removed:
            outbound_email_queue(
                registration=registration, kind=OutboundEmail.Kind.SESSIONS_CHANGED
            )
    return changes


def registration_erase(*, registration: Registration, now: datetime | None = None) -> None:
    """Erase the personal data of a cancelled registration, at the delegate's request. What
    remains is anonymous: the reference, the authority, the category, the dates and the
    consent records (which say what was agreed, not by whom)."""
    now = now or timezone.now()
    with transaction.atomic():
        registration = Registration.objects.select_for_update(no_key=True).get(pk=registration.pk)
        if registration.is_active:
            raise RegistrationError(gettext("Cancel the registration before erasing it."))
        if registration.erased_at is not None:
            return
        placeholder = f"erased-{registration.pk}@invalid"
        registration.first_name = registration.last_name = ""
        registration.email = placeholder
        registration.job_title = registration.organisation = registration.badge_name = ""
        registration.phone = ""
        registration.dietary_needs = registration.accessibility_needs = ""
        registration.erased_at = now
        registration.save()
        registration.management_links.all().delete()
        # The history holds earlier names and addresses: it goes too.
        registration.history.all().delete()
        registration.emails.exclude(status=OutboundEmail.Status.SENT).exclude(
            status=OutboundEmail.Status.FAILED
        ).update(status=OutboundEmail.Status.WITHDRAWN, next_attempt_at=None)
        registration.emails.update(recipient=placeholder, last_error="")
    logger.info("registration %s: personal data erased", registration.pk)


# --- Messages from the organisers to many delegates ------------------------------------------

# Placeholders organisers may use in a message, filled in for each delegate.
BULK_PLACEHOLDERS = {
    "first_name": lambda registration: registration.first_name,
    "last_name": lambda registration: registration.last_name,
    "reference": lambda registration: registration.reference,
    "authority": lambda registration: registration.authority.name,
    "conference": lambda registration: registration.conference.name,
}
PERSONAL_LINK_PLACEHOLDER = "personal_link"
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def bulk_placeholders_unknown(text: str) -> set[str]:
    known = {*BULK_PLACEHOLDERS, PERSONAL_LINK_PLACEHOLDER}
    return {name for name in _PLACEHOLDER.findall(text) if name not in known}


def bulk_text_render(text: str, *, registration: Registration, personal_link: str) -> str:
    """The text with each {placeholder} filled in for this delegate; other braces stay."""

    def fill(match: re.Match) -> str:
        name = match.group(1)
        if name == PERSONAL_LINK_PLACEHOLDER:
            return personal_link
        if name in BULK_PLACEHOLDERS:
            return str(BULK_PLACEHOLDERS[name](registration))
        return match.group(0)

    return _PLACEHOLDER.sub(fill, text)


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
            transaction.on_commit(lambda email_id=email.pk: _enqueue_send(email_id), robust=True)
    logger.info("bulk email %s queued for %s delegates", bulk.pk, len(recipients))
    return bulk


# --- The outbox -----------------------------------------------------------------------------


def outbound_email_queue(
    *,
    kind: str,
    registration: Registration | None = None,
    delegation: Delegation | None = None,
    session: Session | None = None,
    recipient: str | None = None,
) -> OutboundEmail:
    """Record an email in the caller's transaction and hand it to the worker once that commits.
    It goes to the delegate (or the delegation's coordinator) unless `recipient` says
    otherwise."""
    if registration is not None:
        address, language = registration.email, registration.preferred_language
    else:
        address, language = delegation.coordinator_email, delegation.coordinator_language
    email = OutboundEmail.objects.create(
        registration=registration,
        delegation=delegation,
        kind=kind,
        session=session,
        recipient=recipient or address,
        language=language,
        next_attempt_at=timezone.now(),
    )
    transaction.on_commit(lambda: _enqueue_send(email.pk), robust=True)
    return email


def _enqueue_send(email_id: int) -> None:
    # Imported here: tasks import this module.
    from registrations.tasks import send_outbound_email

    try:
        send_outbound_email.apply_async(args=[email_id], retry=False)
    except Exception:
        # The broker is down. The row is saved; requeue_stalled_emails hands it over later.
        logger.warning(
            "email %s not handed to the broker; it stays queued", email_id, exc_info=True
        )


class TemporaryEmailError(Exception):
    def __init__(self, retry_in: int):
        super().__init__(f"temporary failure, retry in {retry_in} s")
        self.retry_in = retry_in


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
    # Imported here so that the model layer never needs the mail layer.
    from registrations.emails import build_message

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
        if email.kind == OutboundEmail.Kind.REMINDER and not email.registration.is_active:
            email.status = OutboundEmail.Status.WITHDRAWN
            email.next_attempt_at = None
            email.save(update_fields=["status", "next_attempt_at"])
            return email
        email.attempts += 1
        try:
            build_message(email).send()
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
        transaction.on_commit(lambda: _enqueue_send(email.pk), robust=True)


def _schedule_reminder(registration: Registration, *, now: datetime) -> None:
    """Plan the reminder sent some days before the conference. It is a row with a due time,
    not a far-future Celery ETA: the beat task hands it over when it is due."""
    conference = registration.conference
    if not conference.reminder_days_before:
        return
    due = conference.starts_at - timedelta(days=conference.reminder_days_before)
    if due <= now:
        return
    if registration.emails.filter(
        kind=OutboundEmail.Kind.REMINDER,
        status__in=[OutboundEmail.Status.SCHEDULED, OutboundEmail.Status.QUEUED],
    ).exists():
        return
    OutboundEmail.objects.create(
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
            transaction.on_commit(lambda email_id=email_id: _enqueue_send(email_id), robust=True)
    logger.info("dispatched %s scheduled emails", len(due))
    return len(due)


def outbound_emails_requeue_stalled(*, now: datetime | None = None) -> int:
    """Hand the worker again every queued email that is overdue: the broker was down when it
    was queued, a worker died holding it, or its retry was lost."""
    now = now or timezone.now()
    stalled = list(
        OutboundEmail.objects.filter(
            status=OutboundEmail.Status.QUEUED, next_attempt_at__lt=now - EMAIL_STALLED_AFTER
        ).values_list("pk", flat=True)[:500]
    )
    if not stalled:
        return 0
    OutboundEmail.objects.filter(pk__in=stalled).update(next_attempt_at=now)
    for email_id in stalled:
        _enqueue_send(email_id)
    logger.info("requeued %s stalled emails", len(stalled))
    return len(stalled)
