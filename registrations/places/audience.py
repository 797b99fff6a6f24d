"""Who a session concerns: the delegates told when it changes."""

from django.db.models import QuerySet

from conference.models import Session
from registrations.models import Registration


def session_audience(session: Session) -> QuerySet[Registration]:
    """The delegates a change of the session concerns, in a stable order. For a session that
    needs sign-up: those holding a place in it or waiting for one (active registrations). For
    the others (a plenary, a social event), open to all: every confirmed delegate of the
    conference, since registrations do not yet record the days each delegate attends; the one
    place to narrow it to those attending the session's day."""
    if session.requires_sign_up:
        return (
            Registration.objects.active()
            .filter(bookings__session=session)
            .distinct()
            .order_by("pk")
        )
    return Registration.objects.filter(
        conference_id=session.conference_id, status=Registration.Status.CONFIRMED
    ).order_by("pk")
