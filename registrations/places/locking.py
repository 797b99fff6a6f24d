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

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar, overload

from django.db import connection
from django.db.transaction import TransactionManagementError

from conference.models import Conference, Room, Session
from registrations.models import QuestionChoice, Registration
from registrations.outbox.rows import StatementBatch

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


def conference_lock_and_read(
    conference: Conference,
    sql: str,
    params: Sequence[Any],
    *,
    session_ids: Iterable[int] = (),
) -> tuple[Conference, tuple, "dict[int, SessionPlaces]"]:
    """places_lock(conference=conference).conference, the first row of `sql` read right after
    the lock is taken, and the sessions' places locked after that (session_places_lock), in
    one round trip where the database allows (StatementBatch): for what registration_create
    reads first under the lock that every registration of the conference waits for. `sql`
    takes positional parameters."""
    if not connection.in_atomic_block:
        raise TransactionManagementError("capacity locks are only taken inside a transaction")
    # The queryset get() runs (unordered), its rows made into an instance as the ORM does (a
    # ModelIterable: the fields' converters, from_db).
    queryset = Conference.objects.select_for_update(no_key=True).filter(pk=conference.pk)
    compiler = queryset.order_by().query.get_compiler(using=connection.alias)
    lock_sql, lock_params = compiler.as_sql()
    rows: list[tuple] = []
    found: list[tuple] = []
    batch = StatementBatch()
    batch.add(lock_sql, lock_params, lambda cursor: rows.extend(cursor.fetchall()))
    batch.add(sql, params, lambda cursor: found.append(cursor.fetchone()))
    sessions = session_places_lock(session_ids, batch=batch)
    batch.send()
    if not rows:
        raise Conference.DoesNotExist("Conference matching query does not exist.")
    attnames = [column.target.attname for column, _sql, _alias in compiler.select]
    [values] = list(compiler.results_iter(results=[rows]))
    return Conference.from_db(connection.alias, attnames, values), found[0], sessions


def registration_touch(registration: Registration, *, now: datetime) -> None:
    """Mark the registration changed (its updated_at, which the API's updated_since reads)
    when what changed is in other rows: its bookings, its check-ins. The caller holds the
    registration's lock: the update waits for nobody. update(), not save(): no history row
    for a change the history does not hold."""
    Registration.objects.filter(pk=registration.pk).update(updated_at=now)
    registration.updated_at = now


@dataclass
class SessionPlaces:
    """A session's places as read under its lock (session_places_lock): what deciding a place
    reads, and what session_places_move updates, as it does a Session's."""

    pk: int
    effective_capacity: int | None
    places_booked: int


def _quoted(model, name: str) -> str:
    return connection.ops.quote_name(model._meta.get_field(name).column)


def session_places_lock(
    session_ids: Iterable[int], *, batch: StatementBatch | None = None
) -> dict[int, SessionPlaces]:
    """Lock sessions as places_lock does (all at once, in ascending id), reading only their
    places: for a hot path under the conference lock, where compiling the queryset and
    building the model instances cost more CPU than the database takes to answer. SQL
    written once per call from the model's columns. With a `batch`, sent after (and with)
    the statements waiting in it."""
    if not connection.in_atomic_block:
        raise TransactionManagementError("capacity locks are only taken inside a transaction")
    ids = sorted(set(session_ids))
    if not ids:
        return {}
    table = connection.ops.quote_name(Session._meta.db_table)
    lock = (
        " " + connection.ops.for_update_sql(no_key=connection.features.has_select_for_no_key_update)
        if connection.features.has_select_for_update
        else ""
    )
    rows = (batch or StatementBatch()).send(
        f"SELECT {_quoted(Session, 'id')}, {_quoted(Session, 'capacity')}, "
        f"{_quoted(Session, 'room')}, {_quoted(Session, 'places_booked')} FROM {table} "
        f"WHERE {_quoted(Session, 'id')} IN ({', '.join(['%s'] * len(ids))}) "
        f"ORDER BY {_quoted(Session, 'id')}{lock}",
        ids,
    )
    assert rows is not None
    with connection.cursor() as cursor:
        # The rooms by a second statement, once the sessions are locked, as places_lock reads
        # them; only those that give a session its places.
        room_ids = sorted(
            {room for _pk, capacity, room, _booked in rows if capacity is None and room}
        )
        rooms: dict[int, int | None] = {}
        if room_ids:
            cursor.execute(
                f"SELECT {_quoted(Room, 'id')}, {_quoted(Room, 'capacity')} "
                f"FROM {connection.ops.quote_name(Room._meta.db_table)} "
                f"WHERE {_quoted(Room, 'id')} IN ({', '.join(['%s'] * len(room_ids))})",
                room_ids,
            )
            rooms = dict(cursor.fetchall())
    return {
        pk: SessionPlaces(
            pk=pk,
            effective_capacity=capacity if capacity is not None else rooms.get(room),
            places_booked=booked,
        )
        for pk, capacity, room, booked in rows
    }
