"""The daily beat task: it tells the organisers of a final purge that is near, then applies
every schedule."""

import datetime as dt

import pytest

from registrations.models import OutboundEmail, Registration
from registrations.tasks import purge_personal_data
from tests.registrations.privacy.world import DIETARY, world_build

pytestmark = pytest.mark.django_db


def test_daily_task_reminds_organisers_and_purges_what_is_due(
    settings, tmp_path, admin_user, monkeypatch, mailoutbox, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    world = world_build(admin_user)
    conference = world["conference"]
    near_final = world["deadlines"]["final"] - dt.timedelta(days=13)
    monkeypatch.setattr("django.utils.timezone.now", lambda: near_final)

    with django_capture_on_commit_callbacks(execute=True):
        purged = purge_personal_data.delay().get()

    assert purged > 0
    assert not Registration.objects.filter(dietary_needs=DIETARY).exists()
    # Not yet the final purge: the delegate is still there.
    assert Registration.objects.filter(pk=world["delegate"].pk, erased_at=None).exists()
    reminder = OutboundEmail.objects.get(kind=OutboundEmail.Kind.FINAL_PURGE_REMINDER)
    assert reminder.status == OutboundEmail.Status.SENT
    assert [message.to for message in mailoutbox] == [[conference.contact_email]]
