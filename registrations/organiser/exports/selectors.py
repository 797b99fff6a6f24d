"""The rows of each exported list, in the order it prints them."""

from collections.abc import Iterator

from django.db.models import QuerySet

from conference.models import Conference
from registrations.models import Registration, SessionBooking
from registrations.organiser.exports.columns import attendee_annotations, attendee_fields


def attendee_list(queryset: QuerySet[Registration]) -> QuerySet[Registration]:
    """Registrations with what the attendee export prints, in one query."""
    return queryset.select_related("authority", "conference").order_by(
        "conference", "sort_name", "pk"
    )


def attendee_values(queryset: QuerySet[Registration], *, special_needs: bool = False) -> QuerySet:
    """The queryset's rows as the tuples exports.columns.attendee_columns() read."""
    return queryset.annotate(**attendee_annotations()).values_list(
        *attendee_fields(special_needs=special_needs)
    )


def attendee_rows(
    queryset: QuerySet[Registration], *, special_needs: bool = False, chunk_size: int
) -> Iterator[tuple]:
    """The attendee list's rows as the tuples exports.columns.attendee_columns() read, in the
    queryset's order, fetched chunk_size at a time (on PostgreSQL through a server-side
    cursor): memory stays flat whatever the number of rows."""
    return attendee_values(queryset, special_needs=special_needs).iterator(chunk_size=chunk_size)


def registrations_for_export(
    *,
    conference: Conference,
    status: str | None = None,
    category: str | None = None,
    country: str | None = None,
) -> QuerySet[Registration]:
    """The registrations of a conference, optionally of one status, category and country of
    their authority, in the attendee list's order."""
    registrations = Registration.objects.filter(conference=conference)
    if status:
        registrations = registrations.filter(status=status)
    if category:
        registrations = registrations.filter(category=category)
    if country:
        registrations = registrations.filter(authority__country=country)
    return attendee_list(registrations)


def bookings_for_export(bookings: QuerySet[SessionBooking]) -> QuerySet[SessionBooking]:
    """A session's bookings as its attendee list prints them: booked first, then the waiting
    list in order of arrival."""
    return bookings.select_related("registration__authority").order_by("status", "created_at", "pk")
