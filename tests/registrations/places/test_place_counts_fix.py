"""A place freed by correcting a session's counter (place_counts_check --fix) goes to its waiting
list, as every other change that frees a place: a new registration's bookings rely on nobody
confirmed waiting where a place is free (session_bookings_new)."""

from io import StringIO

import pytest
from django.core.management import call_command

from conference.models import Session
from registrations.models import OutboundEmail, SessionBooking
from registrations.places.bookings import session_bookings_set
from registrations.places.registrations import RegistrationData, registration_create
from tests.factories import AuthorityFactory, ConferenceFactory, RegistrationFactory, SessionFactory

BOOKED = SessionBooking.Status.BOOKED
WAITING = SessionBooking.Status.WAITING


@pytest.mark.django_db
def test_a_place_freed_by_fixing_a_counter_goes_to_the_delegate_waiting_not_a_newcomer():
    conference = ConferenceFactory(capacity=100)
    workshop = SessionFactory(conference=conference, capacity=2, room=None)
    holder, waiting = RegistrationFactory.create_batch(2, conference=conference)
    session_bookings_set(registration=holder, sessions=[workshop])
    # The counter one too high (written outside the services): the workshop looks full.
    Session.objects.filter(pk=workshop.pk).update(places_booked=2)
    session_bookings_set(registration=waiting, sessions=[workshop])
    assert waiting.bookings.get().status == WAITING

    call_command("place_counts_check", "--fix", stdout=StringIO())
    newcomer = registration_create(
        conference=conference,
        authority=AuthorityFactory(),
        data=RegistrationData(
            first_name="Late", last_name="Comer", email="late@example.org", job_title="Adviser"
        ),
        sessions=[workshop],
    ).registration

    assert waiting.bookings.get().status == BOOKED
    assert newcomer.bookings.get().status == WAITING
    workshop.refresh_from_db()
    assert workshop.places_booked == 2
    assert waiting.emails.filter(kind=OutboundEmail.Kind.SESSION_PROMOTED).count() == 1
