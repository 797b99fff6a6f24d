"""Real concurrency on PostgreSQL: threads, each with its own connection, racing for places."""

import pytest

from registrations.models import Registration
from registrations.places.registrations import RegistrationData, registration_create
from registrations.places.status import registration_cancel
from tests.concurrency import run_concurrently
from tests.factories import AuthorityFactory, ConferenceFactory, RegistrationFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_40_concurrent_registrations_for_10_places_confirm_exactly_10():
    conference = ConferenceFactory(capacity=15)
    RegistrationFactory.create_batch(5, conference=conference)
    authority = AuthorityFactory()

    def register(index: int) -> str:
        outcome = registration_create(
            conference=conference,
            authority=authority,
            data=RegistrationData(
                first_name="Delegate",
                last_name="Concurrent",
                email=f"racer{index}@example.org",
                job_title="Adviser",
            ),
        )
        return outcome.registration.status

    statuses = run_concurrently(40, register)

    assert statuses.count(Registration.Status.CONFIRMED) == 10
    assert statuses.count(Registration.Status.WAITLISTED) == 30
    confirmed = conference.registrations.filter(status=Registration.Status.CONFIRMED).count()
    assert confirmed == 15
    references = set(conference.registrations.values_list("reference", flat=True))
    assert len(references) == 45


def test_concurrent_sign_ups_with_the_same_email_create_one_registration():
    conference = ConferenceFactory(capacity=50)
    authority = AuthorityFactory()

    def register(index: int) -> bool:
        return registration_create(
            conference=conference,
            authority=authority,
            data=RegistrationData(
                first_name="Anna",
                last_name="Nowak",
                email="ANNA.nowak@gdansk.pl" if index % 2 else "anna.nowak@gdansk.pl",
                job_title="Adviser",
            ),
        ).created

    created = run_concurrently(10, register)

    assert created.count(True) == 1
    assert conference.registrations.count() == 1


def test_concurrent_cancellations_promote_each_waiting_delegate_once():
    conference = ConferenceFactory(capacity=5)
    confirmed = RegistrationFactory.create_batch(5, conference=conference)
    RegistrationFactory.create_batch(
        8, conference=conference, status=Registration.Status.WAITLISTED
    )

    run_concurrently(5, lambda index: registration_cancel(registration=confirmed[index]))

    statuses = list(conference.registrations.values_list("status", flat=True))
    assert statuses.count(Registration.Status.CONFIRMED) == 5
    assert statuses.count(Registration.Status.WAITLISTED) == 3
    assert statuses.count(Registration.Status.CANCELLED) == 5
