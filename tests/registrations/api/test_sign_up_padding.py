"""A sign-up's timing padding runs once the conference lock is released: every caller wraps
registration_create in its own transaction, and a sleep inside it would make each other
sign-up on the conference wait it out."""

import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import OperationalError, connection, transaction
from django.urls import reverse

from conference.models import Conference
from registrations.places import registrations as sign_up
from registrations.places.registrations import RegistrationData, registration_create
from tests.factories import AuthorityFactory, ConferenceFactory
from tests.registrations.api.conftest import bearer

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def pads(monkeypatch):
    """The paddings slept, each as (seconds, whether a transaction was still open then); the
    other branch is made the slower so that every sign-up pads."""
    slept: list[tuple[float, bool]] = []
    monkeypatch.setattr(sign_up.sign_up_time, "seconds", {"new": 5.0, "repeated": 5.0})
    monkeypatch.setattr(
        sign_up.time, "sleep", lambda seconds: slept.append((seconds, connection.in_atomic_block))
    )
    return slept


def registration_body(authority, email: str) -> dict:
    return {
        "authority": authority.pk,
        "first_name": "Delegate",
        "last_name": "Padded",
        "email": email,
        "job_title": "Adviser",
        "privacy_consent": True,
    }


@pytest.mark.parametrize("idempotency_key", ["", "crm-42"])
def test_api_create_pads_after_the_commit(client, make_token, pads, idempotency_key):
    user = get_user_model().objects.create_superuser("organiser", password="x")
    conference = ConferenceFactory()
    headers = bearer(make_token(user=user))
    if idempotency_key:
        headers["HTTP_IDEMPOTENCY_KEY"] = idempotency_key

    response = client.post(
        reverse("api:registrations", args=[conference.slug]),
        registration_body(AuthorityFactory(), "padded@example.org"),
        content_type="application/json",
        **headers,
    )

    assert response.status_code == 201
    assert len(pads) == 1
    seconds, in_transaction = pads[0]
    assert seconds > 0
    assert in_transaction is False


def test_create_inside_the_callers_transaction_pads_after_its_commit(pads):
    conference = ConferenceFactory()
    authority = AuthorityFactory()
    data = RegistrationData(
        first_name="Delegate", last_name="Padded", email="padded@example.org", job_title="Adviser"
    )

    # As the registration page does (with the visit identities in the same transaction).
    with transaction.atomic():
        first = registration_create(conference=conference, data=data, authority=authority)
        assert pads == []
    with transaction.atomic():
        repeated = registration_create(conference=conference, data=data, authority=authority)

    assert first.created is True
    assert repeated.created is False
    assert [in_transaction for _seconds, in_transaction in pads] == [False, False]


def test_create_without_a_transaction_pads_before_returning(pads):
    outcome = registration_create(
        conference=ConferenceFactory(),
        data=RegistrationData(
            first_name="Delegate", last_name="Padded", email="p@example.org", job_title="Adviser"
        ),
        authority=AuthorityFactory(),
    )

    assert outcome.created is True
    assert [in_transaction for _seconds, in_transaction in pads] == [False]


def test_another_sign_up_can_lock_the_conference_while_one_pads(client, make_token, monkeypatch):
    """On PostgreSQL, from another connection: the conference's row is free during the pad."""
    user = get_user_model().objects.create_superuser("organiser", password="x")
    conference = ConferenceFactory()
    lockable_during_pad: list[bool] = []

    def lock_from_another_connection() -> None:
        try:
            with transaction.atomic():
                Conference.objects.select_for_update(no_key=True, nowait=True).get(pk=conference.pk)
            lockable_during_pad.append(True)
        except OperationalError:
            lockable_during_pad.append(False)
        finally:
            connection.close()

    def pad(seconds: float) -> None:
        other = threading.Thread(target=lock_from_another_connection)
        other.start()
        other.join()

    monkeypatch.setattr(sign_up.sign_up_time, "seconds", {"new": 5.0, "repeated": 5.0})
    monkeypatch.setattr(sign_up.time, "sleep", pad)

    response = client.post(
        reverse("api:registrations", args=[conference.slug]),
        registration_body(AuthorityFactory(), "padded@example.org"),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="crm-43",
        **bearer(make_token(user=user)),
    )

    assert response.status_code == 201
    assert lockable_during_pad == [True]
