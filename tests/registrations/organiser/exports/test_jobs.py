"""XLSX exports too large for a request: built by the build_export task (in-process here, as
without REDIS_URL), followed on a page that reloads itself, downloaded by their owner only."""

import datetime as dt
import os

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.forms.models import model_to_dict
from django.urls import reverse
from django.utils import timezone

from registrations.admin import exports as exports_admin
from registrations.models import ExportJob, ExportRecord, Registration
from registrations.organiser.exports import writers
from registrations.organiser.exports.build import (
    EXPORT_FILE_RETENTION,
    export_job_build,
    export_jobs_purge,
)
from registrations.organiser.exports.writers import xlsx_write
from tests.factories import AuthorityFactory, ConferenceFactory, RegistrationFactory
from tests.registrations.xlsx import read_xlsx
from tests.staff import staff_login

pytestmark = pytest.mark.django_db

EXPORT = "admin:registrations_registration_export_xlsx"
PROGRESS = "admin:registrations_exportjob_progress"
DOWNLOAD = "admin:registrations_exportjob_download"


@pytest.fixture(autouse=True)
def small_limit(monkeypatch, settings, tmp_path):
    """Three rows are "large", and job files go to a folder of the test's own."""
    monkeypatch.setattr(exports_admin, "EXPORT_SYNC_LIMIT", 2)
    settings.MEDIA_ROOT = tmp_path


def organiser(username: str = "olga"):
    user = get_user_model().objects.create_user(username, password="x", is_staff=True)
    user.groups.add(Group.objects.get(name="Organisers"))
    return user


@pytest.fixture
def organiser_client(client):
    staff_login(client, organiser())
    return client


@pytest.fixture
def registrations():
    conference = ConferenceFactory()
    liege = AuthorityFactory(name="Liège", country="BE")
    return [
        RegistrationFactory(
            conference=conference, authority=liege, last_name=name, dietary_needs="Vegan"
        )
        for name in ("Dupont", "Dupuis", "Dupré")
    ] + [RegistrationFactory(conference=conference, last_name="Nowak")]


def start_job(client, django_capture_on_commit_callbacks, params=None):
    """Post the offer, as its button does; the task runs when the job's transaction commits."""
    url = reverse(EXPORT) + (f"?{params}" if params else "")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 303
    job = ExportJob.objects.get()
    assert response.url == reverse(PROGRESS, args=[job.pk])
    return job


def test_large_export_offers_a_job_and_creates_nothing_on_get(organiser_client, registrations):
    response = organiser_client.get(reverse(EXPORT), {"status__exact": "confirmed"})

    assert response.status_code == 200
    content = response.content.decode()
    assert "The list has 4 registrations." in content
    assert 'method="post"' in content
    assert ExportJob.objects.count() == 0
    assert ExportRecord.objects.count() == 0


def test_small_export_is_sent_at_once(organiser_client, registrations):
    response = organiser_client.get(reverse(EXPORT), {"q": "nowak"})

    assert response.status_code == 200
    assert len(read_xlsx(b"".join(response.streaming_content))) == 2
    assert ExportJob.objects.count() == 0


def test_job_completes_in_process_and_its_owner_downloads_it(
    organiser_client, registrations, django_capture_on_commit_callbacks
):
    job = start_job(organiser_client, django_capture_on_commit_callbacks, "status__exact=confirmed")

    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE
    assert (job.rows_done, job.rows_total) == (4, 4)
    assert job.finished_at is not None
    # Kept until the job goes: whose data the file holds (privacy.export_jobs).
    assert len(job.registration_ids) == 4
    assert job.file.name.startswith("exports/attendees-")

    page = organiser_client.get(reverse(PROGRESS, args=[job.pk])).content.decode()
    assert "http-equiv" not in page
    assert reverse(DOWNLOAD, args=[job.pk]) in page

    response = organiser_client.get(reverse(DOWNLOAD, args=[job.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="attendees-{job.created_at:%Y-%m-%d}-{job.pk}.xlsx"'
    )
    rows = read_xlsx(b"".join(response.streaming_content))
    assert [row[3] for row in rows[1:]] == ["Dupont", "Dupré", "Dupuis", "Nowak"]
    # Organisers may see special needs, so the job's file has them.
    assert rows[1][-2:] == ["Vegan", ""]


def test_queued_job_page_refreshes_itself_every_two_seconds(organiser_client, registrations):
    # Without running the commit callbacks, the job stays queued.
    organiser_client.post(reverse(EXPORT))
    job = ExportJob.objects.get()
    assert job.status == ExportJob.Status.QUEUED

    page = organiser_client.get(reverse(PROGRESS, args=[job.pk])).content.decode()

    assert '<meta http-equiv="refresh" content="2">' in page
    assert "0 of 4" in page
    assert reverse(DOWNLOAD, args=[job.pk]) not in page
    assert organiser_client.get(reverse(DOWNLOAD, args=[job.pk])).status_code == 404


def test_only_the_owner_sees_and_downloads_a_job(
    client, organiser_client, registrations, django_capture_on_commit_callbacks
):
    job = start_job(organiser_client, django_capture_on_commit_callbacks)
    staff_login(client, organiser("another"))

    assert client.get(reverse(DOWNLOAD, args=[job.pk])).status_code == 403
    assert client.get(reverse(PROGRESS, args=[job.pk])).status_code == 403
    changelist = client.get(reverse("admin:registrations_exportjob_changelist"))
    assert list(changelist.context["cl"].queryset) == []


def test_superuser_cannot_download_another_users_job(
    admin_client, organiser_client, registrations, django_capture_on_commit_callbacks
):
    job = start_job(organiser_client, django_capture_on_commit_callbacks)

    assert admin_client.get(reverse(DOWNLOAD, args=[job.pk])).status_code == 403


def test_owner_who_lost_the_export_permission_cannot_download(
    client, registrations, django_capture_on_commit_callbacks
):
    user = organiser()
    staff_login(client, user)
    job = start_job(client, django_capture_on_commit_callbacks)
    user.groups.set([Group.objects.get(name="Viewers")])

    assert client.get(reverse(DOWNLOAD, args=[job.pk])).status_code == 403


def test_job_drops_the_search_but_exports_what_it_found(
    organiser_client, registrations, django_capture_on_commit_callbacks
):
    job = start_job(
        organiser_client, django_capture_on_commit_callbacks, "q=dup&status__exact=confirmed&o=2"
    )

    job.refresh_from_db()
    assert job.filter == "status__exact=confirmed"
    assert job.searched is True
    rows = read_xlsx(job.file.read())
    assert [row[3] for row in rows[1:]] == ["Dupont", "Dupré", "Dupuis"]


def test_job_records_the_export_without_personal_data(
    organiser_client, registrations, django_capture_on_commit_callbacks
):
    job = start_job(organiser_client, django_capture_on_commit_callbacks, "q=Li%C3%A8ge")

    record = ExportRecord.objects.get()
    assert record.user == job.user
    assert (record.source, record.kind, record.format) == ("admin", "attendees", "xlsx")
    assert list(record.conferences.all()) == [registrations[0].conference]
    assert (record.filter, record.searched, record.special_needs) == ("", True, True)
    assert record.rows == 3
    stored = " ".join(str(value) for value in model_to_dict(record).values())
    for registration in registrations:
        for personal in (registration.last_name, registration.email, registration.reference):
            assert personal not in stored
    assert "Liège" not in stored
    assert "Liège" not in str(model_to_dict(job))


def test_job_is_built_once(organiser_client, registrations, django_capture_on_commit_callbacks):
    job = start_job(organiser_client, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    file_name = job.file.name

    export_job_build(job_id=job.pk)

    job.refresh_from_db()
    assert job.file.name == file_name
    assert ExportRecord.objects.count() == 1


def test_job_whose_worker_died_is_built_again(organiser_client, registrations):
    organiser_client.post(reverse(EXPORT))
    job = ExportJob.objects.get()
    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.RUNNING, rows_done=2)

    export_job_build(job_id=job.pk)

    job.refresh_from_db()
    assert (job.status, job.rows_done) == (ExportJob.Status.DONE, 4)


def test_job_that_fails_is_marked_failed_and_not_recorded(
    organiser_client, registrations, django_capture_on_commit_callbacks, monkeypatch
):
    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(writers, "xlsx_write", broken)

    job = start_job(organiser_client, django_capture_on_commit_callbacks)

    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED
    assert not job.file
    assert job.registration_ids is None
    assert ExportRecord.objects.count() == 0
    page = organiser_client.get(reverse(PROGRESS, args=[job.pk])).content.decode()
    assert "The file could not be prepared." in page
    assert "http-equiv" not in page


def test_job_fails_when_the_broker_cannot_take_it(
    organiser_client, registrations, django_capture_on_commit_callbacks, monkeypatch
):
    from registrations.organiser.exports.tasks import build_export

    def broker_down(*args, **kwargs):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(build_export, "apply_async", broker_down)

    job = start_job(organiser_client, django_capture_on_commit_callbacks)

    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED


def test_job_reports_progress_while_it_runs(organiser_client, registrations, monkeypatch):
    monkeypatch.setattr(writers, "CHUNK_SIZE", 2)
    organiser_client.post(reverse(EXPORT))
    job = ExportJob.objects.get()
    seen = []
    original = xlsx_write

    def watching(*args, on_progress, **kwargs):
        def progress(done):
            on_progress(done)
            seen.append(ExportJob.objects.get(pk=job.pk).rows_done)

        return original(*args, on_progress=progress, **kwargs)

    monkeypatch.setattr(writers, "xlsx_write", watching)

    export_job_build(job_id=job.pk)

    assert seen == [2, 4]


def test_job_skips_registrations_deleted_since(organiser_client, registrations):
    organiser_client.post(reverse(EXPORT))
    job = ExportJob.objects.get()
    Registration.objects.filter(last_name="Nowak").delete()

    export_job_build(job_id=job.pk)

    job.refresh_from_db()
    assert job.rows_done == 3
    assert ExportRecord.objects.get().rows == 3


def test_old_jobs_are_purged_with_their_files(
    organiser_client, registrations, django_capture_on_commit_callbacks
):
    job = start_job(organiser_client, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    path = job.file.path
    ExportJob.objects.filter(pk=job.pk).update(
        created_at=timezone.now() - EXPORT_FILE_RETENTION - dt.timedelta(minutes=1)
    )

    assert export_jobs_purge() == 1

    assert not ExportJob.objects.exists()
    assert not os.path.exists(path)
    assert ExportRecord.objects.count() == 1


def test_viewers_cannot_start_or_see_jobs(client, registrations):
    user = get_user_model().objects.create_user("vera", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name="Viewers"))
    staff_login(client, user)

    assert client.post(reverse(EXPORT)).status_code == 403
    assert client.get(reverse("admin:registrations_exportjob_changelist")).status_code == 403
    assert ExportJob.objects.count() == 0


def test_job_names_countries_in_the_organisers_language(
    organiser_client, registrations, django_capture_on_commit_callbacks, settings
):
    organiser_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"

    job = start_job(organiser_client, django_capture_on_commit_callbacks)

    job.refresh_from_db()
    assert job.language == "fr"
    response = organiser_client.get(reverse(DOWNLOAD, args=[job.pk]))
    rows = read_xlsx(b"".join(response.streaming_content))
    assert rows[0][9] == "Pays"
    assert sorted(row[9] for row in rows[1:]) == ["Belgique", "Belgique", "Belgique", "France"]
