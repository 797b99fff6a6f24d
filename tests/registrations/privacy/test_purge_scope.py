"""What the purge of one conference touches besides its registrations, and in which order it
locks: other conferences' export jobs stay; the browser sessions are decoded before the
conference is locked; the needs are wiped only once the conference row is locked."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session as BrowserSession
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conference.models import Conference
from registrations.models import ExportJob, Registration
from registrations.organiser.exports.build import export_job_build
from registrations.privacy.purge import personal_data_purge
from registrations.privacy.schedule import retention_deadlines, retention_schedule_for
from tests.factories import ConferenceFactory, RegistrationFactory
from tests.registrations.privacy.world import browser_session_of

pytestmark = pytest.mark.django_db

CONFERENCE_TABLE = Conference._meta.db_table
REGISTRATION_TABLE = Registration._meta.db_table


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def cancelled_long_ago():
    """A cancelled registration whose days of keeping are over (before the final purge)."""
    conference = ConferenceFactory()
    days = retention_schedule_for(conference).cancelled_days
    return RegistrationFactory(
        conference=conference,
        status=Registration.Status.CANCELLED,
        cancelled_at=timezone.now() - dt.timedelta(days=days + 1),
    )


def conference_lock_at(queries) -> int:
    locks = [
        index
        for index, query in enumerate(queries)
        if CONFERENCE_TABLE in query["sql"] and "FOR NO KEY UPDATE" in query["sql"]
    ]
    assert locks, "the conference row is never locked"
    return locks[0]


def test_purge_deletes_only_the_export_jobs_that_list_its_registrations(
    cancelled_long_ago, media, django_capture_on_commit_callbacks
):
    staff = get_user_model().objects.create_user("olga", is_staff=True)
    elsewhere = RegistrationFactory()

    def job(registration_ids, **fields) -> ExportJob:
        return ExportJob.objects.create(
            user=staff,
            kind="attendees",
            format="xlsx",
            registration_ids=registration_ids,
            rows_total=len(registration_ids or ()),
            **fields,
        )

    built_elsewhere = export_job_build(job_id=job([elsewhere.pk]).pk)
    queued_elsewhere = job([elsewhere.pk])
    running_elsewhere = job([elsewhere.pk], status=ExportJob.Status.RUNNING)
    failed = job(None, status=ExportJob.Status.FAILED)
    built_holding = export_job_build(job_id=job([cancelled_long_ago.pk]).pk)
    queued_holding = job([elsewhere.pk, cancelled_long_ago.pk])
    running_holding = job([cancelled_long_ago.pk], status=ExportJob.Status.RUNNING)
    # Built before jobs kept their list: it may hold anyone.
    built_unlisted = job(None, status=ExportJob.Status.DONE)

    with django_capture_on_commit_callbacks(execute=True):
        outcome = personal_data_purge(
            conferences=[cancelled_long_ago.conference], now=timezone.now()
        )

    cancelled_long_ago.refresh_from_db()
    assert cancelled_long_ago.erased_at is not None
    assert set(ExportJob.objects.values_list("pk", flat=True)) == {
        built_elsewhere.pk,
        queued_elsewhere.pk,
        running_elsewhere.pk,
        failed.pk,
    }
    assert {path.name for path in (media / "exports").iterdir()} == {
        built_elsewhere.file.name.removeprefix("exports/")
    }
    assert not {built_holding.pk, queued_holding.pk, running_holding.pk, built_unlisted.pk} & set(
        ExportJob.objects.values_list("pk", flat=True)
    )
    assert outcome.counts[cancelled_long_ago.conference.pk]["exports"] == 4


@pytest.mark.postgres
def test_purge_decodes_the_browser_sessions_before_it_locks_the_conference(cancelled_long_ago):
    session_key = browser_session_of(cancelled_long_ago)
    kept_key = browser_session_of(RegistrationFactory())

    with CaptureQueriesContext(connection) as queries:
        personal_data_purge(conferences=[cancelled_long_ago.conference], now=timezone.now())

    sessions_read = [
        index
        for index, query in enumerate(queries.captured_queries)
        # A server-side cursor on PostgreSQL: DECLARE … CURSOR FOR SELECT.
        if 'SELECT "django_session"' in query["sql"]
    ]
    assert sessions_read
    assert max(sessions_read) < conference_lock_at(queries.captured_queries)
    assert set(BrowserSession.objects.values_list("session_key", flat=True)) == {kept_key}
    assert session_key != kept_key


@pytest.mark.postgres
def test_needs_are_wiped_only_under_the_conference_lock():
    conference = ConferenceFactory()
    with_needs = RegistrationFactory(conference=conference, dietary_needs="No nuts")
    now = retention_deadlines(conference).needs + dt.timedelta(minutes=1)
    assert now < retention_deadlines(conference).identifying

    with CaptureQueriesContext(connection) as queries:
        personal_data_purge(conferences=[conference], now=now)

    needs_wiped = next(
        index
        for index, query in enumerate(queries.captured_queries)
        if query["sql"].startswith(f'UPDATE "{REGISTRATION_TABLE}"')
        and "dietary_needs" in query["sql"]
    )
    assert conference_lock_at(queries.captured_queries) < needs_wiped
    with_needs.refresh_from_db()
    assert with_needs.dietary_needs == ""
