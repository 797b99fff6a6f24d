"""The rows of each exported list, in the order it prints them."""

from django.db.models import QuerySet

from conference.models import Conference
from registrations.models import Registration, SessionBooking


def attendee_list(queryset: QuerySet[Registration]) -> QuerySet[Registration]:
    """Registrations with what the attendee export prints, in one query."""
    return queryset.select_related("authority", "conference").order_by(
        "conference", "last_name", "first_name", "pk"
    )


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
