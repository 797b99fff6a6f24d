"""End to end through the real services: a Celery worker process on Redis sends the outbox to a
real SMTP server (aiosmtpd), with the test's PostgreSQL database shared between them."""

import signal
import subprocess
import time
import uuid

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation

from registrations.models import OutboundEmail, Registration
from registrations.outbox.queue import EMAIL_STALLED_AFTER, outbound_emails_requeue_stalled
from registrations.places.registrations import RegistrationData, registration_create
from tests.celery_workers import worker_environment, worker_start, worker_stop
from tests.factories import AuthorityFactory, ConferenceFactory

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def start_worker(transactional_db, smtp_server, celery_broker, tmp_path):
    """Starts `celery -A config worker` processes on the test's own queue, sending through
    smtp_server; stops those still running at the end."""
    queue = f"test-{uuid.uuid4().hex[:8]}"
    celery_broker(settings.REDIS_URL, queue=queue)
    env = worker_environment(
        EMAIL_URL=f"smtp://127.0.0.1:{smtp_server.port}", EMAIL_RETRY_BASE_SECONDS="1"
    )
    processes: list[subprocess.Popen] = []

    def start() -> subprocess.Popen:
        number = len(processes)
        process = worker_start(
            queue=queue,
            name=f"{queue}-{number}@localhost",
            env=env,
            log_path=tmp_path / f"worker-{number}.log",
        )
        processes.append(process)
        return process

    yield start
    for process in processes:
        worker_stop(process)
    connection.close()


@pytest.fixture
def worker(start_worker):
    """A `celery -A config worker` process on its own queue, sending through smtp_server."""
    return start_worker()


def wait_for(condition, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail("timed out waiting for the worker")
        time.sleep(0.2)


def test_worker_delivers_confirmation_of_a_registration_made_in_french(worker, smtp_server, client):
    conference = ConferenceFactory(capacity=10)
    authority = AuthorityFactory(name="Nice", country="FR")
    with translation.override("fr"):
        register_url = reverse("registrations:register", kwargs={"slug": conference.slug})
    response = client.post(
        register_url,
        {
            "authority": authority.pk,
            "first_name": "Élodie",
            "last_name": "Lefèvre",
            "email": "elodie.lefevre@nice.fr",
            "job_title": "Adjointe à la sécurité",
            "category": "elected",
            "preferred_language": "fr",
            "privacy_consent": "on",
        },
    )
    assert response.status_code == 302

    wait_for(lambda: len(smtp_server.messages) == 1)
    registration = Registration.objects.get()
    email = registration.emails.get(kind=OutboundEmail.Kind.CONFIRMED)
    wait_for(lambda: OutboundEmail.objects.get(pk=email.pk).status == OutboundEmail.Status.SENT)
    [message] = smtp_server.messages
    assert message["To"] == "elodie.lefevre@nice.fr"
    assert registration.reference in message["Subject"]
    assert "Votre inscription est confirmée" in message["Subject"]
    parts = {part.get_content_type() for part in message.walk()}
    assert {"text/plain", "text/html", "text/calendar"} <= parts


def test_worker_retries_after_temporary_smtp_failure(worker, smtp_server):
    smtp_server.refuse_next("451 4.3.0 Try again later")
    conference = ConferenceFactory()

    outcome = registration_create(
        conference=conference,
        authority=AuthorityFactory(),
        data=RegistrationData(
            first_name="Jonas", last_name="Berg", email="jonas@malmo.se", job_title="Adviser"
        ),
    )

    email = outcome.registration.emails.get(kind=OutboundEmail.Kind.CONFIRMED)
    wait_for(lambda: OutboundEmail.objects.get(pk=email.pk).status == OutboundEmail.Status.SENT)
    email.refresh_from_db()
    assert email.attempts == 2
    assert len(smtp_server.messages) == 1


def test_email_saved_while_redis_was_down_is_sent_once_redis_is_back(
    worker, smtp_server, celery_broker
):
    from tests.smtp import free_port

    queue = worker.args[worker.args.index("-Q") + 1]
    celery_broker(f"redis://127.0.0.1:{free_port()}/0", queue=queue)  # Redis "down"
    outcome = registration_create(
        conference=ConferenceFactory(),
        authority=AuthorityFactory(),
        data=RegistrationData(
            first_name="Inês", last_name="Costa", email="ines@lisboa.pt", job_title="Adviser"
        ),
    )
    email = outcome.registration.emails.get(kind=OutboundEmail.Kind.CONFIRMED)
    assert email.status == OutboundEmail.Status.QUEUED

    celery_broker(settings.REDIS_URL, queue=queue)  # Redis "back"; beat's task runs
    later = timezone.now() + EMAIL_STALLED_AFTER * 2
    assert outbound_emails_requeue_stalled(now=later) == 1

    wait_for(lambda: OutboundEmail.objects.get(pk=email.pk).status == OutboundEmail.Status.SENT)
    assert [message["To"] for message in smtp_server.messages] == ["ines@lisboa.pt"]


def test_worker_killed_after_the_server_accepted_is_replaced_and_resends_with_the_same_message_id(
    start_worker, smtp_server, settings
):
    smtp_server.hold_next_session_after_accepting()
    first_worker = start_worker()
    outcome = registration_create(
        conference=ConferenceFactory(),
        authority=AuthorityFactory(),
        data=RegistrationData(
            first_name="Aino", last_name="Virtanen", email="aino@espoo.fi", job_title="Adviser"
        ),
    )
    email = outcome.registration.emails.get(kind=OutboundEmail.Kind.CONFIRMED)

    # The server said "250 accepted" and holds the session: the worker cannot record it yet.
    assert smtp_server.handler.held.wait(timeout=30), "the worker never sent the message"
    first_worker.send_signal(signal.SIGKILL)
    first_worker.wait(timeout=10)
    smtp_server.handler.released.set()

    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENDING
    assert email.attempts == 1
    assert (
        email.message_id.startswith("<") and f".outbox-{email.pk}@testserver>" in email.message_id
    )
    [first_copy] = smtp_server.messages
    assert first_copy["Message-ID"] == email.message_id

    settings.EMAIL_SENDING_LEASE_SECONDS = 1  # beat's task, in this process, after the lease
    wait_for(lambda: outbound_emails_requeue_stalled() == 1, timeout=10)
    start_worker()

    wait_for(lambda: OutboundEmail.objects.get(pk=email.pk).status == OutboundEmail.Status.SENT)
    email.refresh_from_db()
    assert email.attempts == 2
    assert [message["Message-ID"] for message in smtp_server.messages] == [email.message_id] * 2
    assert [message["To"] for message in smtp_server.messages] == ["aino@espoo.fi"] * 2
