"""Delivering to a real receiver on 127.0.0.1, with the task run in-process: signed, once,
retried after failures with each attempt logged, disabled after repeated failure."""

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.utils import timezone

from registrations.models import OutboundEmail, WebhookDelivery, WebhookEndpoint
from registrations.places.registrations import RegistrationData, registration_create
from registrations.tasks import requeue_stalled_webhook_deliveries
from registrations.webhooks.deliver import (
    WebhookRetryLater,
    webhook_delivery_send,
    webhook_retry_delay,
)
from registrations.webhooks.endpoints import webhook_test_event_send
from registrations.webhooks.queue import WEBHOOK_STALLED_AFTER, webhook_delivery_retry
from tests.factories import AuthorityFactory, ConferenceFactory

pytestmark = pytest.mark.django_db


def register(conference, email="jonas.berg@malmo.se"):
    return registration_create(
        conference=conference,
        authority=AuthorityFactory(),
        data=RegistrationData(
            first_name="Jonas", last_name="Berg", email=email, job_title="Adviser"
        ),
    ).registration


def test_receiver_gets_each_event_once_signed_with_the_endpoint_secret(
    receiver, endpoint_for, django_capture_on_commit_callbacks
):
    conference = ConferenceFactory()
    endpoint = endpoint_for(conference)

    with django_capture_on_commit_callbacks(execute=True):
        registration = register(conference)

    assert receiver.events() == ["registration.created", "registration.confirmed"]
    deliveries = list(WebhookDelivery.objects.order_by("pk"))
    for request, delivery in zip(receiver.requests, deliveries, strict=True):
        assert request.signature_valid(endpoint.secret)
        assert not request.signature_valid("whsec_someone-elses-secret-0000000000")
        assert request.path == "/hooks/conference"
        assert request.headers["content-type"] == "application/json"
        assert request.delivery_id == str(delivery.delivery_id)
        assert request.payload == delivery.payload
        assert request.payload["data"]["registration"]["reference"] == registration.reference
        assert abs(int(request.headers["webhook-timestamp"]) - timezone.now().timestamp()) < 60
        delivery.refresh_from_db()
        assert delivery.status == WebhookDelivery.Status.DELIVERED
        [attempt] = delivery.attempt_log.all()
        assert (attempt.number, attempt.status_code, attempt.response_body) == (1, 200, "ok")

    # Sent again (a duplicate task, beat, an organiser's retry): nothing leaves.
    for delivery in deliveries:
        webhook_delivery_send(delivery_id=delivery.pk)
        assert webhook_delivery_retry(delivery=delivery) is False
    assert len(receiver.requests) == 2


def test_delivery_answered_500_twice_is_retried_with_backoff_and_each_attempt_logged(
    receiver, endpoint_for, settings
):
    settings.WEBHOOK_RETRY_BASE_SECONDS = 30
    endpoint = endpoint_for(ConferenceFactory(), events=["registration.created"])
    register(endpoint.conference)
    delivery = WebhookDelivery.objects.get()
    receiver.answer_next(500, 500)

    retries = []
    for _ in range(2):
        with pytest.raises(WebhookRetryLater) as later:
            webhook_delivery_send(delivery_id=delivery.pk)
        retries.append(later.value.retry_in)
    webhook_delivery_send(delivery_id=delivery.pk)

    assert retries == [30, 60]
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.DELIVERED
    assert delivery.attempts == 3
    assert [
        (a.number, a.status_code, a.error, a.response_body) for a in delivery.attempt_log.all()
    ] == [
        (1, 500, "HTTP 500", "receiver says no"),
        (2, 500, "HTTP 500", "receiver says no"),
        (3, 200, "", "ok"),
    ]
    # Three requests for one delivery, all with the same id for the receiver to deduplicate.
    assert {request.delivery_id for request in receiver.requests} == {str(delivery.delivery_id)}
    assert len(receiver.requests) == 3


def test_retry_delay_doubles_up_to_an_hour(settings):
    settings.WEBHOOK_RETRY_BASE_SECONDS = 60
    assert [webhook_retry_delay(n) for n in (1, 2, 3, 7, 20)] == [60, 120, 240, 3600, 3600]


def test_unreachable_receiver_is_logged_as_an_error_without_status(endpoint_for, receiver):
    endpoint = endpoint_for(ConferenceFactory(), events=["registration.created"])
    receiver.stop()  # nothing listens there any more (stopping twice is harmless)
    register(endpoint.conference)
    delivery = WebhookDelivery.objects.get()

    with pytest.raises(WebhookRetryLater):
        webhook_delivery_send(delivery_id=delivery.pk)

    [attempt] = delivery.attempt_log.all()
    assert attempt.status_code is None
    assert attempt.error.startswith("ConnectionRefusedError")


def test_endpoint_disabled_after_repeated_failures_and_organisers_emailed(
    receiver, endpoint_for, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_MAX_ATTEMPTS = 2
    settings.WEBHOOK_DISABLE_AFTER_FAILURES = 3
    creator = User.objects.create_user("ines", email="ines.costa@efus.eu", is_staff=True)
    conference = ConferenceFactory(contact_email="registrations@efus.eu")
    endpoint = endpoint_for(conference, events=["registration.created"], by=creator)
    receiver.answer_next(*[503] * 100)
    for number in range(4):
        register(conference, email=f"delegate{number}@malmo.se")
    deliveries = list(WebhookDelivery.objects.order_by("pk"))

    for delivery in deliveries[:3]:
        with pytest.raises(WebhookRetryLater):
            webhook_delivery_send(delivery_id=delivery.pk)
        with django_capture_on_commit_callbacks(execute=True):
            webhook_delivery_send(delivery_id=delivery.pk)  # its last attempt

    endpoint.refresh_from_db()
    assert not endpoint.is_active
    assert endpoint.consecutive_failures == 3
    assert endpoint.disabled_reason.startswith("3 deliveries in a row failed; last: HTTP 503")
    statuses = [WebhookDelivery.objects.get(pk=d.pk).status for d in deliveries]
    assert statuses == ["failed", "failed", "failed", "withdrawn"]
    assert len(receiver.requests) == 6
    emails = OutboundEmail.objects.filter(kind=OutboundEmail.Kind.WEBHOOK_DISABLED)
    assert sorted(emails.values_list("recipient", flat=True)) == [
        "ines.costa@efus.eu",
        "registrations@efus.eu",
    ]
    assert set(emails.values_list("status", flat=True)) == {OutboundEmail.Status.SENT}
    assert sorted(message.to[0] for message in mail.outbox if "Webhook" in message.subject) == [
        "ines.costa@efus.eu",
        "registrations@efus.eu",
    ]
    [message, _] = [m for m in mail.outbox if "Webhook" in m.subject]
    assert endpoint.url in message.body
    assert f"/admin/registrations/webhookendpoint/{endpoint.pk}/change/" in message.body
    assert "personal link" not in message.body


def test_success_resets_the_count_of_failures(receiver, endpoint_for, settings):
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    endpoint = endpoint_for(ConferenceFactory(), events=["registration.created"])
    receiver.answer_next(500)
    register(endpoint.conference, email="a@malmo.se")
    register(endpoint.conference, email="b@malmo.se")
    first, second = WebhookDelivery.objects.order_by("pk")

    webhook_delivery_send(delivery_id=first.pk)
    endpoint.refresh_from_db()
    assert endpoint.consecutive_failures == 1
    webhook_delivery_send(delivery_id=second.pk)
    endpoint.refresh_from_db()
    assert endpoint.consecutive_failures == 0
    assert endpoint.is_active


def test_failed_delivery_retried_by_an_organiser_starts_its_attempts_again(
    receiver, endpoint_for, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    endpoint = endpoint_for(ConferenceFactory(), events=["registration.created"])
    receiver.answer_next(500)
    register(endpoint.conference)
    delivery = WebhookDelivery.objects.get()
    webhook_delivery_send(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.FAILED

    with django_capture_on_commit_callbacks(execute=True):
        assert webhook_delivery_retry(delivery=delivery) is True

    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.DELIVERED
    assert [a.status_code for a in delivery.attempt_log.all()] == [500, 200]


def test_test_event_is_signed_and_logged_like_any_other(
    receiver, endpoint_for, django_capture_on_commit_callbacks
):
    endpoint = endpoint_for(ConferenceFactory())

    with django_capture_on_commit_callbacks(execute=True):
        delivery = webhook_test_event_send(endpoint=endpoint)

    [request] = receiver.requests
    assert request.event == "webhook.test"
    assert request.signature_valid(endpoint.secret)
    assert request.payload["data"] == {}
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.DELIVERED


def test_beat_hands_over_a_delivery_the_broker_lost_and_one_a_dead_worker_left_sending(
    receiver, endpoint_for
):
    endpoint = endpoint_for(ConferenceFactory(), events=["registration.created"])
    register(endpoint.conference, email="a@malmo.se")
    register(endpoint.conference, email="b@malmo.se")
    lost, unconfirmed = WebhookDelivery.objects.order_by("pk")
    long_ago = timezone.now() - WEBHOOK_STALLED_AFTER - dt.timedelta(minutes=5)
    WebhookDelivery.objects.filter(pk=lost.pk).update(next_attempt_at=long_ago)
    WebhookDelivery.objects.filter(pk=unconfirmed.pk).update(
        status=WebhookDelivery.Status.SENDING, attempts=1, sending_started_at=long_ago
    )

    assert requeue_stalled_webhook_deliveries() == 2

    assert sorted(receiver.events()) == ["registration.created"] * 2
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {"delivered"}
    assert WebhookDelivery.objects.get(pk=unconfirmed.pk).attempts == 2
    assert WebhookEndpoint.objects.get().is_active


def test_delivery_being_sent_by_another_run_is_left_alone(receiver, endpoint_for):
    endpoint = endpoint_for(ConferenceFactory(), events=["registration.created"])
    register(endpoint.conference)
    delivery = WebhookDelivery.objects.get()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=WebhookDelivery.Status.SENDING, attempts=1, sending_started_at=timezone.now()
    )

    webhook_delivery_send(delivery_id=delivery.pk)
    assert requeue_stalled_webhook_deliveries() == 0  # within its lease

    assert receiver.requests == []
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (WebhookDelivery.Status.SENDING, 1)


def test_organisers_emailed_once_when_the_creator_is_the_conference_contact(endpoint_for):
    from registrations.outbox.recipients import Recipient

    creator = User.objects.create_user("olga", email="Registrations@efus.eu", is_staff=True)
    conference = ConferenceFactory(contact_email="registrations@efus.eu")
    endpoint = endpoint_for(conference, by=creator)

    assert [r.address for r in Recipient.organisers_of(endpoint)] == ["Registrations@efus.eu"]
    endpoint.created_by = None
    assert [r.address for r in Recipient.organisers_of(endpoint)] == ["registrations@efus.eu"]


def test_finished_deliveries_are_purged_after_the_log_period(receiver, endpoint_for, settings):
    from registrations.tasks import purge_webhook_deliveries

    settings.WEBHOOK_LOG_DAYS = 30
    endpoint = endpoint_for(ConferenceFactory(), events=["registration.created"])
    for number in range(3):
        register(endpoint.conference, email=f"d{number}@malmo.se")
    old_delivered, old_queued, recent = WebhookDelivery.objects.order_by("pk")
    webhook_delivery_send(delivery_id=old_delivered.pk)
    webhook_delivery_send(delivery_id=recent.pk)
    long_ago = timezone.now() - dt.timedelta(days=31)
    WebhookDelivery.objects.filter(pk__in=[old_delivered.pk, old_queued.pk]).update(
        created_at=long_ago
    )

    assert purge_webhook_deliveries() == 1

    assert set(WebhookDelivery.objects.values_list("pk", flat=True)) == {old_queued.pk, recent.pk}
    assert recent.attempt_log.count() == 1
