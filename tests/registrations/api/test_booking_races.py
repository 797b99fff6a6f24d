"""The API's booking and unbooking of one session keep the delegate's other bookings as they
are when the registration is locked: a change made meanwhile (the delegate booking a visit on
their page) is neither undone nor has its identity data deleted."""

import datetime as dt

import pytest
from django.urls import reverse

from registrations.models import SessionBooking
from registrations.places import bookings
from tests.factories import (
    RegistrationFactory,
    SessionFactory,
    SiteVisitIdentityFactory,
    SiteVisitSessionFactory,
)
from tests.factories.registrations import SessionBookingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def organiser(api, make_token):
    return api(make_token())


@pytest.fixture
def meanwhile(monkeypatch):
    """meanwhile(change): `change` runs just before the registration's lock is granted, as a
    concurrent transaction's committed change would be seen then."""

    def arrange(change):
        real_lock = bookings.places_lock
        done = []

        def lock_after_the_change(**rows):
            if rows.get("registration") is not None and not done:
                done.append(True)
                change()
            return real_lock(**rows)

        monkeypatch.setattr(bookings, "places_lock", lock_after_the_change)

    return arrange


def visit_and_workshop(conference):
    visit = SiteVisitSessionFactory(conference=conference)
    workshop = SessionFactory(
        conference=conference, starts_at=visit.ends_at + dt.timedelta(hours=1)
    )
    return visit, workshop


def delegate_books_the_visit(registration, visit):
    def change():
        SessionBookingFactory(
            registration=registration, session=visit, status=SessionBooking.Status.BOOKED
        )
        SiteVisitIdentityFactory(registration=registration, session=visit)

    return change


def test_booking_keeps_a_visit_booked_meanwhile(organiser, conference, meanwhile):
    registration = RegistrationFactory(conference=conference)
    visit, workshop = visit_and_workshop(conference)
    meanwhile(delegate_books_the_visit(registration, visit))

    response = organiser.post(
        reverse("api:bookings", args=[conference.slug, registration.reference]),
        {"session": workshop.pk},
    )

    assert response.status_code == 201
    assert set(registration.bookings.values_list("session", flat=True)) == {visit.pk, workshop.pk}
    assert registration.visit_identities.filter(session=visit).exists()


def test_unbooking_keeps_a_visit_booked_meanwhile_and_its_identity_data(
    organiser, conference, meanwhile
):
    registration = RegistrationFactory(conference=conference)
    visit, workshop = visit_and_workshop(conference)
    SessionBookingFactory(
        registration=registration, session=workshop, status=SessionBooking.Status.BOOKED
    )
    meanwhile(delegate_books_the_visit(registration, visit))

    response = organiser.delete(
        reverse("api:booking", args=[conference.slug, registration.reference, workshop.pk])
    )

    assert response.status_code == 204
    assert list(registration.bookings.values_list("session", flat=True)) == [visit.pk]
    assert registration.visit_identities.filter(session=visit).exists()


def test_unbooking_a_session_given_up_meanwhile_is_a_404(organiser, conference, meanwhile):
    registration = RegistrationFactory(conference=conference)
    workshop = SessionFactory(conference=conference)
    SessionBookingFactory(
        registration=registration, session=workshop, status=SessionBooking.Status.BOOKED
    )
    meanwhile(
        lambda: bookings.session_booking_remove(registration=registration, session_id=workshop.pk)
    )

    response = organiser.delete(
        reverse("api:booking", args=[conference.slug, registration.reference, workshop.pk])
    )

    assert response.status_code == 404


def test_booking_a_session_booked_meanwhile_answers_it_is_there(organiser, conference, meanwhile):
    registration = RegistrationFactory(conference=conference)
    workshop = SessionFactory(conference=conference)
    meanwhile(
        lambda: SessionBookingFactory(
            registration=registration, session=workshop, status=SessionBooking.Status.BOOKED
        )
    )

    response = organiser.post(
        reverse("api:bookings", args=[conference.slug, registration.reference]),
        {"session": workshop.pk},
    )

    assert response.status_code == 200
    assert registration.bookings.count() == 1
