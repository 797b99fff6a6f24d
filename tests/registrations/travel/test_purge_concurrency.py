import datetime as dt

import pytest

from registrations.models import SiteVisitIdentity, VisaLetterRequest
from registrations.privacy.travel_purge import visa_passport_data_purge, visit_identity_purge
from tests.concurrency import run_concurrently
from tests.factories import (
    ConferenceFactory,
    RegistrationFactory,
    SiteVisitIdentityFactory,
    SiteVisitSessionFactory,
    VisaLetterRequestFactory,
)
from tests.registrations.travel.conftest import visa_answer_email

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_travel_purges_at_once_purge_each_row_once():
    conference = ConferenceFactory()
    visit = SiteVisitSessionFactory(conference=conference)
    sent_at = dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)
    for _ in range(20):
        registration = RegistrationFactory(conference=conference)
        SiteVisitIdentityFactory(registration=registration, session=visit)
        refused = VisaLetterRequestFactory(
            registration=registration,
            status=VisaLetterRequest.Status.REFUSED,
            reviewed_at=sent_at,
        )
        visa_answer_email(refused, sent_at=sent_at)
    now = max(visit.ends_at, sent_at) + dt.timedelta(days=31)

    def purge(index: int) -> tuple[int, int]:
        return (
            visit_identity_purge(conference=conference, now=now),
            visa_passport_data_purge(conference=conference, now=now),
        )

    results = run_concurrently(2, purge)

    assert sum(identities for identities, _visas in results) == 20
    assert sum(visas for _identities, visas in results) == 20
    assert not SiteVisitIdentity.objects.exists()
    assert not VisaLetterRequest.objects.exclude(passport_number="").exists()
