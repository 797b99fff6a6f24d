"""Writes to the programme that carry rules beyond a plain save."""

import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.transaction import TransactionManagementError
from django.utils.translation import gettext, ngettext

from conference.models import Room, Session, SessionChange
from conference.signals import session_capacity_changed, session_moved, session_places_taken

logger = logging.getLogger(__name__)

# The meeting point is written in each language (location_en, location_fr); a change in any of
# them counts.
LOCATION_FIELDS = tuple(f"location_{code}" for code, _name in settings.LANGUAGES)
# So is a site visit's meeting point (the coach), printed on its roster with its time.
MEETING_POINT_FIELDS = tuple(f"meeting_point_{code}" for code, _name in settings.LANGUAGES)
# Changing any of these moves the session for the delegates it concerns.
MOVING_FIELDS = {
    "starts_at",
    "ends_at",
    "room",
    "location",
    *LOCATION_FIELDS,
    "meeting_point",
    *MEETING_POINT_FIELDS,
    "meeting_time",
}
CAPACITY_FIELDS = {"capacity", "room"}

# The permission to leave a session with more delegates booked than places. Spelled here: the
# conference app cannot import registrations.permissions (BOOK_OVER_CAPACITY, the same name).
BOOK_OVER_CAPACITY_PERMISSION = "registrations.book_over_capacity"


@dataclass(frozen=True)
class SessionOverbooking:
    """A session left with more delegates booked than places, by someone allowed to."""

    booked: int
    places: int


def session_lock(session_id: int) -> Session:
    """The session's row as it is saved, locked as the booking services lock it
    (registrations.places.locking: FOR NO KEY UPDATE of the session row alone) until the
    caller's transaction ends: no booking of it can be decided meanwhile."""
    if not connection.in_atomic_block:
        raise TransactionManagementError("a session is only locked inside a transaction")
    # The room by a second query once the row is locked, as places_lock reads it: joined to the
    # locking query, a room changed meanwhile would be read as of before (or as none).
    return (
        Session.objects.select_for_update(no_key=True, of=("self",))
        .prefetch_related("room")
        .get(pk=session_id)
    )


def session_places_taken_count(session: Session) -> int:
    """How many places of the session are taken, as the app holding bookings answers."""
    answers: list[tuple[Any, Any]] = session_places_taken.send(Session, session=session)
    return sum(int(answer) for _receiver, answer in answers)


def session_places_check(
    *, session: Session, allow_over_capacity: bool = False
) -> SessionOverbooking | None:
    """Whether the places `session` would have (its room or capacity as changed, not saved yet)
    still hold the delegates booked. The places taken are counted under the session's lock,
    which the caller's transaction keeps until it saves: a booking cannot slip in between.

    A change that leaves fewer places than bookings, where there were more, is refused with a
    message on the field that took them away, unless `allow_over_capacity` (the organiser holds
    BOOK_OVER_CAPACITY_PERMISSION): then the overbooking is returned, for the caller to
    record. A session already overbooked may still gain places, or keep those it has."""
    places = session.effective_capacity
    if session.pk is None or places is None:
        return None
    saved = session_lock(session.pk)
    booked = session_places_taken_count(saved)
    before = saved.effective_capacity
    if booked <= places or (before is not None and places >= before):
        return None
    if allow_over_capacity:
        return SessionOverbooking(booked=booked, places=places)
    if session.capacity is not None:
        message = ngettext(
            "%(booked)d delegate holds a place in this session: its capacity cannot be lower.",
            "%(booked)d delegates hold a place in this session: its capacity cannot be lower.",
            booked,
        ) % {"booked": booked}
        raise ValidationError({"capacity": message})
    room = session.room
    message = ngettext(
        "%(room)s has %(places)d seats, but %(booked)d delegate holds a place in this session. "
        "Choose a larger room, or set a capacity once places are freed.",
        "%(room)s has %(places)d seats, but %(booked)d delegates hold a place in this session. "
        "Choose a larger room, or set a capacity once places are freed.",
        booked,
    ) % {"room": room.name if room else "", "places": places, "booked": booked}
    raise ValidationError({"room": message})


def session_overbooking_message(overbooking: SessionOverbooking) -> str:
    return gettext("Accepted over capacity: %(booked)d delegates booked for %(places)d places.") % {
        "booked": overbooking.booked,
        "places": overbooking.places,
    }


def room_places_check(
    *, room: Room, allow_over_capacity: bool = False
) -> list[tuple[Session, SessionOverbooking]]:
    """Whether the seats `room` would have (changed, not saved yet) still hold the delegates
    booked for each session it holds that has no capacity of its own. Those sessions are
    locked in ascending id, as a booking locks them (session_lock), and the caller's
    transaction keeps the locks until it saves: no booking can slip in between.

    Seats that leave a session with fewer places than bookings are refused with one message
    on the capacity naming the sessions, unless `allow_over_capacity` (the organiser holds
    BOOK_OVER_CAPACITY_PERMISSION): then the overbooked sessions are returned."""
    if room.pk is None:
        return []
    if not connection.in_atomic_block:
        raise TransactionManagementError("a room's seats are only checked inside a transaction")
    sessions = list(
        Session.objects.select_for_update(no_key=True, of=("self",))
        .filter(room_id=room.pk, capacity__isnull=True)
        .order_by("pk")
    )
    overbooked = []
    for session in sessions:
        session.room = room
        overbooking = session_places_check(session=session, allow_over_capacity=True)
        if overbooking is not None:
            overbooked.append((session, overbooking))
    if overbooked and not allow_over_capacity:
        named = ", ".join(
            gettext("%(session)s (%(booked)d booked)")
            % {"session": session.title, "booked": overbooking.booked}
            for session, overbooking in overbooked
        )
        message = ngettext(
            "%(seats)d seats cannot hold the delegates booked for this session: %(sessions)s. "
            "Give it a capacity or another room first.",
            "%(seats)d seats cannot hold the delegates booked for these sessions: %(sessions)s. "
            "Give them a capacity or another room first.",
            len(overbooked),
        ) % {"seats": room.capacity, "sessions": named}
        raise ValidationError({"capacity": message})
    return overbooked


def room_save(
    *, room: Room, allow_over_capacity: bool = False
) -> list[tuple[Session, SessionOverbooking]]:
    """Save an organiser's change to a room. New seats that would leave a session without a
    capacity of its own with more delegates booked than places are refused (ValidationError
    on the capacity) unless `allow_over_capacity`; then they are logged, and the overbooked
    sessions returned for the caller to show and record. Changed seats rebalance the waiting
    lists of those sessions; the room's save refreshes the programme's cached pages."""
    with transaction.atomic():
        overbooked: list[tuple[Session, SessionOverbooking]] = []
        sessions: list[Session] = []
        if room.pk is not None:
            before = Room.objects.filter(pk=room.pk).values_list("capacity", flat=True).first()
            if before != room.capacity:
                overbooked = room_places_check(room=room, allow_over_capacity=allow_over_capacity)
                # Locked by the check, in ascending id.
                sessions = list(
                    Session.objects.filter(room_id=room.pk, capacity__isnull=True).order_by("pk")
                )
        for session, overbooking in overbooked:
            logger.warning(
                "session %s accepted over capacity (room %s): %s booked, %s places",
                session.pk,
                room.pk,
                overbooking.booked,
                overbooking.places,
            )
        room.full_clean()
        room.save()
        for session in sessions:
            session_capacity_changed.send(sender=Session, session=session)
    return overbooked


def room_overbooking_message(session: Session, overbooking: SessionOverbooking) -> str:
    return gettext("%(session)s: %(overbooking)s") % {
        "session": session.title,
        "overbooking": session_overbooking_message(overbooking),
    }


def _moving_values(session: Session) -> tuple:
    return (
        session.starts_at,
        session.ends_at,
        session.room_id,
        *(getattr(session, field) for field in LOCATION_FIELDS),
        *(getattr(session, field) or "" for field in MEETING_POINT_FIELDS),
        session.meeting_time,
    )


def session_save(
    *, session: Session, changed_fields: set[str], allow_over_capacity: bool = False
) -> Session:
    """Save an organiser's change to a session, under its lock. A room or capacity that would
    leave more delegates booked than places is refused (ValidationError on that field) unless
    `allow_over_capacity`; then it is logged. A move (time or place) raises its calendar
    revision and is recorded with what it was, and the delegates it concerns are told; a
    change of places rebalances its waiting list."""
    with transaction.atomic():
        saved = session_lock(session.pk) if session.pk is not None else None
        if CAPACITY_FIELDS & changed_fields:
            overbooking = session_places_check(
                session=session, allow_over_capacity=allow_over_capacity
            )
            if overbooking is not None:
                logger.warning(
                    "session %s accepted over capacity: %s booked, %s places",
                    session.pk,
                    overbooking.booked,
                    overbooking.places,
                )
        moved = saved is not None and _moving_values(saved) != _moving_values(session)
        if moved and saved is not None:
            session.sequence = saved.sequence + 1
        session.full_clean()
        session.save()
        if moved and saved is not None:
            change = SessionChange.objects.create(
                session=session,
                sequence=session.sequence,
                previous_starts_at=saved.starts_at,
                previous_ends_at=saved.ends_at,
                previous_room_id=saved.room_id,
                new_starts_at=session.starts_at,
                new_ends_at=session.ends_at,
                new_room_id=session.room_id,
                previous_meeting_time=saved.meeting_time,
                new_meeting_time=session.meeting_time,
                **{
                    f"{side}_{field}_{code}": getattr(source, f"{field}_{code}") or ""
                    for side, source in (("previous", saved), ("new", session))
                    for field in ("location", "meeting_point")
                    for code, _name in settings.LANGUAGES
                },
            )
            session_moved.send(sender=Session, session=session, change=change)
        if CAPACITY_FIELDS & changed_fields:
            session_capacity_changed.send(sender=Session, session=session)
    return session
