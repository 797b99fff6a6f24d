"""Session bookings: a place in each chosen session while places remain, its waiting list after
that; sessions that clash in time; filling freed places."""

import logging
from collections import Counter
from collections.abc import Iterable, Mapping, Set
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from conference.models import Session, SessionChange
from registrations.errors import BookingError, SessionFullError
from registrations.models import OutboundEmail, Registration, SessionBooking, WebhookEvent
from registrations.outbox.queue import outbound_email_queue
from registrations.outbox.recipients import Recipient
from registrations.outbox.rows import StatementBatch, rows_insert
from registrations.places.audience import session_audience
from registrations.places.counters import session_places_freed, session_places_move
from registrations.places.locking import (
    SessionPlaces,
    places_lock,
    registration_touch,
    session_places_lock,
)
from registrations.travel.identity import visit_identities_forget
from registrations.webhooks.events import webhook_event_record

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)


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


def session_choice_check(registration: Registration, sessions: list[Session]) -> None:
    """Raise BookingError unless the registration may book these sessions: of its conference,
    open to sign-up, none at the same time as another."""
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
        registration = places_lock(registration=registration).registration
        if not registration.is_active:
            raise BookingError(gettext("This registration is cancelled."))
        return session_bookings_replace(registration, list(sessions), now=now)


def session_booking_add(
    *,
    registration: Registration,
    session: Session,
    now: datetime | None = None,
    waiting_list: bool = True,
    over_capacity: bool = False,
    by: "User | None" = None,
    notify: bool = False,
) -> tuple[SessionBooking, bool]:
    """Book one more session, keeping the delegate's others: a place while places remain, its
    waiting list after that. Returns the booking and whether it is new. The current bookings
    are read under the registration's lock, so that a change made meanwhile (the delegate on
    their page) is kept, not undone.

    An organiser's booking (`by`) may refuse the waiting list (`waiting_list=False`: a full
    session raises SessionFullError), or give a confirmed delegate a place in a full session
    (`over_capacity=True`, for holders of BOOK_OVER_CAPACITY, which the caller checks),
    recorded in the registration's history. `notify` tells the delegate their sessions
    changed, as their own change on their page does."""
    now = now or timezone.now()
    with transaction.atomic():
        registration = places_lock(registration=registration).registration
        if not registration.is_active:
            raise BookingError(gettext("This registration is cancelled."))
        current = list(Session.objects.filter(bookings__registration=registration))
        created = session.pk not in {held.pk for held in current}
        if created:
            session_bookings_replace(registration, [*current, session], now=now)
        booking = registration.bookings.select_related("session").get(session=session)
        placed = _place_when_full(
            registration,
            booking,
            waiting_list=waiting_list,
            over_capacity=over_capacity,
            by=by,
            now=now,
        )
        if notify and (created or placed):
            _sessions_changed_tell(registration)
    return booking, created


def session_booking_move(
    *,
    registration: Registration,
    session_id: int,
    to: Session,
    now: datetime | None = None,
    waiting_list: bool = True,
    over_capacity: bool = False,
    by: "User | None" = None,
    notify: bool = False,
) -> SessionBooking:
    """Move the delegate from one of their sessions to another in one step: the place they
    leave goes to its waiting list, the new session is booked as session_booking_add books it
    (clashes checked against their other sessions; `waiting_list`, `over_capacity`, `by` and
    `notify` as there). When the new session refuses them, they keep the old one."""
    now = now or timezone.now()
    with transaction.atomic():
        registration = places_lock(registration=registration).registration
        if not registration.is_active:
            raise BookingError(gettext("This registration is cancelled."))
        current = list(Session.objects.filter(bookings__registration=registration))
        held = {session.pk for session in current}
        if session_id not in held:
            raise BookingError(gettext("This session is not among the delegate's sessions."))
        if to.pk in held:
            raise BookingError(
                gettext("“%(session)s” is already among the delegate's sessions.")
                % {"session": to.title}
            )
        session_bookings_replace(
            registration, [*[held for held in current if held.pk != session_id], to], now=now
        )
        booking = registration.bookings.select_related("session").get(session=to)
        # Raising here undoes the move, the freed place given away included.
        _place_when_full(
            registration,
            booking,
            waiting_list=waiting_list,
            over_capacity=over_capacity,
            by=by,
            now=now,
        )
        if notify:
            _sessions_changed_tell(registration)
    return booking


def session_booking_remove(
    *,
    registration: Registration,
    session_id: int,
    now: datetime | None = None,
    notify: bool = False,
) -> bool:
    """Give up one session, keeping the delegate's others (its place goes to its waiting
    list); False when it was not booked. Read under the registration's lock, as
    session_booking_add: a visit booked meanwhile, and its identity data, stay. `notify` as
    in session_booking_add."""
    now = now or timezone.now()
    with transaction.atomic():
        registration = places_lock(registration=registration).registration
        current = list(Session.objects.filter(bookings__registration=registration))
        if session_id not in {held.pk for held in current}:
            return False
        if not registration.is_active:
            raise BookingError(gettext("This registration is cancelled."))
        session_bookings_replace(
            registration, [held for held in current if held.pk != session_id], now=now
        )
        if notify:
            _sessions_changed_tell(registration)
    return True


def _place_when_full(
    registration: Registration,
    booking: SessionBooking,
    *,
    waiting_list: bool,
    over_capacity: bool,
    by: "User | None",
    now: datetime,
) -> bool:
    """A confirmed delegate left in a session's waiting list waits because the session is
    full (the rebalance gives free places first): refuse it, or book them over capacity, as
    asked. Returns whether a place was given here. Others wait for their registration's
    confirmation, not for a place, and stay as they are."""
    if (
        booking.status == SessionBooking.Status.BOOKED
        or registration.status != Registration.Status.CONFIRMED
        or (waiting_list and not over_capacity)
    ):
        return False
    # Already locked when the booking was just made; locked here when it was waiting before.
    locked = places_lock(session_ids=[booking.session_id]).sessions
    session = locked[booking.session_id]
    booked = session_places_taken(session)
    figures = {"session": session.title, "booked": booked, "capacity": session.effective_capacity}
    if not over_capacity:
        raise SessionFullError(
            gettext("“%(session)s” is full: %(booked)d of %(capacity)d places are booked.")
            % figures
        )
    booking.status = SessionBooking.Status.BOOKED
    booking.booked_at = now
    booking.save(update_fields=["status", "booked_at"])
    session_places_move({session.pk: 1}, sessions=locked)
    figures["booked"] = booked + 1
    # The history of the registration says who made the exception, when, and where.
    Registration.history.bulk_history_create(
        [registration],
        update=True,
        default_user=by,
        default_date=now,
        default_change_reason=gettext(
            "Booked over capacity in “%(session)s”: %(booked)d booked for %(capacity)d places."
        )
        % figures,
    )
    logger.info("booking %s made over the capacity of session %s", booking.pk, session.pk)
    return True


def _sessions_changed_tell(registration: Registration) -> None:
    """An organiser changed the delegate's sessions: they are told as when they change them
    themselves, and the organisers' systems hear of it."""
    outbound_email_queue(
        to=Recipient.delegate(registration), kind=OutboundEmail.Kind.SESSIONS_CHANGED
    )
    webhook_event_record(
        WebhookEvent.REGISTRATION_UPDATED, registration=registration, changed_fields=["sessions"]
    )


def session_bookings_replace(
    registration: Registration, sessions: list[Session], *, now: datetime
) -> BookingChanges:
    session_choice_check(registration, sessions)
    current = {booking.session_id: booking for booking in registration.bookings.all()}
    wanted = {session.pk for session in sessions}
    removed_ids = current.keys() - wanted
    added_ids = wanted - current.keys()
    if not removed_ids and not added_ids:
        return BookingChanges(added=[], removed=[])
    locked = places_lock(session_ids=removed_ids | added_ids).sessions
    registration_touch(registration, now=now)
    session_bookings_remove(registration, removed_ids, sessions=locked)
    # New choices join the back of the waiting list; the rebalance below then gives them a
    # place if nobody eligible is ahead of them.
    SessionBooking.objects.bulk_create(
        SessionBooking(
            registration=registration, session_id=session_id, status=SessionBooking.Status.WAITING
        )
        for session_id in sorted(added_ids)
    )
    sessions_rebalance_locked(locked, now=now, quiet_for={registration.pk})
    added = list(registration.bookings.filter(session_id__in=added_ids).select_related("session"))
    return BookingChanges(added=added, removed=[locked[pk] for pk in sorted(removed_ids)])


def session_bookings_new(
    registration: Registration,
    sessions: list[Session],
    *,
    now: datetime,
    batch: StatementBatch | None = None,
    locked: dict[int, SessionPlaces] | None = None,
) -> None:
    """The sessions of a registration created in this transaction, under the conference lock:
    as session_bookings_replace, without what a new row needs not (reading its bookings, none
    yet; marking it changed, as it was just written; reading back the bookings made), nor the
    rebalance, whose outcome is known without it. A session with a free place has nobody
    confirmed in its waiting list: every change that frees a place, raises a capacity or
    confirms a delegate rebalances under the session's lock, which is held here. So the
    rebalance would give a confirmed newcomer a place in each session with one free and leave
    them waiting in the others, and would give nobody else anything: the bookings are written
    so at once. Those of a delegate not confirmed wait, as the rebalance leaves them. With a
    `batch`, the sessions are locked with the statements waiting in it, and the bookings and
    counters are left in it to send. `locked`: the chosen sessions as the caller locked them
    (session_places_lock, after the conference's lock), when the choice passes
    session_choice_check."""
    session_choice_check(registration, sessions)
    chosen = sorted({session.pk for session in sessions})
    if locked is None:
        locked = session_places_lock(chosen, batch=batch)
    confirmed = registration.status == Registration.Status.CONFIRMED
    bookings = []
    placed: dict[int, int] = {}
    for session_id in chosen:
        # A session gone meanwhile is not locked (its booking's foreign key refuses it).
        session = locked.get(session_id)
        if confirmed and session is not None and session_has_free_place(session):
            placed[session_id] = 1
            status, booked_at = SessionBooking.Status.BOOKED, now
        else:
            status, booked_at = SessionBooking.Status.WAITING, None
        bookings.append(
            SessionBooking(
                registration=registration, session_id=session_id, status=status, booked_at=booked_at
            )
        )
    rows_insert(bookings, batch=batch)
    session_places_move(placed, sessions=locked, batch=batch)
    if placed:
        # As the rebalance does for the delegates it gives places to.
        transaction.on_commit(lambda: _registrations_touch_one_by_one([registration.pk]))


def session_has_free_place(session: Session | SessionPlaces) -> bool:
    """Read from the session as locked, whose counter is current."""
    capacity = session.effective_capacity
    return capacity is None or session.places_booked < capacity


def session_bookings_remove(
    registration: Registration, session_ids: Set[int], *, sessions: Mapping[int, Session]
) -> None:
    """Remove the delegate's bookings of these sessions, whoever asks (the delegate, an
    organiser, the API, a cancellation), with the sessions already locked by the caller
    (`sessions`, as places_lock gave them: the places freed are counted off them); and with
    them the identity data those visits asked for, which no booking justifies any more."""
    bookings = SessionBooking.objects.filter(registration=registration, session_id__in=session_ids)
    # Read under the sessions' locks, as the places freed must be: a promotion made meanwhile
    # by another transaction (which does not lock this registration) is seen.
    freed = session_places_freed(bookings.values_list("session_id", "status"))
    bookings.delete()
    session_places_move(freed, sessions=sessions)
    visit_identities_forget(registration=registration, session_ids=session_ids)


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
        sessions_rebalance_locked(
            places_lock(session_ids=session_ids).sessions,
            now=now or timezone.now(),
            quiet_for=set(quiet_for),
        )


def sessions_rebalance_locked(
    sessions: dict[int, Session], *, now: datetime, quiet_for: Set[int] = frozenset()
) -> None:
    """Give each free place to the first confirmed delegate in the waiting list, and tell them
    (except the registrations in `quiet_for`, who see the result otherwise)."""
    # The places taken are the counters of the locked rows: nothing is counted.
    given: list[tuple[Session, SessionBooking]] = []
    for session in sessions.values():
        waiting = SessionBooking.objects.filter(
            session=session,
            status=SessionBooking.Status.WAITING,
            registration__status=Registration.Status.CONFIRMED,
        ).order_by("created_at", "pk")
        capacity = session.effective_capacity
        if capacity is not None:
            waiting = waiting[: max(capacity - session.places_booked, 0)]
        given.extend((session, booking) for booking in waiting.select_related("registration"))
    if not given:
        return
    # Every place given in one statement, and the counters in another.
    SessionBooking.objects.filter(pk__in=[booking.pk for _session, booking in given]).update(
        status=SessionBooking.Status.BOOKED, booked_at=now
    )
    session_places_move(Counter(session.pk for session, _booking in given), sessions=sessions)
    promoted: set[int] = set()
    for session, booking in given:
        promoted.add(booking.registration_id)
        booking.status = SessionBooking.Status.BOOKED
        booking.booked_at = now
        if booking.registration_id not in quiet_for:
            outbound_email_queue(
                to=Recipient.delegate(booking.registration),
                kind=OutboundEmail.Kind.SESSION_PROMOTED,
                session=session,
            )
            logger.info("booking %s promoted from the session waiting list", booking.pk)
    if promoted:
        # After the commit, one row at a time: these registrations are not locked here, and
        # locking them after the sessions would invert the lock order.
        transaction.on_commit(lambda: _registrations_touch_one_by_one(sorted(promoted)))


def _registrations_touch_one_by_one(registration_ids: list[int]) -> None:
    now = timezone.now()
    for registration_id in registration_ids:
        Registration.objects.filter(pk=registration_id).update(updated_at=now)


def session_moved_notify(*, session: Session, change: SessionChange) -> int:
    """Tell every delegate the session concerns (session_audience) of one change of its time or
    place, with what it was and what it is now: one email per delegate and change, so that
    telling again (a repeated call) sends nobody a second copy. Returns how many were queued."""
    with transaction.atomic():
        told = OutboundEmail.objects.filter(session_change=change).values("registration_id")
        audience = list(session_audience(session).exclude(pk__in=told))
        for registration in audience:
            outbound_email_queue(
                to=Recipient.delegate(registration),
                kind=OutboundEmail.Kind.SESSION_MOVED,
                session=session,
                session_change=change,
            )
    logger.info("session %s change %s told to %s delegates", session.pk, change.pk, len(audience))
    return len(audience)


def session_places_taken(session: Session) -> int:
    """The places of the session held by bookings, which a room or capacity change must keep
    (conference.services.session_places_check asks, under the session's lock): its counter,
    as read with the lock."""
    return session.places_booked
