"""Writes to the programme that carry rules beyond a plain save."""

from django.conf import settings
from django.db import transaction

from conference.models import Session
from conference.signals import session_capacity_changed, session_moved

# Changing any of these moves the session for the people who booked it; the meeting point is
# written in each language (location_en, location_fr), and a change in any of them counts.
MOVING_FIELDS = {
    "starts_at",
    "ends_at",
    "room",
    "location",
    *(f"location_{code}" for code, _name in settings.LANGUAGES),
}
CAPACITY_FIELDS = {"capacity", "room"}


def session_save(*, session: Session, changed_fields: set[str]) -> Session:
    """Save an organiser's change to a session. A move raises its calendar revision and tells
    the delegates who booked it; a change of places rebalances its waiting list."""
    moved = bool(MOVING_FIELDS & changed_fields) and session.pk is not None
    with transaction.atomic():
        if moved:
            session.sequence += 1
        session.full_clean()
        session.save()
        if moved:
            session_moved.send(sender=Session, session=session)
        if CAPACITY_FIELDS & changed_fields:
            session_capacity_changed.send(sender=Session, session=session)
    return session
