"""The travel part of the retention purge (site-visit identity data, visa letters' passport
data), and of a delegate's data export and erasure: the interface the retention purge calls.
The rules live in registrations.travel; this module names them for the privacy domain."""

from datetime import datetime

from conference.models import Conference
from registrations.travel.data import travel_data_erase, travel_data_for_export
from registrations.travel.retention import (
    visa_passport_data_remove,
    visa_requests_due,
    visit_identities_due,
)

__all__ = [
    "travel_data_erase",
    "travel_data_for_export",
    "visa_passport_data_purge",
    "visit_identity_purge",
]


def visit_identity_purge(*, conference: Conference, now: datetime, dry_run: bool = False) -> int:
    """Delete the identity data of the conference's site visits that ended
    `identity_days_after_visit` days before `now` or earlier. Returns the rows deleted (or, with
    `dry_run`, that would be). Deleting twice deletes nothing more, so two runs at once agree."""
    due = visit_identities_due(conference=conference, now=now)
    if dry_run:
        return due.count()
    deleted, _by_model = due.delete()
    return deleted


def visa_passport_data_purge(
    *, conference: Conference, now: datetime, dry_run: bool = False
) -> int:
    """Empty the passport data of the conference's visa requests `visa_days_after_letter` days
    after their letter was sent or they were refused, and delete their letters. Returns the
    requests emptied (or, with `dry_run`, that would be)."""
    due = visa_requests_due(conference=conference, now=now)
    if dry_run:
        return due.count()
    return visa_passport_data_remove(due, now=now)
