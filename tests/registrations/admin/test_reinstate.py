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
from registrations.places.answers import registration_answers_set
from registrations.places.status import (
    registration_approve,
    registration_cancel,
    registration_reinstate,
)
from registrations.questions.answers import AnswersInput
from registrations.questions.builtin import BUILTIN_MEALS, CHOICE_GALA_DINNER
from registrations.questions.selectors import questions_asked
from tests.factories import AuthorityFactory, ConferenceFactory, RegistrationFactory
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


def gala(conference, capacity: int):
    meals = conference.questions.get(builtin=BUILTIN_MEALS)
    dinner = meals.choices.get(builtin=CHOICE_GALA_DINNER)
    dinner.capacity = capacity
    dinner.save()
    return meals, dinner


def choose(registration, meals, dinner) -> None:
    registration_answers_set(
        registration=registration,
        answers=AnswersInput(
            questions=tuple(questions_asked(registration.conference)),
            values={meals.pk: [dinner.pk]},
        ),
        special_needs_consent=False,
        by_organiser=True,
    )


def test_a_choice_filled_since_the_cancellation_refuses_the_reinstatement(conference):
    """Cancelling freed the gala seat and someone took it: reinstating would seat two."""
    meals, dinner = gala(conference, capacity=1)
    first = RegistrationFactory(conference=conference)
    choose(first, meals, dinner)
    registration_cancel(registration=first)
    OutboundEmail.objects.all().delete()
    choose(RegistrationFactory(conference=conference), meals, dinner)

    with pytest.raises(RegistrationError, match=f"{first.reference} cannot be reinstated: .*full"):
        registration_reinstate(registration=first)

    first.refresh_from_db()
    assert first.status == Registration.Status.CANCELLED
    conference.refresh_from_db()
    assert conference.confirmed_count == 1
    assert not OutboundEmail.objects.exists()


def test_a_choice_with_a_seat_left_is_kept_on_reinstating(conference):
    meals, dinner = gala(conference, capacity=2)
    first = RegistrationFactory(conference=conference)
    choose(first, meals, dinner)
    registration_cancel(registration=first)
    choose(RegistrationFactory(conference=conference), meals, dinner)

    registration_reinstate(registration=first)

    first.refresh_from_db()
    assert first.status == Registration.Status.CONFIRMED
    assert first.answers.get(question=meals).choices.get() == dinner


def test_a_refused_choice_shows_in_the_admin(as_role, conference):
    meals, dinner = gala(conference, capacity=1)
    first = RegistrationFactory(conference=conference)
    choose(first, meals, dinner)
    registration_cancel(registration=first)
    choose(RegistrationFactory(conference=conference), meals, dinner)
    reinstate = reverse("admin:registrations_registration_reinstate", args=[first.pk])

    response = as_role("Organisers").post(reinstate, follow=True)

    assert f"{first.reference} cannot be reinstated: “{dinner.label}” is full." in (
        response.content.decode()
    )
    first.refresh_from_db()
    assert first.status == Registration.Status.CANCELLED


def test_a_registration_cancelled_while_pending_waits_for_approval_again():
    conference = ConferenceFactory(capacity=2, approval_for_non_members=True)
    registration = RegistrationFactory(
        conference=conference,
        authority=AuthorityFactory(is_member=False),
        status=Registration.Status.PENDING,
        confirmed_at=None,
    )
    registration_cancel(registration=registration)
    OutboundEmail.objects.all().delete()

    registration_reinstate(registration=registration)

    registration.refresh_from_db()
    assert registration.status == Registration.Status.PENDING
    assert (registration.confirmed_at, registration.waitlisted_at) == (None, None)
    conference.refresh_from_db()
    assert (conference.confirmed_count, conference.waitlisted_count) == (0, 0)
    assert list(OutboundEmail.objects.values_list("kind", flat=True)) == [
        OutboundEmail.Kind.PENDING
    ]


def test_an_approved_registration_is_not_asked_for_approval_again():
    conference = ConferenceFactory(capacity=2, approval_for_non_members=True)
    registration = RegistrationFactory(
        conference=conference,
        authority=AuthorityFactory(is_member=False),
        status=Registration.Status.PENDING,
        confirmed_at=None,
    )
    registration_approve(registration=registration)
    registration_cancel(registration=registration)

    registration_reinstate(registration=registration)

    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED
    conference.refresh_from_db()
    assert conference.confirmed_count == 1
