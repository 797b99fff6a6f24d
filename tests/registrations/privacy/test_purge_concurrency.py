"""Two purges at once on PostgreSQL (the beat task and an organiser's command, say): each
conference is purged once, by one of them, with no error, and the records add up to what one
purge removes."""

import datetime as dt
from collections import Counter

import pytest

from registrations.models import OutboundEmail, PurgeRecord, Registration
from registrations.privacy.purge import personal_data_purge
from registrations.privacy.reminder import final_purge_reminders_send
from registrations.privacy.schedule import retention_deadlines, retention_schedule_for
from tests.concurrency import run_concurrently
from tests.registrations.privacy.world import EMAIL, NAME, world_build

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_purges_at_once_remove_everything_once_without_error(settings, tmp_path, admin_user):
    settings.MEDIA_ROOT = tmp_path
    world = world_build(admin_user)
    now = world["deadlines"]["final"] + dt.timedelta(days=1)
    expected = personal_data_purge(now=now, dry_run=True).counts

    outcomes = run_concurrently(2, lambda index: personal_data_purge(now=now))

    merged: dict[int | None, Counter[str]] = {}
    for outcome in outcomes:
        for conference_id, kinds in outcome.counts.items():
            merged.setdefault(conference_id, Counter()).update(kinds)
    assert merged == expected
    recorded: Counter[str] = Counter()
    for kind, count in PurgeRecord.objects.values_list("kind", "count"):
        recorded[kind] += count
    assert recorded == sum(expected.values(), Counter())
    assert not Registration.objects.filter(last_name=NAME).exists()
    assert not Registration.objects.filter(email=EMAIL).exists()
    assert not Registration.objects.filter(erased_at=None).exists()


def test_two_daily_runs_at_once_remind_the_organisers_once(conference):
    retention_schedule_for(conference)
    near = retention_deadlines(conference).final_purge_reminder + dt.timedelta(hours=1)

    told = run_concurrently(2, lambda index: final_purge_reminders_send(now=near))

    assert sorted(told) == [0, 1]
    assert OutboundEmail.objects.filter(kind=OutboundEmail.Kind.FINAL_PURGE_REMINDER).count() == 1
