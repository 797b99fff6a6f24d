"""End to end through the real services: a Celery worker process on Redis delivers the webhooks
to a receiver on 127.0.0.1 started by the test, with the test's PostgreSQL database shared."""

import time
import uuid

import pytest
from django.conf import settings
from django.db import connection

from registrations.models import WebhookDelivery
from registrations.places.registrations import RegistrationData, registration_create
from tests.celery_workers import worker_environment, worker_start, worker_stop
from tests.factories import AuthorityFactory, ConferenceFactory
from tests.registrations.test_celery_worker import wait_for

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker(transactional_db, celery_broker, tmp_path):
    """A `celery -A config worker` process on the test's own queue, allowed to deliver to
    loopback, retrying after 1 s, 2 s…"""
    queue = f"test-webhooks-{uuid.uuid4().hex[:8]}"
    celery_broker(settings.REDIS_URL, queue=queue)
    env = worker_environment(WEBHOOK_ALLOW_LOOPBACK="true", WEBHOOK_RETRY_BASE_SECONDS="1")
    process = worker_start(
        queue=queue, name=f"{queue}@localhost", env=env, log_path=tmp_path / "worker.log"
    )
    yield process
    worker_stop(process)
    connection.close()


def register(conference, email):
    return registration_create(
        conference=conference,
        authority=AuthorityFactory(),
        data=RegistrationData(
            first_name="Aino", last_name="Virtanen", email=email, job_title="Adviser"
        ),
    ).registration


def all_delivered() -> bool:
    return set(WebhookDelivery.objects.values_list("status", flat=True)) == {"delivered"}


def test_worker_delivers_each_event_once_signed(worker, receiver, endpoint_for):
    conference = ConferenceFactory()
    endpoint = endpoint_for(conference)

    registration = register(conference, "aino.virtanen@espoo.fi")

    wait_for(lambda: len(receiver.requests) == 2 and all_delivered())
    time.sleep(2)  # anything sent twice would have arrived by now
    assert sorted(receiver.events()) == ["registration.confirmed", "registration.created"]
    for request in receiver.requests:
        assert request.signature_valid(endpoint.secret)
        assert request.payload["data"]["registration"]["id"] == registration.pk
    assert len({request.delivery_id for request in receiver.requests}) == 2


def test_worker_retries_after_the_receiver_answered_500_twice(worker, receiver, endpoint_for):
    conference = ConferenceFactory()
    endpoint = endpoint_for(conference, events=["registration.created"])
    receiver.answer_next(500, 500)

    register(conference, "jonas.berg@malmo.se")

    wait_for(all_delivered, timeout=45)
    delivery = WebhookDelivery.objects.get()
    assert delivery.attempts == 3
    assert [a.status_code for a in delivery.attempt_log.all()] == [500, 500, 200]
    assert [request.delivery_id for request in receiver.requests] == [str(delivery.delivery_id)] * 3
    assert all(request.signature_valid(endpoint.secret) for request in receiver.requests)
    # Backoff: 1 s after the first failure, 2 s after the second.
    started = [a.started_at for a in delivery.attempt_log.all()]
    assert (started[1] - started[0]).total_seconds() >= 1
    assert (started[2] - started[1]).total_seconds() >= 2
