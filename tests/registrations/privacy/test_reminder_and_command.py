"""The organisers' reminder before the final purge (through the outbox, once), the command that
runs the purge on demand, and the figures that survive it."""

import datetime as dt
import json
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from registrations.models import OutboundEmail, PurgeRecord, Registration, RetainedFigures
from registrations.outbox.send import outbound_email_send
from registrations.privacy.figures import conference_figures, conference_figures_now
from registrations.privacy.purge import personal_data_purge
from registrations.privacy.reminder import final_purge_reminders_send
from registrations.privacy.schedule import (
    FINAL_PURGE_NOTICE,
    months_later,
    retention_deadlines,
    retention_schedule_for,
)
from tests.factories import RegistrationFactory
from tests.registrations.privacy.world import DIETARY, NAME, world_build

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(settings, tmp_path, admin_user):
    settings.MEDIA_ROOT = tmp_path
    return world_build(admin_user)


def test_organisers_are_reminded_once_when_the_final_purge_is_near(conference, mailoutbox):
    deadlines = retention_deadlines(conference)
    too_early = deadlines.final_purge_reminder - dt.timedelta(minutes=1)
    near = deadlines.final_purge_reminder + dt.timedelta(hours=1)

    assert final_purge_reminders_send(now=too_early) == 0
    assert final_purge_reminders_send(now=near) == 1
    assert final_purge_reminders_send(now=near + dt.timedelta(days=1)) == 0

    email = OutboundEmail.objects.get(kind=OutboundEmail.Kind.FINAL_PURGE_REMINDER)
    assert email.recipient == conference.contact_email
    assert email.retention_schedule == retention_schedule_for(conference)
    assert deadlines.final_purge_reminder == deadlines.identifying - FINAL_PURGE_NOTICE
    outbound_email_send(email_id=email.pk)
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT
    (message,) = mail.outbox
    assert message.to == [conference.contact_email]
    assert conference.name in message.subject
    assert f"/admin/registrations/retentionschedule/{email.retention_schedule_id}/" in message.body


def test_no_reminder_after_the_final_purge(conference):
    after = retention_deadlines(conference).identifying + dt.timedelta(days=1)
    assert final_purge_reminders_send(now=after) == 0


def test_months_later_keeps_the_day_or_takes_the_months_last():
    assert months_later(dt.date(2026, 10, 23), 12) == dt.date(2027, 10, 23)
    assert months_later(dt.date(2027, 1, 31), 1) == dt.date(2027, 2, 28)
    assert months_later(dt.date(2027, 11, 30), 3) == dt.date(2028, 2, 29)


def test_figures_kept_before_the_purge_are_the_dashboards_without_needs_text(world):
    conference = world["conference"]
    before = conference_figures_now(conference)
    with_needs = next(row["count"] for row in before if row["item"] == "with_dietary_needs")

    personal_data_purge(now=world["deadlines"]["final"] + dt.timedelta(days=1))

    figures, taken_at = conference_figures(conference)
    assert taken_at == RetainedFigures.objects.get(conference=conference).taken_at
    assert {json.dumps(row, sort_keys=True) for row in figures} >= {
        json.dumps(row, sort_keys=True)
        for row in before
        if row["figure"] != "registrations_per_day"
    }
    assert with_needs == 1
    assert DIETARY not in json.dumps(figures)
    # Today's figures lost the needs: the kept ones did not.
    assert (
        next(
            row["count"]
            for row in conference_figures_now(conference)
            if row["item"] == "with_dietary_needs"
        )
        == 0
    )


def test_command_dry_run_prints_what_would_go_and_changes_nothing(world, monkeypatch):
    conference = world["conference"]
    later = world["deadlines"]["final"] + dt.timedelta(days=1)
    monkeypatch.setattr("django.utils.timezone.now", lambda: later)
    rows = list(Registration.objects.order_by("pk").values())
    out = StringIO()

    call_command("purge_personal_data", "--conference", conference.slug, "--dry-run", stdout=out)

    assert list(Registration.objects.order_by("pk").values()) == rows
    assert not PurgeRecord.objects.exists()
    lines = out.getvalue().splitlines()
    assert f"{conference.slug}: {PurgeRecord.Kind.IDENTIFYING.label}: 1 (would go)" in lines
    assert f"{conference.slug}: {PurgeRecord.Kind.CANCELLED.label}: 1 (would go)" in lines
    assert NAME not in out.getvalue()


def test_command_purges_the_named_conference_only(world, monkeypatch):
    conference = world["conference"]
    other = RegistrationFactory(first_name="Otto", last_name="Elsewhere")
    later = world["deadlines"]["final"] + dt.timedelta(days=1)
    monkeypatch.setattr("django.utils.timezone.now", lambda: later)

    call_command("purge_personal_data", "--conference", conference.slug, stdout=StringIO())

    assert not conference.registrations.filter(erased_at=None).exists()
    other.refresh_from_db()
    assert other.last_name == "Elsewhere"
    assert PurgeRecord.objects.filter(conference=conference).exists()


def test_command_refuses_an_unknown_conference():
    with pytest.raises(CommandError):
        call_command("purge_personal_data", "--conference", "no-such-conference")
