"""The limits on meeting requests hold when a delegate sends many at once (PostgreSQL)."""

import pytest

from registrations.models import MeetingRequest
from registrations.network.directory import directory_listing_save
from registrations.network.meetings import (
    MEETING_REQUESTS_PER_DAY,
    MeetingRequestRefused,
    meeting_request_create,
)
from tests.concurrency import run_concurrently
from tests.factories import ConferenceFactory, RegistrationFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_requests_sent_at_once_keep_to_the_daily_limit_and_one_per_pair():
    conference = ConferenceFactory()
    sender = RegistrationFactory(conference=conference)
    directory_listing_save(registration=sender, languages=[], themes=[])
    others = [
        RegistrationFactory(conference=conference) for _ in range(MEETING_REQUESTS_PER_DAY + 4)
    ]
    for other in others:
        directory_listing_save(registration=other, languages=[], themes=[])
    # Each recipient is asked twice at once, and more recipients than the day allows.
    targets = others + others

    def send(index: int) -> bool:
        try:
            meeting_request_create(
                sender=sender, recipient=targets[index], message="Hello", slot=None
            )
        except MeetingRequestRefused:
            return False
        return True

    results = run_concurrently(len(targets), send)

    assert sum(results) == MEETING_REQUESTS_PER_DAY
    sent = MeetingRequest.objects.filter(sender=sender)
    assert sent.count() == MEETING_REQUESTS_PER_DAY
    assert len(set(sent.values_list("recipient", flat=True))) == MEETING_REQUESTS_PER_DAY
