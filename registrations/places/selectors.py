"""Reads of places: where registration and each session's sign-up stand, a delegate's bookings."""

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from conference.models import Conference, Session
from registrations.models import Registration, SessionBooking


class RegistrationState(enum.Enum):
    NOT_YET_OPEN = "not_yet_open"
    OPEN = "open"
    FULL = "full"  # open, but newcomers join the waiting list
    CLOSED = "closed"


@dataclass(frozen=True)
class RegistrationAvailability:
    state: RegistrationState
    places_left: int
    waiting: int

    @property
    def accepts_registrations(self) -> bool:
        return self.state in (RegistrationState.OPEN, RegistrationState.FULL)


def registration_availability(
    *, conference: Conference, now: datetime | None = None
) -> RegistrationAvailability:
    """Where registration stands, from the counters on the conference as it was read (no
    count of registrations: the page that shows it is requested as often as the form)."""
    now = now or timezone.now()
    counts = {"confirmed": conference.confirmed_count, "waiting": conference.waitlisted_count}
    places_left = max(conference.capacity - counts["confirmed"], 0)
    if now < conference.registration_opens_at:
        state = RegistrationState.NOT_YET_OPEN
    elif now >= conference.registration_closes_at:
        state = RegistrationState.CLOSED
    elif places_left == 0 or counts["waiting"]:
        state = RegistrationState.FULL
    else:
        state = RegistrationState.OPEN
    return RegistrationAvailability(state=state, places_left=places_left, waiting=counts["waiting"])


@dataclass(frozen=True)
class SessionAvailability:
    """Where sign-up for one session stands. `places_left` is None when places are unlimited."""

    places_left: int | None
    booked: int
    waiting: int

    @property
    def is_full(self) -> bool:
        return self.places_left == 0


def session_availability(sessions: Iterable[Session]) -> dict[int, SessionAvailability]:
    """Availability of the sessions that need sign-up, by session id, in one query."""
    sessions = [session for session in sessions if session.requires_sign_up]
    counts = {
        row["session_id"]: row
        for row in SessionBooking.objects.filter(session__in=sessions)
        .values("session_id")
        .annotate(
            booked=Count("pk", filter=Q(status=SessionBooking.Status.BOOKED)),
            waiting=Count(
                "pk",
                filter=Q(
                    status=SessionBooking.Status.WAITING,
                    registration__status=Registration.Status.CONFIRMED,
                ),
            ),
        )
    }
    availability = {}
    for session in sessions:
        row = counts.get(session.pk, {"booked": 0, "waiting": 0})
        capacity = session.effective_capacity
        places_left = None if capacity is None else max(capacity - row["booked"], 0)
        availability[session.pk] = SessionAvailability(
            places_left=places_left, booked=row["booked"], waiting=row["waiting"]
        )
    return availability


def sessions_for_sign_up(conference: Conference) -> QuerySet[Session]:
    """The sessions a delegate can choose, in programme order."""
    return (
        conference.sessions.filter(kind__in=Session.SIGN_UP_KINDS)
        .select_related("room")
        .order_by("starts_at", "room__position", "title")
    )


@dataclass(frozen=True)
class BookingLine:
    booking: SessionBooking
    # Place in the session's waiting list, counting confirmed delegates only; None when booked.
    waiting_position: int | None


def registration_booking_lines(registration: Registration) -> list[BookingLine]:
    bookings = registration.bookings.select_related("session__room").order_by("session__starts_at")
    lines = []
    for booking in bookings:
        position = None
        if booking.status == SessionBooking.Status.WAITING:
            position = (
                SessionBooking.objects.filter(
                    session_id=booking.session_id,
                    status=SessionBooking.Status.WAITING,
                    registration__status=Registration.Status.CONFIRMED,
                )
                .filter(
                    Q(created_at__lt=booking.created_at)
                    | Q(created_at=booking.created_at, pk__lt=booking.pk)
                )
                .count()
                + 1
            )
        lines.append(BookingLine(booking=booking, waiting_position=position))
    return lines


def conference_waitlist_position(registration: Registration) -> int | None:
    if registration.status != Registration.Status.WAITLISTED:
        return None
    earlier = registration.conference.registrations.filter(
        status=Registration.Status.WAITLISTED
    ).filter(
        Q(waitlisted_at__lt=registration.waitlisted_at)
        | Q(waitlisted_at=registration.waitlisted_at, pk__lt=registration.pk)
    )
    return earlier.count() + 1
