"""What the demo's generated delegates do after registering, so that the admin, the dashboard
and the exports show a conference in motion: a few cancel, the others book sessions the way
delegates do (popular workshops fill up, site visits get waiting lists).

Written in bulk, under the rules the booking services keep (only confirmed delegates hold
places, never more than a session's places, no two overlapping sessions, waiting lists served
in the order choices were made) and without a single email. Every choice depends only on the
seed and the delegate's email address, so a second load changes nothing: delegates who already
hold bookings are left as they are, and those who chose none choose none again."""

import datetime as dt
import math
import random
from collections.abc import Iterable

from django.db.models import Count, Q

from conference.models import Conference, Session
from registrations.models import Registration, SessionBooking
from registrations.places.counters import place_counts_recount, session_places_recount

# Of the delegates who confirmed, how many cancel later (only while nobody waits for a place:
# otherwise a cancellation would have handed its place on, which bulk writes do not do).
CANCELLED_SHARE = 0.04
# How likely a delegate is to sign up for something in a given time slot.
SLOT_SHARE: dict[str, float] = {
    Session.Kind.WORKSHOP: 0.85,
    Session.Kind.FOCUS: 0.35,
    Session.Kind.SITE_VISIT: 0.55,
}


def demo_activity_generate(*, conference: Conference, seed: int, now: dt.datetime) -> None:
    """Cancel a few generated registrations and book sessions for the rest (see the module's
    docstring). Registrations that already hold a booking are not touched."""
    _cancellations_generate(conference=conference, seed=seed, now=now)
    _bookings_generate(conference=conference, seed=seed, now=now)


def _person_random(seed: int, registration: Registration, purpose: str) -> random.Random:
    return random.Random(f"{seed}:{purpose}:{registration.email}")


def _cancellations_generate(*, conference: Conference, seed: int, now: dt.datetime) -> None:
    registrations = conference.registrations.all()
    if registrations.filter(status=Registration.Status.WAITLISTED).exists():
        return
    cancelled = []
    for registration in registrations.filter(
        status=Registration.Status.CONFIRMED, bookings__isnull=True
    ).order_by("created_at", "pk"):
        rng = _person_random(seed, registration, "cancel")
        if rng.random() >= CANCELLED_SHARE:
            continue
        # Some days after registering, never in the future.
        at = min(registration.created_at + dt.timedelta(days=rng.uniform(1, 30)), now)
        registration.status = Registration.Status.CANCELLED
        registration.cancelled_at = registration.updated_at = at
        registration._history_date = at  # type: ignore[attr-defined]
        cancelled.append(registration)
    if not cancelled:
        return
    Registration.objects.bulk_update(cancelled, ["status", "cancelled_at", "updated_at"])
    Registration.history.bulk_history_create(cancelled, update=True)
    place_counts_recount(conference_id=conference.pk)


def _bookings_generate(*, conference: Conference, seed: int, now: dt.datetime) -> None:
    # Visits that ask for identity data are left alone: a booking needs those data, which the
    # demo does not invent.
    sessions = [
        session
        for session in conference.sessions.select_related("room").order_by("starts_at", "pk")
        if session.requires_sign_up and not session.requires_identity_data
    ]
    if not sessions:
        return
    slots = _slots(sessions)
    # Some subjects draw crowds and small rooms fill first: the demo's smaller workshops and
    # visits end up full, with waiting lists, as at the real conference.
    popularity = {
        session.pk: math.exp(random.Random(f"{seed}:popularity:{position}").uniform(-1, 1))
        * (250 / max(session.effective_capacity or 250, 1)) ** 0.6
        for position, session in enumerate(sessions)
    }
    booked_counts = dict(
        Session.objects.filter(pk__in=[session.pk for session in sessions])
        .annotate(booked=Count("bookings", filter=Q(bookings__status=SessionBooking.Status.BOOKED)))
        .values_list("pk", "booked")
    )
    choosers = (
        conference.registrations.active().filter(bookings__isnull=True).order_by("created_at", "pk")
    )
    bookings: list[SessionBooking] = []
    chosen_at: list[dt.datetime] = []
    for registration in choosers:
        rng = _person_random(seed, registration, "sessions")
        chosen: list[Session] = []
        for slot in slots:
            open_choices = [
                session
                for session in slot
                if not any(session.overlaps(held) for held in chosen)
                and {session.language, *session.interpretation_languages} & _languages(registration)
            ]
            if not open_choices or rng.random() >= SLOT_SHARE.get(slot[0].kind, 0.5):
                continue
            session = rng.choices(
                open_choices, [popularity[session.pk] for session in open_choices]
            )[0]
            chosen.append(session)
        # Chosen some hours to days after registering (never in the future), in that order.
        at = registration.created_at
        for session in chosen:
            at = min(at + dt.timedelta(hours=rng.uniform(0.1, 72)), now)
            capacity = session.effective_capacity
            holds_place = registration.status == Registration.Status.CONFIRMED and (
                capacity is None or booked_counts[session.pk] < capacity
            )
            if holds_place:
                booked_counts[session.pk] += 1
            bookings.append(
                SessionBooking(
                    registration=registration,
                    session=session,
                    status=SessionBooking.Status.BOOKED
                    if holds_place
                    else SessionBooking.Status.WAITING,
                    booked_at=at if holds_place else None,
                )
            )
            chosen_at.append(at)
    created = SessionBooking.objects.bulk_create(bookings)
    # created_at is auto_now_add, which bulk_create sets to the present moment.
    for booking, at in zip(created, chosen_at, strict=True):
        booking.created_at = at
    SessionBooking.objects.bulk_update(created, ["created_at"], batch_size=2000)
    session_places_recount(session_ids=[session.pk for session in sessions])


def _slots(sessions: Iterable[Session]) -> list[list[Session]]:
    """Sign-up sessions grouped by the moment they start: the choice a delegate makes once."""
    slots: dict[dt.datetime, list[Session]] = {}
    for session in sessions:
        slots.setdefault(session.starts_at, []).append(session)
    return list(slots.values())


def _languages(registration: Registration) -> set[str]:
    """The languages a delegate can follow a session in: English by default (the working
    language), theirs, and the one they asked interpretation into."""
    return {"en", registration.preferred_language, registration.interpretation_language} - {""}
