"""registration_create as organisers call it (the admin's add page and import): no email
unless asked, outside the public period, an address already registered refused."""

import datetime as dt

import pytest
from django.utils import timezone

from registrations.errors import AlreadyRegisteredError, RegistrationClosedError
from registrations.models import OutboundEmail, Registration
from registrations.places.registrations import RegistrationData, registration_create
from tests.factories import AuthorityFactory, ConferenceFactory, RegistrationFactory

pytestmark = pytest.mark.django_db

DATA = RegistrationData(
    first_name="Ewa", last_name="Nowak", email="ewa@krakow.pl", job_title="Mayor"
)


@pytest.fixture
def authority():
    return AuthorityFactory(name="Kraków", country="PL")


def test_without_notify_nothing_is_queued(authority):
    conference = ConferenceFactory(reminder_days_before=3)

    outcome = registration_create(
        conference=conference, data=DATA, authority=authority, notify=False, by_organiser=True
    )

    assert outcome.registration.status == Registration.Status.CONFIRMED
    assert not OutboundEmail.objects.exists()


def test_with_notify_the_status_email_and_the_reminder_are_queued(authority):
    conference = ConferenceFactory(reminder_days_before=3, capacity=0)

    outcome = registration_create(
        conference=conference, data=DATA, authority=authority, by_organiser=True
    )

    assert outcome.registration.status == Registration.Status.WAITLISTED
    assert list(OutboundEmail.objects.values_list("kind", flat=True)) == [
        OutboundEmail.Kind.WAITLISTED
    ]


def test_organisers_register_outside_the_public_period_the_public_does_not(authority):
    conference = ConferenceFactory(registration_closes_at=timezone.now() - dt.timedelta(days=1))

    with pytest.raises(RegistrationClosedError):
        registration_create(conference=conference, data=DATA, authority=authority)
    outcome = registration_create(
        conference=conference, data=DATA, authority=authority, by_organiser=True
    )

    assert outcome.created


def test_an_address_already_registered_is_refused_to_organisers_without_a_reminder(authority):
    conference = ConferenceFactory()
    existing = RegistrationFactory(conference=conference, email="EWA@krakow.pl")

    with pytest.raises(AlreadyRegisteredError, match=existing.reference):
        registration_create(
            conference=conference, data=DATA, authority=authority, by_organiser=True
        )

    assert not OutboundEmail.objects.exists()
    # The public sign-up still answers as before: the owner is reminded.
    outcome = registration_create(conference=conference, data=DATA, authority=authority)
    assert not outcome.created
    assert OutboundEmail.objects.get().kind == OutboundEmail.Kind.ALREADY_REGISTERED
