"""The place counters: how many registrations of a conference are confirmed and how many wait,
on the conference row, the capacity lock; and how many places of each session are booked, on
the session row, its lock. They change in the transaction that changes a status or a booking,
so that deciding a place reads them instead of counting registrations or bookings (a count that
grows with the data, under the lock every registration waits for). Every change of a
registration's status, and of a booking that holds a place, passes through here;
`place_counts_check` recomputes them."""

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Case, Count, F, IntegerField, Model, Q, Value, When

from conference.models import Conference, Session
from conference.page_cache import network_changed
from registrations.models import Registration, SessionBooking
from registrations.outbox.rows import StatementBatch
from registrations.places.locking import SessionPlaces, places_lock
from registrations.webhooks.events import webhook_event_record, webhook_status_event

# The statuses counted, and the conference field that counts each.
COUNTER_OF_STATUS: dict[str, str] = {
    Registration.Status.CONFIRMED: "confirmed_count",
    Registration.Status.WAITLISTED: "waitlisted_count",
}


def place_counts_move(
    conference: Conference,
    *,
    from_status: str | None,
    to_status: str | None,
    count: int = 1,
    write: bool = True,
    batch: StatementBatch | None = None,
) -> None:
    """Record that `count` registrations went from one status to another (None: created, or
    gone). `conference` is the row as locked by places_lock; it is updated too, so that later
    decisions in the same transaction see the change. Without `write`, only the instance is:
    a caller moving many (an import) writes once at the end with place_counts_write. With a
    `batch`, the UPDATE is sent with it."""
    changes: dict[str, int] = {}
    for status, sign in ((from_status, -1), (to_status, 1)):
        field = COUNTER_OF_STATUS.get(status or "")
        if field is not None:
            changes[field] = changes.get(field, 0) + sign * count
    changes = {field: change for field, change in changes.items() if change}
    if not changes:
        return
    if not write:
        for field, change in changes.items():
            setattr(conference, field, getattr(conference, field) + change)
        return
    # Increments and not the values read: the row is locked, but an instance handed down from
    # before the lock must not write stale counts. SQL written here rather than an update()
    # compiled on every registration, under the lock they all wait for.
    quote = connection.ops.quote_name
    _execute(
        f"UPDATE {quote(Conference._meta.db_table)} SET "
        + ", ".join(
            f"{column} = {column} + %s"
            for column in (quote(_column(Conference, field)) for field in changes)
        )
        + f" WHERE {quote(Conference._meta.pk.column)} = %s",
        [*changes.values(), conference.pk],
        batch,
    )
    if "confirmed_count" in changes:
        _network_changed_on_commit(conference.pk)
    for field, change in changes.items():
        setattr(conference, field, getattr(conference, field) + change)


def _execute(sql: str, params: list, batch: StatementBatch | None) -> None:
    if batch is not None:
        batch.add(sql, params)
        return
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _column(model: type[Model], name: str) -> str:
    return next(field.column for field in model._meta.concrete_fields if field.name == name)


def _network_changed_on_commit(conference_id: int) -> None:
    """A delegate confirmed or no longer: who takes part (the participants page, the home
    page's map) is shown afresh once the change is committed."""
    transaction.on_commit(lambda: network_changed(conference_id))


def place_counts_write(conference: Conference) -> None:
    """Write the counters a locked conference holds in memory (after moves without `write`)."""
    _network_changed_on_commit(conference.pk)
    Conference.objects.filter(pk=conference.pk).update(
        confirmed_count=conference.confirmed_count, waitlisted_count=conference.waitlisted_count
    )


def registration_status_set(
    registration: Registration, status: str, *, conference: Conference, fields: dict
) -> None:
    """Change where an existing registration stands and save it, with the other `fields` the
    change sets (its dates), keeping the counters; the caller holds the conference lock when
    a counted status is left or entered."""
    previous = registration.status
    registration.status = status
    for name, value in fields.items():
        setattr(registration, name, value)
    registration.save(update_fields=["status", *fields, "updated_at"])
    place_counts_move(conference, from_status=previous, to_status=status)
    webhook_event_record(
        webhook_status_event(status), registration=registration, previous_status=previous
    )


def session_places_move(
    changes: Mapping[int, int],
    *,
    sessions: Mapping[int, Session] | Mapping[int, SessionPlaces],
    batch: StatementBatch | None = None,
) -> None:
    """Record that the places booked in sessions changed (by session id: +1 a place given, -1
    a place freed), in one statement. `sessions` are the rows as locked by places_lock (or
    session_places_lock), which must hold every session changed (the counter changes under its
    lock only); they are updated too, so that later decisions in the same transaction see the
    change. With a `batch` that sends several statements at once, one UPDATE a session is
    sent with it."""
    changes = {pk: change for pk, change in changes.items() if change}
    if not changes:
        return
    unlocked = changes.keys() - sessions.keys()
    if unlocked:
        raise ValueError(f"the places of sessions {sorted(unlocked)} change only under their lock")
    if len(changes) == 1 or (batch is not None and batch.batching):
        # One session, as a new registration's booking moves it: SQL written here rather than
        # an update() compiled under the conference lock.
        quote = connection.ops.quote_name
        column = quote(_column(Session, "places_booked"))
        for pk, change in sorted(changes.items()):
            _execute(
                f"UPDATE {quote(Session._meta.db_table)} SET {column} = {column} + %s "
                f"WHERE {quote(Session._meta.pk.column)} = %s",
                [change, pk],
                batch,
            )
    else:
        # F() and not the values read, as for the conference's counters.
        Session.objects.filter(pk__in=changes).update(
            places_booked=F("places_booked")
            + Case(
                *(When(pk=pk, then=Value(change)) for pk, change in changes.items()),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
    for pk, change in changes.items():
        sessions[pk].places_booked += change


def session_places_freed(bookings: Iterable[tuple[int, str]]) -> dict[int, int]:
    """The changes (for session_places_move) of removing bookings given as (session id,
    status) pairs: -1 in each session for each that held a place."""
    freed: Counter[int] = Counter()
    for session_id, status in bookings:
        if status == SessionBooking.Status.BOOKED:
            freed[session_id] -= 1
    return dict(freed)


@dataclass(frozen=True)
class PlaceCountMismatch:
    conference_id: int
    field: str
    stored: int
    counted: int
    # Set for a session's counter, None for the conference's.
    session_id: int | None = None


def place_counts_check(*, fix: bool = False) -> list[PlaceCountMismatch]:
    """Recount every conference's registrations and every session's bookings and compare with
    the counters; with `fix`, write the counts found (under each conference's or session's
    lock, so nothing moves meanwhile)."""
    counted = {
        row["pk"]: row
        for row in Conference.objects.annotate(
            counted_confirmed=Count(
                "registrations", filter=Q(registrations__status=Registration.Status.CONFIRMED)
            ),
            counted_waitlisted=Count(
                "registrations", filter=Q(registrations__status=Registration.Status.WAITLISTED)
            ),
        ).values(
            "pk", "confirmed_count", "waitlisted_count", "counted_confirmed", "counted_waitlisted"
        )
    }
    mismatches = [
        PlaceCountMismatch(
            conference_id=pk,
            field=field,
            stored=row[field],
            counted=row[f"counted_{field.removesuffix('_count')}"],
        )
        for pk, row in counted.items()
        for field in Conference.PLACE_COUNTER_FIELDS
        if row[field] != row[f"counted_{field.removesuffix('_count')}"]
    ]
    mismatches += _session_places_mismatches()
    if fix:
        for conference_id in sorted(
            {mismatch.conference_id for mismatch in mismatches if mismatch.session_id is None}
        ):
            place_counts_recount(conference_id=conference_id)
        session_places_recount(
            session_ids={m.session_id for m in mismatches if m.session_id is not None}
        )
    return mismatches


def _session_places_mismatches() -> list[PlaceCountMismatch]:
    booked = Count("bookings", filter=Q(bookings__status=SessionBooking.Status.BOOKED))
    rows = (
        Session.objects.order_by("conference_id", "pk")
        .values("pk", "conference_id", "places_booked")
        .annotate(counted=booked)
    )
    return [
        PlaceCountMismatch(
            conference_id=row["conference_id"],
            session_id=row["pk"],
            field="places_booked",
            stored=row["places_booked"],
            counted=row["counted"],
        )
        for row in rows
        if row["places_booked"] != row["counted"]
    ]


def place_counts_recount(*, conference_id: int) -> None:
    """Set one conference's counters from its registrations, under its lock."""
    with transaction.atomic():
        places_lock(conference=Conference(pk=conference_id))
        registrations = Registration.objects.filter(conference_id=conference_id)
        Conference.objects.filter(pk=conference_id).update(
            confirmed_count=registrations.filter(status=Registration.Status.CONFIRMED).count(),
            waitlisted_count=registrations.filter(status=Registration.Status.WAITLISTED).count(),
        )


def session_places_recount(*, session_ids: Iterable[int]) -> None:
    """Set these sessions' counters from their bookings, under their locks."""
    session_ids = set(session_ids)
    if not session_ids:
        return
    with transaction.atomic():
        places_lock(session_ids=session_ids)
        booked = dict(
            SessionBooking.objects.filter(
                session_id__in=session_ids, status=SessionBooking.Status.BOOKED
            )
            .order_by()
            .values_list("session_id")
            .annotate(count=Count("pk"))
        )
        for session_id in sorted(session_ids):
            Session.objects.filter(pk=session_id).update(places_booked=booked.get(session_id, 0))
