"""`updated_since` sees every change an organiser's system reads in a registration, including
those written in other rows or by update(): bookings given or taken (by the delegate, the API,
a session's waiting list), check-ins and their undoing, the purge's erasures."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from registrations.models import Registration, SessionBooking
from registrations.onsite.check_in import check_in, check_in_undo
from registrations.privacy.purge import personal_data_purge
from registrations.privacy.schedule import retention_deadlines
from tests.factories import RegistrationFactory, SessionFactory
from tests.factories.registrations import SessionBookingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def organiser(api, make_token):
    return api(make_token())


@pytest.fixture
def changed_since(organiser, conference):
    """changed_since(since) -> the references the API lists as updated since then."""

    def references(since: dt.datetime) -> set[str]:
        response = organiser.get(
            reverse("api:registrations", args=[conference.slug]),
            {"updated_since": since.isoformat()},
        )
        return {row["reference"] for row in response.json()["results"]}

    return references


def long_unchanged(registration: Registration) -> dt.datetime:
    """Make the registration look untouched for two days; returns a sync's time since."""
    Registration.objects.filter(pk=registration.pk).update(
        updated_at=timezone.now() - dt.timedelta(days=2)
    )
    return timezone.now() - dt.timedelta(days=1)


def test_api_booking_and_unbooking(organiser, conference, changed_since):
    registration = RegistrationFactory(conference=conference)
    session = SessionFactory(conference=conference)
    since = long_unchanged(registration)
    organiser.post(
        reverse("api:bookings", args=[conference.slug, registration.reference]),
        {"session": session.pk},
    )
    assert changed_since(since) == {registration.reference}

    since = long_unchanged(registration)
    organiser.delete(
        reverse("api:booking", args=[conference.slug, registration.reference, session.pk])
    )
    assert changed_since(since) == {registration.reference}


def test_a_place_given_from_a_sessions_waiting_list(
    organiser, conference, changed_since, django_capture_on_commit_callbacks
):
    session = SessionFactory(conference=conference, capacity=1)
    holder, waiting = RegistrationFactory.create_batch(2, conference=conference)
    SessionBookingFactory(registration=holder, session=session, status=SessionBooking.Status.BOOKED)
    SessionBookingFactory(
        registration=waiting, session=session, status=SessionBooking.Status.WAITING
    )
    long_unchanged(holder)
    since = long_unchanged(waiting)

    with django_capture_on_commit_callbacks(execute=True):
        organiser.delete(
            reverse("api:booking", args=[conference.slug, holder.reference, session.pk])
        )

    assert waiting.bookings.get().status == SessionBooking.Status.BOOKED
    assert changed_since(since) == {holder.reference, waiting.reference}


def test_check_in_and_its_undoing(conference, changed_since):
    registration = RegistrationFactory(conference=conference)
    since = long_unchanged(registration)
    made = check_in(registration=registration, by=None).check_in
    assert changed_since(since) == {registration.reference}

    since = long_unchanged(registration)
    check_in_undo(check_in=made, by=None)
    assert changed_since(since) == {registration.reference}


def test_the_purges_needs_wipe_and_anonymisation(conference):
    registration = RegistrationFactory(
        conference=conference, dietary_needs="Vegetarian", accessibility_needs=""
    )
    deadlines = retention_deadlines(conference)
    long_unchanged(registration)

    needs_wiped = deadlines.needs + dt.timedelta(hours=1)
    personal_data_purge(conferences=[conference], now=needs_wiped)
    registration.refresh_from_db()
    assert registration.dietary_needs == ""
    assert registration.erased_at is None
    assert registration.updated_at == needs_wiped

    anonymised = deadlines.identifying + dt.timedelta(hours=1)
    personal_data_purge(conferences=[conference], now=anonymised)
    registration.refresh_from_db()
    assert registration.erased_at == anonymised
    assert registration.updated_at == anonymised
