"""Reinstating a cancelled registration: a place or the waiting list, as a newcomer would get,
recorded in the history, the delegate told by the usual email."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse

from registrations.errors import AuthorityFullError, RegistrationError
from registrations.models import (
    AuthorityAllotment,
    OutboundEmail,
    Registration,
    WebhookDelivery,
    WebhookEndpoint,
)
from registrations.places.status import registration_cancel, registration_reinstate
from tests.factories import ConferenceFactory, RegistrationFactory
from tests.staff import staff_login

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:registrations_registration_changelist"


@pytest.fixture
def as_role(client):
    def login(group: str):
        user = get_user_model().objects.create_user(
            group.lower().replace(" ", "-"), password="x", is_staff=True
        )
        user.groups.add(Group.objects.get(name=group))
        staff_login(client, user)
        return client

    return login


@pytest.fixture
def conference():
    return ConferenceFactory(capacity=2)


def cancelled(conference, **fields) -> Registration:
    registration = RegistrationFactory(conference=conference, **fields)
    registration_cancel(registration=registration)
    OutboundEmail.objects.all().delete()
    registration.refresh_from_db()
    return registration


def test_a_reinstated_registration_gets_a_free_place(conference):
    registration = cancelled(conference)
    WebhookEndpoint.objects.create(
        conference=conference,
        url="https://crm.example.org/hook",
        secret="s" * 32,
        events=["registration.confirmed"],
    )

    registration_reinstate(registration=registration)

    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED
    assert registration.cancelled_at is None
    assert registration.confirmed_at is not None
    conference.refresh_from_db()
    assert conference.confirmed_count == 1
    # The confirmation now, and the reminder planned for the days before.
    assert set(OutboundEmail.objects.values_list("kind", "status")) == {
        (OutboundEmail.Kind.CONFIRMED, OutboundEmail.Status.QUEUED),
        (OutboundEmail.Kind.REMINDER, OutboundEmail.Status.SCHEDULED),
    }
    assert [r.status for r in registration.history.order_by("history_date")][-2:] == [
        "cancelled",
        "confirmed",
    ]
    assert WebhookDelivery.objects.filter(event="registration.confirmed").count() == 1


def test_a_reinstated_registration_joins_the_end_of_the_waiting_list_when_full(conference):
    registration = cancelled(conference)
    RegistrationFactory.create_batch(2, conference=conference)
    waiting = RegistrationFactory(conference=conference, status=Registration.Status.WAITLISTED)

    registration_reinstate(registration=registration)

    registration.refresh_from_db()
    assert registration.status == Registration.Status.WAITLISTED
    assert registration.waitlisted_at > waiting.waitlisted_at
    conference.refresh_from_db()
    assert (conference.confirmed_count, conference.waitlisted_count) == (2, 2)
    assert list(OutboundEmail.objects.values_list("kind", flat=True)) == [
        OutboundEmail.Kind.WAITLISTED
    ]


def test_a_free_place_goes_to_the_waiting_list_first(conference):
    """A newcomer does not overtake those already waiting."""
    registration = cancelled(conference)
    RegistrationFactory(conference=conference)
    RegistrationFactory(conference=conference, status=Registration.Status.WAITLISTED)

    registration_reinstate(registration=registration)

    registration.refresh_from_db()
    assert registration.status == Registration.Status.WAITLISTED


def test_an_address_registered_again_cannot_be_reinstated(conference):
    registration = cancelled(conference, email="anna@krakow.pl")
    again = RegistrationFactory(conference=conference, email="Anna@krakow.pl")

    with pytest.raises(RegistrationError, match=again.reference):
        registration_reinstate(registration=registration)

    registration.refresh_from_db()
    assert registration.status == Registration.Status.CANCELLED


def test_the_authoritys_places_are_checked_as_for_a_newcomer(conference):
    registration = cancelled(conference)
    AuthorityAllotment.objects.create(
        conference=conference, authority=registration.authority, places=1
    )
    RegistrationFactory(conference=conference, authority=registration.authority)

    with pytest.raises(AuthorityFullError):
        registration_reinstate(registration=registration)


def test_only_cancelled_registrations_are_reinstated(conference):
    registration = RegistrationFactory(conference=conference)

    with pytest.raises(RegistrationError):
        registration_reinstate(registration=registration)


def test_organisers_reinstate_from_the_list(as_role, conference):
    registration = cancelled(conference)
    other = RegistrationFactory(conference=conference)

    response = as_role("Organisers").post(
        reverse(CHANGELIST),
        {"action": "reinstate_registrations", "_selected_action": [registration.pk, other.pk]},
        follow=True,
    )

    assert f"{registration.reference} reinstated: Confirmed." in response.content.decode()
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED
    assert registration.history.latest().history_user.username == "organisers"


def test_organisers_reinstate_from_the_registrations_page(as_role, conference):
    registration = cancelled(conference)
    client = as_role("Organisers")
    change = reverse("admin:registrations_registration_change", args=[registration.pk])
    reinstate = reverse("admin:registrations_registration_reinstate", args=[registration.pk])

    assert reinstate in client.get(change).content.decode()
    assert client.get(reinstate).status_code == 405
    response = client.post(reinstate)

    assert response.status_code == 302 and response.url == change
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED
    assert reinstate not in client.get(change).content.decode()


def test_a_refused_reinstatement_says_why(as_role, conference):
    registration = cancelled(conference, email="anna@krakow.pl")
    RegistrationFactory(conference=conference, email="anna@krakow.pl")
    reinstate = reverse("admin:registrations_registration_reinstate", args=[registration.pk])

    response = as_role("Organisers").post(reinstate, follow=True)

    assert "cannot be reinstated" in response.content.decode()


@pytest.mark.parametrize("group", ["Viewers", "Registration desk"])
def test_viewers_and_desk_cannot_reinstate(as_role, conference, group):
    registration = cancelled(conference)
    client = as_role(group)
    reinstate = reverse("admin:registrations_registration_reinstate", args=[registration.pk])

    assert client.post(reinstate).status_code == 403
    client.post(
        reverse(CHANGELIST),
        {"action": "reinstate_registrations", "_selected_action": [registration.pk]},
    )

    registration.refresh_from_db()
    assert registration.status == Registration.Status.CANCELLED
    assert not OutboundEmail.objects.exists()
