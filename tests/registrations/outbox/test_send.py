import datetime as dt
import re
import threading
import time
from collections.abc import Callable

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import connection
from django.utils import timezone

from registrations.errors import TemporaryEmailError
from registrations.models import OutboundEmail, Registration
from registrations.outbox.queue import (
    EMAIL_UNCONFIRMED_ERROR,
    outbound_email_retry,
    outbound_emails_requeue_stalled,
)
from registrations.outbox.send import EMAIL_MAX_ATTEMPTS, email_retry_delay, outbound_email_send
from registrations.outbox.tasks import send_outbound_email
from registrations.places.registrations import RegistrationData, registration_create
from registrations.tasks import requeue_stalled_emails
from tests.factories import AuthorityFactory, OutboundEmailFactory
from tests.smtp import free_port

pytestmark = pytest.mark.django_db


def test_send_marks_email_sent_with_text_html_and_calendar():
    email = OutboundEmailFactory(registration__preferred_language="en")

    outbound_email_send(email_id=email.pk)

    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT
    assert email.attempts == 1
    assert email.sent_at is not None
    [message] = mail.outbox
    assert message.to == [email.recipient]
    assert email.registration.reference in message.body
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    assert email.registration.reference in html
    [(filename, ics, ics_type)] = message.attachments
    assert filename.endswith(".ics")
    assert ics_type == "text/calendar"
    assert "BEGIN:VEVENT" in ics


def test_send_uses_the_delegates_language():
    email = OutboundEmailFactory(registration__preferred_language="fr", language="fr")

    outbound_email_send(email_id=email.pk)

    [message] = mail.outbox
    assert "Votre inscription est confirmée" in message.subject
    assert "Madame, Monsieur" in message.body or "Bonjour" in message.body


def test_plain_text_email_is_not_html_escaped():
    email = OutboundEmailFactory(registration__first_name="Seán O’Brien-d'Arcy")

    outbound_email_send(email_id=email.pk)

    assert "Seán O’Brien-d'Arcy" in mail.outbox[0].body


def test_send_twice_sends_once():
    email = OutboundEmailFactory()

    outbound_email_send(email_id=email.pk)
    outbound_email_send(email_id=email.pk)
    send_outbound_email.apply(args=[email.pk])

    assert len(mail.outbox) == 1
    email.refresh_from_db()
    assert email.attempts == 1


def test_send_of_deleted_email_does_nothing():
    assert outbound_email_send(email_id=987654) is None


def test_temporary_smtp_failure_keeps_email_queued_with_backoff(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nobody listens
    settings.EMAIL_RETRY_BASE_SECONDS = 60
    email = OutboundEmailFactory()

    with pytest.raises(TemporaryEmailError) as raised:
        outbound_email_send(email_id=email.pk)
    assert raised.value.retry_in == 60
    with pytest.raises(TemporaryEmailError) as raised:
        outbound_email_send(email_id=email.pk)
    assert raised.value.retry_in == 120

    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.QUEUED
    assert email.attempts == 2
    assert "ConnectionRefusedError" in email.last_error
    assert email.next_attempt_at > timezone.now() + dt.timedelta(seconds=100)


def test_retry_delay_doubles_up_to_an_hour(settings):
    settings.EMAIL_RETRY_BASE_SECONDS = 60
    delays = [email_retry_delay(attempt) for attempt in range(1, 9)]
    assert delays == [60, 120, 240, 480, 960, 1920, 3600, 3600]


def test_temporary_failure_on_last_attempt_marks_email_failed(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    email = OutboundEmailFactory(attempts=EMAIL_MAX_ATTEMPTS - 1)

    outbound_email_send(email_id=email.pk)

    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.FAILED
    assert email.attempts == EMAIL_MAX_ATTEMPTS


def test_smtp_4xx_reply_is_temporary(smtp_settings, smtp_server):
    smtp_server.refuse_next("451 4.3.0 Mailbox temporarily unavailable")
    email = OutboundEmailFactory()

    with pytest.raises(TemporaryEmailError):
        outbound_email_send(email_id=email.pk)
    outbound_email_send(email_id=email.pk)

    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT
    assert email.attempts == 2
    assert len(smtp_server.messages) == 1


def test_smtp_5xx_reply_marks_email_failed_for_good(smtp_settings, smtp_server):
    smtp_server.refuse_next("554 5.7.1 Message rejected")
    email = OutboundEmailFactory()

    outbound_email_send(email_id=email.pk)
    outbound_email_send(email_id=email.pk)

    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.FAILED
    assert email.attempts == 1
    assert "554" in email.last_error
    assert smtp_server.messages == []


def test_delivered_message_through_real_smtp_has_stable_message_id(smtp_settings, smtp_server):
    smtp_server.refuse_next("451 4.3.0 Try again later")
    email = OutboundEmailFactory()

    with pytest.raises(TemporaryEmailError):
        outbound_email_send(email_id=email.pk)
    email.refresh_from_db()
    first_message_id = email.message_id
    outbound_email_send(email_id=email.pk)

    [message] = smtp_server.messages
    email.refresh_from_db()
    assert re.fullmatch(rf"<[0-9a-f]{{32}}\.outbox-{email.pk}@testserver>", email.message_id)
    assert email.message_id == first_message_id
    assert message["Message-ID"] == email.message_id
    assert message["To"] == email.recipient
    assert message.is_multipart()


def test_message_ids_are_unique_across_emails():
    emails = OutboundEmailFactory.create_batch(2)

    for email in emails:
        outbound_email_send(email_id=email.pk)

    ids = {message.extra_headers["Message-ID"] for message in mail.outbox}
    assert ids == {email.message_id for email in OutboundEmail.objects.all()}
    assert len(ids) == 2


class WorkerDied(BaseException):
    """The worker's process ends (SIGKILL, its database connection gone): nothing after this
    runs, not even an `except Exception`."""


class AcceptedThenBackend(EmailBackend):
    """The mail server accepts the message; then `after_accepting` runs, before the worker can
    record the result."""

    after_accepting: Callable[[], None] | None = None

    def send_messages(self, messages):
        count = super().send_messages(messages)
        if AcceptedThenBackend.after_accepting is not None:
            AcceptedThenBackend.after_accepting()
        return count


@pytest.fixture
def after_accepting(settings):
    settings.EMAIL_BACKEND = f"{__name__}.AcceptedThenBackend"

    def use(action: Callable[[], None]) -> None:
        AcceptedThenBackend.after_accepting = action

    yield use
    AcceptedThenBackend.after_accepting = None


def worker_dies() -> None:
    raise WorkerDied


def test_worker_dying_after_the_server_accepted_leaves_the_email_sending(after_accepting):
    after_accepting(worker_dies)
    email = OutboundEmailFactory()

    with pytest.raises(WorkerDied):
        outbound_email_send(email_id=email.pk)

    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENDING
    assert email.attempts == 1
    assert email.sending_started_at is not None
    assert email.sent_at is None
    [message] = mail.outbox
    assert message.extra_headers["Message-ID"] == email.message_id != ""


def test_unconfirmed_email_is_sent_again_after_the_lease_with_the_same_message_id(
    after_accepting, settings
):
    settings.EMAIL_SENDING_LEASE_SECONDS = 600
    after_accepting(worker_dies)
    email = OutboundEmailFactory()
    with pytest.raises(WorkerDied):
        outbound_email_send(email_id=email.pk)
    email.refresh_from_db()
    after_accepting(lambda: None)
    lease_ends = email.sending_started_at + dt.timedelta(seconds=600)

    assert outbound_emails_requeue_stalled(now=lease_ends - dt.timedelta(seconds=1)) == 0
    assert outbound_emails_requeue_stalled(now=lease_ends + dt.timedelta(seconds=1)) == 1

    first, second = mail.outbox
    assert second.extra_headers["Message-ID"] == first.extra_headers["Message-ID"]
    assert second.extra_headers["Message-ID"] == email.message_id
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT
    assert email.attempts == 2
    assert email.last_error == ""


def test_unconfirmed_email_on_its_last_attempt_fails_after_the_lease(settings):
    settings.EMAIL_SENDING_LEASE_SECONDS = 600
    started = timezone.now() - dt.timedelta(minutes=11)
    email = OutboundEmailFactory(
        status=OutboundEmail.Status.SENDING,
        attempts=EMAIL_MAX_ATTEMPTS,
        sending_started_at=started,
        message_id="<abc.outbox-1@testserver>",
    )

    assert outbound_emails_requeue_stalled() == 0

    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.FAILED
    assert email.last_error == EMAIL_UNCONFIRMED_ERROR
    assert mail.outbox == []


def test_email_sending_within_its_lease_is_left_alone(settings):
    settings.EMAIL_SENDING_LEASE_SECONDS = 600
    email = OutboundEmailFactory(
        status=OutboundEmail.Status.SENDING,
        attempts=1,
        sending_started_at=timezone.now() - dt.timedelta(minutes=9),
        next_attempt_at=timezone.now() - dt.timedelta(minutes=9),
    )

    assert outbound_emails_requeue_stalled() == 0
    assert outbound_email_send(email_id=email.pk).status == OutboundEmail.Status.SENDING
    send_outbound_email.apply(args=[email.pk])

    email.refresh_from_db()
    assert (email.status, email.attempts) == (OutboundEmail.Status.SENDING, 1)
    assert mail.outbox == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_second_run_while_the_first_is_sending_sends_nothing_and_does_not_wait(after_accepting):
    email = OutboundEmailFactory()
    second_run: list[OutboundEmail | None] = []
    waited: list[bool] = []

    def run_again_on_another_connection() -> None:
        def run() -> None:
            try:
                second_run.append(outbound_email_send(email_id=email.pk))
            finally:
                connection.close()

        thread = threading.Thread(target=run)
        thread.start()
        thread.join(timeout=10)
        # A run that held the row lock while sending would keep the second one waiting.
        waited.append(thread.is_alive())
        thread.join()

    after_accepting(run_again_on_another_connection)

    outbound_email_send(email_id=email.pk)

    assert waited == [False]
    [seen_by_second_run] = second_run
    assert seen_by_second_run is not None
    assert seen_by_second_run.status == OutboundEmail.Status.SENDING
    assert len(mail.outbox) == 1
    email.refresh_from_db()
    assert (email.status, email.attempts) == (OutboundEmail.Status.SENT, 1)


def test_email_withdrawn_while_it_was_sent_keeps_its_status(after_accepting):
    email = OutboundEmailFactory()
    after_accepting(
        lambda: OutboundEmail.objects.filter(pk=email.pk).update(
            status=OutboundEmail.Status.WITHDRAWN, next_attempt_at=None
        )
    )

    outbound_email_send(email_id=email.pk)

    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.WITHDRAWN
    assert email.sent_at is None


def test_requeue_stalled_emails_sends_overdue_queued_emails():
    overdue = OutboundEmailFactory(next_attempt_at=timezone.now() - dt.timedelta(minutes=30))
    fresh = OutboundEmailFactory(next_attempt_at=timezone.now())
    failed = OutboundEmailFactory(
        next_attempt_at=timezone.now() - dt.timedelta(hours=2), status=OutboundEmail.Status.FAILED
    )

    assert requeue_stalled_emails.apply().get() == 1

    overdue.refresh_from_db()
    fresh.refresh_from_db()
    failed.refresh_from_db()
    assert overdue.status == OutboundEmail.Status.SENT
    assert fresh.status == OutboundEmail.Status.QUEUED
    assert failed.status == OutboundEmail.Status.FAILED


def test_outbound_email_retry_requeues_failed_email(django_capture_on_commit_callbacks):
    email = OutboundEmailFactory(status=OutboundEmail.Status.FAILED, attempts=3)

    with django_capture_on_commit_callbacks(execute=True):
        outbound_email_retry(email=email)

    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT
    assert email.attempts == 1


@pytest.fixture
def broker_down(celery_broker):
    """Celery publishes to a Redis port where nothing listens."""
    celery_broker(f"redis://127.0.0.1:{free_port()}/0")


def test_registration_is_saved_when_broker_is_down(
    conference, broker_down, django_capture_on_commit_callbacks
):
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        outcome = registration_create(
            conference=conference,
            data=RegistrationData(
                first_name="Ana", last_name="Silva", email="ana@lisboa.pt", job_title="Adviser"
            ),
            authority=AuthorityFactory(),
        )
    elapsed = time.monotonic() - started

    registration = Registration.objects.get(pk=outcome.registration.pk)
    email = registration.emails.get(kind=OutboundEmail.Kind.CONFIRMED)
    assert email.status == OutboundEmail.Status.QUEUED
    assert elapsed < 10, f"the request waited {elapsed:.1f}s for the broker"
    assert mail.outbox == []


def test_email_queued_while_broker_was_down_goes_out_once_it_is_back(conference):
    email = OutboundEmailFactory(next_attempt_at=timezone.now() - dt.timedelta(minutes=10))

    outbound_emails_requeue_stalled()

    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT
    assert len(mail.outbox) == 1


def test_beat_schedule_runs_the_requeue_task_every_minute():
    from config.celery_app import app

    entry = app.conf.beat_schedule["requeue-stalled-emails"]
    assert entry["task"] == requeue_stalled_emails.name
    assert entry["task"] in app.tasks
    assert entry["schedule"].minute == set(range(60))


def test_beat_schedule_runs_every_periodic_task_of_the_project():
    from config.celery_app import app

    scheduled = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert scheduled == {
        "registrations.tasks.requeue_stalled_emails",
        "registrations.tasks.dispatch_due_emails",
        "registrations.tasks.purge_export_files",
        "registrations.tasks.requeue_stalled_webhook_deliveries",
        "registrations.tasks.purge_webhook_deliveries",
        "registrations.tasks.purge_api_idempotency_keys",
        "registrations.tasks.purge_personal_data",
        "registrations.tasks.purge_orphaned_answer_files",
        "registrations.tasks.place_authorities",
    }
    assert scheduled <= set(app.tasks)
