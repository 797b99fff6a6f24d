"""Changes of where a registration stands: cancelled, reinstated, approved, rejected, promoted
from the waiting list."""

import logging
from datetime import datetime

from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from conference.models import Conference
from registrations.access.agenda import agenda_feed_retire, agenda_feed_unretire
from registrations.access.links import management_links_revoke
from registrations.authorities.allotments import authority_places_check
from registrations.errors import RegistrationError
from registrations.models import Answer, OutboundEmail, Registration, SessionBooking
from registrations.outbox.queue import outbound_email_queue, reminder_schedule
from registrations.outbox.recipients import Recipient
from registrations.places.bookings import (
    session_bookings_remove,
    sessions_rebalance,
    sessions_rebalance_locked,
)
from registrations.places.counters import registration_status_set
from registrations.places.locking import places_lock
from registrations.places.registrations import (
    STATUS_EMAIL,
    newcomer_gets_place,
    registration_needs_approval,
)
from registrations.questions.answers import choices_held

logger = logging.getLogger(__name__)


def registration_cancel(*, registration: Registration, now: datetime | None = None) -> Registration:
    """Cancel a registration: its place goes to the first on the conference's waiting list, and
    its session places to the first on each session's waiting list."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = places_lock(conference=registration.conference, registration=registration)
        conference, registration = locked.conference, locked.registration
        if not registration.is_active:
            return registration
        held_place = registration.status == Registration.Status.CONFIRMED
        # Before the bookings go: the retired feed cancels the events it held.
        agenda_feed_retire(registration=registration, new_address=False, now=now)
        registration_status_set(
            registration,
            Registration.Status.CANCELLED,
            conference=conference,
            fields={"cancelled_at": now},
        )
        promoted, sessions_to_fill = (
            waitlist_promote_locked(conference, now=now) if held_place else ([], set())
        )
        # Sessions are locked before any booking row is written, as everywhere else.
        freed = set(registration.bookings.values_list("session_id", flat=True))
        sessions = places_lock(session_ids=freed | sessions_to_fill).sessions
        session_bookings_remove(registration, freed, sessions=sessions)
        # The links sent so far stop working; the cancellation email brings a new one, with
        # which the delegate can still download or erase their data.
        management_links_revoke(registration=registration, now=now)
        reminders_withdraw(registration)
        outbound_email_queue(to=Recipient.delegate(registration), kind=OutboundEmail.Kind.CANCELLED)
        # The promoted delegates' email lists their sessions: no separate session emails.
        sessions_rebalance_locked(sessions, now=now, quiet_for={r.pk for r in promoted})
    logger.info("registration %s cancelled", registration.pk)
    return registration


def registration_reinstate(
    *, registration: Registration, now: datetime | None = None
) -> Registration:
    """An organiser takes back a cancellation: the registration gets a place, or joins the end
    of the waiting list, as a newcomer would (the authority's places checked as for one); one
    never approved that the conference's policy holds for approval waits for it again. The
    choices with a capacity its answers hold must have a seat left. The delegate is sent the
    email of where they now stand, with a new personal link. Sessions freed on cancelling are
    not given back: the delegate chooses again."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = places_lock(conference=registration.conference, registration=registration)
        conference, registration = locked.conference, locked.registration
        if registration.status != Registration.Status.CANCELLED:
            raise RegistrationError(
                _("%(reference)s is not cancelled.") % {"reference": registration.reference}
            )
        if registration.erased_at is not None:
            raise RegistrationError(
                _("%(reference)s cannot be reinstated: its personal data was erased.")
                % {"reference": registration.reference}
            )
        # Under the conference lock, which every new registration takes: nobody can take the
        # address between this look-up and the save.
        other = (
            conference.registrations.active()
            .annotate(email_lower=Lower("email"))
            .filter(email_lower=registration.email.lower())
            .first()
        )
        if other is not None:
            raise RegistrationError(
                _("%(reference)s cannot be reinstated: %(email)s is registered again as %(other)s.")
                % {
                    "reference": registration.reference,
                    "email": registration.email,
                    "other": other.reference,
                }
            )
        authority_places_check(conference, registration.authority, wanted=1)
        _choices_seats_check(registration)
        # Never approved (cancelled while pending, or before the policy applied to it): it
        # waits for an organiser again, as a newcomer of its authority would.
        needs_approval = registration.decided_at is None and registration_needs_approval(
            conference, registration.authority
        )
        has_place = not needs_approval and newcomer_gets_place(conference)
        if needs_approval:
            status = Registration.Status.PENDING
        elif has_place:
            status = Registration.Status.CONFIRMED
        else:
            status = Registration.Status.WAITLISTED
        registration_status_set(
            registration,
            status,
            conference=conference,
            fields={
                "cancelled_at": None,
                "confirmed_at": now if status == Registration.Status.CONFIRMED else None,
                "waitlisted_at": now if status == Registration.Status.WAITLISTED else None,
            },
        )
        agenda_feed_unretire(registration=registration)
        outbound_email_queue(to=Recipient.delegate(registration), kind=STATUS_EMAIL[status])
        if status == Registration.Status.CONFIRMED:
            reminder_schedule(registration, now=now)
    logger.info("registration %s reinstated as %s", registration.pk, registration.status)
    return registration


def _choices_seats_check(registration: Registration) -> None:
    """Refuse to reinstate a registration whose answers hold a choice with a capacity that
    filled up since it was cancelled (a cancelled registration's seats are free for others).
    The caller holds the conference and registration locks; the choices come after them."""
    limited = Answer.choices.through.objects.filter(
        answer__registration_id=registration.pk, questionchoice__capacity__isnull=False
    ).values_list("questionchoice_id", flat=True)
    choices = places_lock(choice_ids=limited).choices
    held = choices_held(choices)
    for pk in sorted(choices):
        choice = choices[pk]
        if choice.capacity is not None and held.get(pk, 0) >= choice.capacity:
            raise RegistrationError(
                _("%(reference)s cannot be reinstated: “%(choice)s” is full.")
                % {"reference": registration.reference, "choice": choice.label}
            )


def reminders_withdraw(registration: Registration) -> None:
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
        conference = places_lock(conference=conference).conference
        promoted, sessions_to_fill = waitlist_promote_locked(conference, now=now)
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
        locked = places_lock(conference=registration.conference, registration=registration)
        conference, registration = locked.conference, locked.registration
        if registration.status != Registration.Status.PENDING:
            return registration
        has_place = newcomer_gets_place(conference)
        registration_status_set(
            registration,
            Registration.Status.CONFIRMED if has_place else Registration.Status.WAITLISTED,
            conference=conference,
            fields={
                "confirmed_at": now if has_place else None,
                "waitlisted_at": None if has_place else now,
                "decided_at": now,
            },
        )
        outbound_email_queue(to=Recipient.delegate(registration), kind=OutboundEmail.Kind.APPROVED)
        if has_place:
            reminder_schedule(registration, now=now)
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
        registration = places_lock(registration=registration).registration
        if registration.status != Registration.Status.PENDING:
            return registration
        agenda_feed_retire(registration=registration, new_address=False, now=now)
        # Pending and rejected are not counted: no conference lock is needed.
        registration_status_set(
            registration,
            Registration.Status.REJECTED,
            conference=registration.conference,
            fields={"decided_at": now},
        )
        # Pending delegates hold no place: their session choices only waited.
        chosen = set(registration.bookings.values_list("session_id", flat=True))
        sessions = places_lock(session_ids=chosen).sessions
        session_bookings_remove(registration, chosen, sessions=sessions)
        management_links_revoke(registration=registration, now=now)
        reminders_withdraw(registration)
        outbound_email_queue(to=Recipient.delegate(registration), kind=OutboundEmail.Kind.REJECTED)
    logger.info("registration %s rejected", registration.pk)
    return registration


def waitlist_promote_locked(
    conference: Conference, *, now: datetime
) -> tuple[list[Registration], set[int]]:
    """Confirm waiting registrations while places remain (the conference row is locked).
    Returns them, and the sessions whose waiting lists they now count in."""
    free = conference.capacity - conference.confirmed_count
    if free <= 0:
        return [], set()
    promoted = list(
        conference.registrations.select_for_update(no_key=True)
        .filter(status=Registration.Status.WAITLISTED)
        .order_by("waitlisted_at", "pk")[:free]
    )
    for registration in promoted:
        registration_status_set(
            registration,
            Registration.Status.CONFIRMED,
            conference=conference,
            fields={"confirmed_at": now},
        )
        outbound_email_queue(to=Recipient.delegate(registration), kind=OutboundEmail.Kind.PROMOTED)
        reminder_schedule(registration, now=now)
        logger.info("registration %s promoted from the waiting list", registration.pk)
    sessions = set(
        SessionBooking.objects.filter(
            registration__in=promoted, status=SessionBooking.Status.WAITING
        ).values_list("session_id", flat=True)
    )
    return promoted, sessions
