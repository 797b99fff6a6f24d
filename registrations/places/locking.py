"""The capacity locks. Who holds a place is decided under row locks, taken in one order
everywhere: the conference row, then the registration row, then session rows all at once in
ascending id, then the rows of question choices that have a capacity (the gala dinner's
seats), all at once in ascending id. A transaction that needs more later (the sessions a
cancellation frees, the choices a registration's answers want) takes them by a second call,
still in that order. Transactions that lock several registrations hold the
conference lock first; those without it lock a single registration.

Rows are locked FOR NO KEY UPDATE, which still lets other transactions insert rows that refer to
them (an outbox email to a delegate whose row another transaction holds), so foreign keys add
no waits of their own."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Generic, TypeVar, overload

from django.db import connection
from django.db.transaction import TransactionManagementError

from conference.models import Conference, Session
from registrations.models import QuestionChoice, Registration

# What was asked for is what comes back: a conference (or a registration) when one was given,
# None when not.
ConferenceT = TypeVar("ConferenceT", bound=Conference | None, covariant=True)
RegistrationT = TypeVar("RegistrationT", bound=Registration | None, covariant=True)


@dataclass(frozen=True)
class LockedRows(Generic[ConferenceT, RegistrationT]):
    """The rows as read under their locks: fresh, so counts and statuses can be trusted."""

    conference: ConferenceT
    registration: RegistrationT
    sessions: dict[int, Session] = field(default_factory=dict)
    choices: dict[int, QuestionChoice] = field(default_factory=dict)


@overload
def places_lock(
    *,
    conference: Conference,
    registration: Registration,
    session_ids: Iterable[int] = (),
    choice_ids: Iterable[int] = (),
) -> LockedRows[Conference, Registration]: ...
@overload
def places_lock(
    *,
    conference: Conference,
    registration: None = None,
    session_ids: Iterable[int] = (),
    choice_ids: Iterable[int] = (),
) -> LockedRows[Conference, None]: ...
@overload
def places_lock(
    *,
    conference: None = None,
    registration: Registration,
    session_ids: Iterable[int] = (),
    choice_ids: Iterable[int] = (),
) -> LockedRows[None, Registration]: ...
@overload
def places_lock(
    *,
    conference: None = None,
    registration: None = None,
    session_ids: Iterable[int] = (),
    choice_ids: Iterable[int] = (),
) -> LockedRows[None, None]: ...
def places_lock(
    *,
    conference: Conference | None = None,
    registration: Registration | None = None,
    session_ids: Iterable[int] = (),
    choice_ids: Iterable[int] = (),
) -> LockedRows[Conference | None, Registration | None]:
    """Lock what is given, in the fixed order, for the rest of the caller's transaction."""
    if not connection.in_atomic_block:
        raise TransactionManagementError("capacity locks are only taken inside a transaction")
    locked_conference = (
        Conference.objects.select_for_update(no_key=True).get(pk=conference.pk)
        if conference is not None
        else None
    )
    locked_registration = None
    if registration is not None:
        # Only the registration's own row: a plain FOR UPDATE would also lock the joined
        # conference row, the capacity lock, out of order.
        locked_registration = (
            Registration.objects.select_for_update(no_key=True, of=("self",))
            .select_related("conference")
            .get(pk=registration.pk)
        )
    session_ids = set(session_ids)
    sessions: dict[int, Session] = {}
    if session_ids:
        sessions = {
            session.pk: session
            # The rooms by a second query, once the sessions are locked: joined to the locked
            # query, a room changed by the transaction waited for would be read as of before
            # it (PostgreSQL rechecks only the locked rows), here as no room at all.
            for session in Session.objects.select_for_update(of=("self",), no_key=True)
            .prefetch_related("room")
            .filter(pk__in=session_ids)
            .order_by("pk")
        }
    choice_ids = set(choice_ids)
    choices: dict[int, QuestionChoice] = {}
    if choice_ids:
        choices = {
            choice.pk: choice
            for choice in QuestionChoice.objects.select_for_update(no_key=True)
            .filter(pk__in=choice_ids)
            .order_by("pk")
        }
    return LockedRows(
        conference=locked_conference,
        registration=locked_registration,
        sessions=sessions,
        choices=choices,
    )


def registration_touch(registration: Registration, *, now: datetime) -> None:
    """Mark the registration changed (its updated_at, which the API's updated_since reads)
    when what changed is in other rows: its bookings, its check-ins. The caller holds the
    registration's lock: the update waits for nobody. update(), not save(): no history row
    for a change the history does not hold."""
    Registration.objects.filter(pk=registration.pk).update(updated_at=now)
    registration.updated_at = now
