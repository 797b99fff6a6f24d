import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from registrations.models import OutboundEmail
from registrations.outbox.queue import outbound_emails_dispatch_due
from registrations.places.registrations import RegistrationData, registration_create
from registrations.places.status import registration_cancel
from registrations.tasks import dispatch_due_emails
from tests.concurrency import run_concurrently
from tests.factories import AuthorityFactory, ConferenceFactory, RegistrationFactory


def register(conference, email="anna@gdansk.pl"):
    return registration_create(
        conference=conference,
        authority=AuthorityFactory(),
        data=RegistrationData(
            first_name="Anna", last_name="Nowak", email=email, job_title="Adviser"
        ),
    ).registration


def reminders():
    return OutboundEmail.objects.filter(kind=OutboundEmail.Kind.REMINDER)


@pytest.mark.django_db
def test_confirmed_registration_gets_a_reminder_scheduled_days_before():
    conference = ConferenceFactory(reminder_days_before=7)

    registration = register(conference)

    reminder = reminders().get()
    assert reminder.registration == registration
    assert reminder.status == OutboundEmail.Status.SCHEDULED
    assert reminder.next_attempt_at == conference.starts_at - dt.timedelta(days=7)


@pytest.mark.django_db
def test_waitlisted_registration_gets_its_reminder_when_promoted():
    conference = ConferenceFactory(capacity=1)
    holder = RegistrationFactory(conference=conference)
    waiting = register(conference)
    assert not reminders().exists()

    registration_cancel(registration=holder)

    assert reminders().get().registration == waiting


@pytest.mark.django_db
def test_no_reminder_when_disabled_or_already_due():
    register(ConferenceFactory(reminder_days_before=0), email="a@example.org")
    soon = ConferenceFactory(start_date=timezone.localdate() + dt.timedelta(days=2))
    register(soon, email="b@example.org")

    assert not reminders().exists()


@pytest.mark.django_db
def test_cancelling_withdraws_the_reminder():
    registration = register(ConferenceFactory())

    registration_cancel(registration=registration)

    assert reminders().get().status == OutboundEmail.Status.WITHDRAWN


@pytest.mark.django_db
def test_due_reminder_is_sent_once_by_the_beat_task_with_the_agenda(
    django_capture_on_commit_callbacks,
):
    conference = ConferenceFactory()
    registration = register(conference)
    reminder = reminders().get()
    mail.outbox.clear()

    assert dispatch_due_emails.apply().get() == 0  # not due yet
    later = reminder.next_attempt_at + dt.timedelta(seconds=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert outbound_emails_dispatch_due(now=later) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert outbound_emails_dispatch_due(now=later) == 0

    reminder.refresh_from_db()
    assert reminder.status == OutboundEmail.Status.SENT
    [message] = mail.outbox
    assert message.to == [registration.email]
    assert conference.name in message.subject


@pytest.mark.django_db
def test_reminder_goes_to_the_address_of_the_day():
    registration = register(ConferenceFactory())
    registration.email = "new.address@gdansk.pl"
    registration.save()
    reminder = reminders().get()

    outbound_emails_dispatch_due(now=reminder.next_attempt_at)

    reminder.refresh_from_db()
    assert reminder.recipient == "new.address@gdansk.pl"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_beat_runs_at_the_same_moment_send_each_reminder_once():
    conference = ConferenceFactory()
    for index in range(20):
        register(conference, email=f"delegate{index}@example.org")
    mail.outbox.clear()
    due = reminders().first().next_attempt_at

    counts = run_concurrently(
        4, lambda index: outbound_emails_dispatch_due(now=due), connections_at_once=4
    )

    assert sum(counts) == 20
    assert reminders().filter(status=OutboundEmail.Status.SENT).count() == 20
    assert len(mail.outbox) == 20
    assert len({message.to[0] for message in mail.outbox}) == 20
