"""Identity data go with the visit's booking, whoever removes it: the booking service does it
in the one place bookings are removed (places.bookings.session_bookings_remove)."""

import pytest
from django.urls import reverse

from registrations.models import Registration, SiteVisitIdentity
from registrations.places.bookings import session_bookings_set
from registrations.places.status import registration_reject
from tests.factories import (
    RegistrationFactory,
    SessionFactory,
    SiteVisitIdentityFactory,
    SiteVisitSessionFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def visits(conference):
    first = SiteVisitSessionFactory(conference=conference)
    second = SiteVisitSessionFactory(
        conference=conference,
        starts_at=first.ends_at,
        ends_at=first.ends_at + (first.ends_at - first.starts_at),
    )
    return first, second


def _booked_with_identities(registration, sessions):
    session_bookings_set(registration=registration, sessions=sessions)
    return [
        SiteVisitIdentityFactory(registration=registration, session=session) for session in sessions
    ]


def test_the_booking_service_deletes_the_identity_data_of_a_visit_it_unbooks(conference, visits):
    first, second = visits
    registration = RegistrationFactory(conference=conference)
    other = RegistrationFactory(conference=conference)
    _gone, kept = _booked_with_identities(registration, [first, second])
    [others] = _booked_with_identities(other, [first])
    talk = SessionFactory(
        conference=conference,
        starts_at=second.ends_at,
        ends_at=second.ends_at + (second.ends_at - second.starts_at),
    )

    # What the API's booking_delete and every other caller do: keep the rest.
    session_bookings_set(registration=registration, sessions=[second, talk])

    assert set(SiteVisitIdentity.objects.all()) == {kept, others}


def test_cancelling_in_the_admin_deletes_the_identity_data_at_once(
    admin_client, conference, visits
):
    registration = RegistrationFactory(conference=conference)
    other = RegistrationFactory(conference=conference)
    _booked_with_identities(registration, list(visits))
    [kept] = _booked_with_identities(other, [visits[0]])

    response = admin_client.post(
        reverse("admin:registrations_registration_changelist"),
        {"action": "cancel_registrations", "_selected_action": [registration.pk], "post": "yes"},
        follow=True,
    )

    assert response.status_code == 200
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CANCELLED
    assert list(SiteVisitIdentity.objects.all()) == [kept]


def test_rejecting_a_pending_registration_deletes_its_identity_data(conference, visits):
    registration = RegistrationFactory(conference=conference, status=Registration.Status.PENDING)
    _booked_with_identities(registration, [visits[0]])

    registration_reject(registration=registration)

    assert not SiteVisitIdentity.objects.exists()
