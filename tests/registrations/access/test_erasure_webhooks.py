"""A delegate's own erasure empties what the webhooks hold of them, as the retention purge
does: the payloads sent or to send, the receivers' answers, and withdraws what is not sent."""

import pytest
from django.utils import timezone

from registrations.access.self_service import registration_erase
from registrations.models import WebhookDelivery, WebhookDeliveryAttempt, WebhookEndpoint
from registrations.places.status import registration_cancel
from tests.factories import RegistrationFactory

pytestmark = pytest.mark.django_db

SURNAME, EMAIL = "Vandersloot", "m.vandersloot@leiden.example"


def test_erasure_empties_the_webhook_deliveries_and_withdraws_those_not_sent():
    registration = RegistrationFactory(last_name=SURNAME, email=EMAIL)
    other = RegistrationFactory(conference=registration.conference)
    endpoint = WebhookEndpoint.objects.create(
        conference=registration.conference, url="https://crm.example.org/hook", secret="s" * 32
    )

    def delivery(of, status) -> WebhookDelivery:
        return WebhookDelivery.objects.create(
            endpoint=endpoint,
            event="registration.created",
            payload={"registration": {"last_name": of.last_name, "email": of.email}},
            registration=of,
            status=status,
            last_error=f"refused {of.email}",
        )

    delivered = delivery(registration, WebhookDelivery.Status.DELIVERED)
    WebhookDeliveryAttempt.objects.create(
        delivery=delivered,
        number=1,
        started_at=timezone.now(),
        duration_ms=12,
        status_code=200,
        response_body=f"created contact {EMAIL}",
        error=f"slow answer about {SURNAME}",
    )
    queued = delivery(registration, WebhookDelivery.Status.QUEUED)
    others = delivery(other, WebhookDelivery.Status.QUEUED)
    registration_cancel(registration=registration)

    registration_erase(registration=registration)

    for emptied in WebhookDelivery.objects.filter(registration=registration):
        assert (emptied.payload, emptied.last_error) == ({}, "")
    attempt = WebhookDeliveryAttempt.objects.get(delivery=delivered)
    assert (attempt.response_body, attempt.error) == ("", "")
    delivered.refresh_from_db()
    queued.refresh_from_db()
    assert delivered.status == WebhookDelivery.Status.DELIVERED
    assert queued.status == WebhookDelivery.Status.WITHDRAWN
    assert queued.next_attempt_at is None
    others.refresh_from_db()
    assert others.status == WebhookDelivery.Status.QUEUED
    assert others.payload["registration"]["email"] == other.email
