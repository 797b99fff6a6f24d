"""Which events are recorded, when, and what their payloads hold (and never hold)."""

import json
from dataclasses import replace

import pytest
from django.db import transaction

from registrations.access.self_service import registration_update_details
from registrations.models import Registration, WebhookDelivery, WebhookEvent
from registrations.onsite.check_in import check_in
from registrations.places.registrations import RegistrationData, registration_create
from registrations.places.status import registration_approve, registration_cancel
from registrations.webhooks.endpoints import webhook_endpoint_set_active
from tests.factories import AuthorityFactory, ConferenceFactory, RegistrationFactory

pytestmark = pytest.mark.django_db

NEEDS = "Coeliac; wheelchair user"

DATA = RegistrationData(
    first_name="Marta",
    last_name="Nowak",
    email="marta.nowak@gdansk.pl",
    job_title="Prevention officer",
    dietary_needs="Coeliac",
    accessibility_needs="Wheelchair user",
)


def register(conference, data=DATA):
    return registration_create(
        conference=conference,
        authority=AuthorityFactory(),
        data=data,
        special_needs_consent=True,
    ).registration


def events_of(registration) -> list[str]:
    return list(
        WebhookDelivery.objects.filter(registration=registration)
        .order_by("pk")
        .values_list("event", flat=True)
    )


def test_registration_created_records_created_and_confirmed_for_a_subscribed_endpoint(
    endpoint_for,
):
    conference = ConferenceFactory()
    endpoint = endpoint_for(conference)

    registration = register(conference)

    assert events_of(registration) == ["registration.created", "registration.confirmed"]
    created = WebhookDelivery.objects.get(event="registration.created")
    assert created.endpoint == endpoint
    assert created.status == WebhookDelivery.Status.QUEUED
    assert created.payload == {
        "id": str(created.delivery_id),
        "event": "registration.created",
        "created_at": created.payload["created_at"],
        "conference": {"id": conference.pk, "slug": conference.slug},
        "data": {
            "registration": {
                "id": registration.pk,
                "reference": registration.reference,
                "status": "confirmed",
                "authority_id": registration.authority_id,
                "delegation_id": None,
            }
        },
    }


def test_registration_on_full_conference_records_waitlisted(endpoint_for):
    conference = ConferenceFactory(capacity=1)
    RegistrationFactory(conference=conference)
    endpoint_for(conference)

    registration = register(conference)

    assert registration.status == Registration.Status.WAITLISTED
    assert events_of(registration) == ["registration.created", "registration.waitlisted"]


def test_endpoint_gets_only_the_events_it_subscribed_to_of_its_own_conference(endpoint_for):
    conference, other = ConferenceFactory(), ConferenceFactory()
    endpoint_for(conference, events=["registration.confirmed"])
    endpoint_for(other)

    registration = register(conference)

    assert events_of(registration) == ["registration.confirmed"]


def test_disabled_endpoint_gets_nothing(endpoint_for):
    conference = ConferenceFactory()
    webhook_endpoint_set_active(endpoint=endpoint_for(conference), active=False)

    assert events_of(register(conference)) == []


def test_event_is_not_recorded_when_the_transaction_rolls_back(endpoint_for):
    conference = ConferenceFactory()
    endpoint_for(conference)

    class Abandoned(Exception):
        pass

    with pytest.raises(Abandoned), transaction.atomic():
        register(conference)
        assert WebhookDelivery.objects.count() == 2  # written in the same transaction…
        raise Abandoned

    assert WebhookDelivery.objects.count() == 0  # …and gone with it
    assert Registration.objects.count() == 0


def test_cancellation_records_cancelled_with_the_status_change_and_promotion_confirmed(
    endpoint_for,
):
    conference = ConferenceFactory(capacity=1)
    first = RegistrationFactory(conference=conference)
    waiting = RegistrationFactory(conference=conference, status=Registration.Status.WAITLISTED)
    endpoint_for(conference)

    registration_cancel(registration=first)

    [cancelled] = WebhookDelivery.objects.filter(registration=first)
    assert cancelled.event == "registration.cancelled"
    assert cancelled.payload["data"]["changes"] == {
        "status": {"from": "confirmed", "to": "cancelled"}
    }
    [promoted] = WebhookDelivery.objects.filter(registration=waiting)
    assert promoted.event == "registration.confirmed"
    assert promoted.payload["data"]["changes"] == {
        "status": {"from": "waitlisted", "to": "confirmed"}
    }


def test_approval_records_confirmed(endpoint_for):
    conference = ConferenceFactory()
    pending = RegistrationFactory(conference=conference, status=Registration.Status.PENDING)
    endpoint_for(conference)

    registration_approve(registration=pending)

    assert events_of(pending) == ["registration.confirmed"]


def test_self_service_update_names_changed_fields_but_never_special_needs(endpoint_for):
    conference = ConferenceFactory()
    endpoint_for(conference)
    registration = register(conference)
    WebhookDelivery.objects.all().delete()

    registration_update_details(
        registration=registration,
        data=replace(DATA, job_title="Deputy mayor", dietary_needs="Vegan, " + NEEDS),
        special_needs_consent=True,
    )

    [updated] = WebhookDelivery.objects.all()
    assert updated.event == "registration.updated"
    assert updated.payload["data"]["changes"] == {"fields": ["job_title"]}
    assert "needs" not in json.dumps(updated.payload)


def test_update_of_special_needs_alone_records_no_event(endpoint_for):
    conference = ConferenceFactory()
    endpoint_for(conference)
    registration = register(conference)
    WebhookDelivery.objects.all().delete()

    registration_update_details(
        registration=registration,
        data=replace(DATA, accessibility_needs="Step-free access"),
        special_needs_consent=True,
    )

    assert WebhookDelivery.objects.count() == 0


def test_no_payload_of_any_event_holds_special_needs(endpoint_for):
    conference = ConferenceFactory(capacity=1)
    endpoint_for(conference)
    first = register(conference)
    second = register(conference, replace(DATA, email="second@gdansk.pl", first_name="Ola"))
    registration_update_details(
        registration=first,
        data=replace(DATA, last_name="Nowak-Kowalska", dietary_needs=NEEDS),
        special_needs_consent=True,
    )
    check_in(registration=first, by=None)
    registration_cancel(registration=first)

    payloads = [json.dumps(d.payload) for d in WebhookDelivery.objects.order_by("pk")]
    assert {d.event for d in WebhookDelivery.objects.all()} == {e.value for e in WebhookEvent} - {
        "webhook.test"
    }
    for text in payloads:
        for needs in ("Coeliac", "Wheelchair", "needs", NEEDS):
            assert needs not in text
    assert second.pk  # the waiting delegate, promoted by the cancellation


def test_check_in_records_checkin_created_once(endpoint_for):
    conference = ConferenceFactory()
    endpoint_for(conference, events=["checkin.created"])
    registration = RegistrationFactory(conference=conference)

    result = check_in(registration=registration, by=None)
    check_in(registration=registration, by=None)  # scanned twice: nothing new

    [delivery] = WebhookDelivery.objects.all()
    assert delivery.event == "checkin.created"
    assert delivery.payload["data"]["check_in"] == {
        "id": result.check_in.pk,
        "session_id": None,
        "checked_in_at": result.check_in.checked_in_at.isoformat(),
    }


def test_delegation_and_substitution_record_each_member_and_the_colleague(endpoint_for):
    from registrations.authorities.delegations import (
        Coordinator,
        delegation_register,
        delegation_substitute,
    )

    conference = ConferenceFactory()
    endpoint_for(conference, events=["registration.created", "registration.cancelled"])
    delegation = delegation_register(
        conference=conference,
        authority=AuthorityFactory(name="Liège", country="BE"),
        coordinator=Coordinator(
            first_name="Marie", last_name="Dupont", email="marie@liege.be", preferred_language="fr"
        ),
        members=[replace(DATA, email="jan@liege.be"), replace(DATA, email="els@liege.be")],
    )
    jan = delegation.members.get(email="jan@liege.be")

    an = delegation_substitute(registration=jan, data=replace(DATA, email="an@liege.be"))

    assert [(d.event, d.registration.email) for d in WebhookDelivery.objects.order_by("pk")] == [
        ("registration.created", "jan@liege.be"),
        ("registration.created", "els@liege.be"),
        ("registration.cancelled", "jan@liege.be"),
        ("registration.created", "an@liege.be"),
    ]
    assert WebhookDelivery.objects.last().payload["data"]["registration"]["delegation_id"] == (
        delegation.pk
    )
    assert an.pk != jan.pk


def test_organisers_edit_in_the_admin_records_updated_with_the_changed_fields(
    endpoint_for, admin_client
):
    from django.urls import reverse

    from tests.admin_forms import change_form_data

    conference = ConferenceFactory()
    endpoint_for(conference, events=["registration.updated"])
    registration = RegistrationFactory(conference=conference, dietary_needs="Coeliac")
    url = reverse("admin:registrations_registration_change", args=[registration.pk])
    data = change_form_data(admin_client.get(url))

    response = admin_client.post(
        url, {**data, "job_title": "Mayor", "dietary_needs": "Coeliac, " + NEEDS}
    )

    assert response.status_code == 302
    [updated] = WebhookDelivery.objects.all()
    assert updated.payload["data"]["changes"] == {"fields": ["job_title"]}
    assert "Coeliac" not in json.dumps(updated.payload)
