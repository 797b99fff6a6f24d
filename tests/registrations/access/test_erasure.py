"""Erasure leaves no trace of the person: the whole database is searched for their name and
address afterwards, and the export files that held them are gone."""

import datetime as dt
import zipfile

import pytest
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import models

from registrations.access.self_service import registration_erase
from registrations.models import ExportJob, Registration
from registrations.organiser.exports import build
from registrations.organiser.exports.build import export_job_build
from registrations.places.status import registration_cancel
from tests.factories import OutboundEmailFactory, RegistrationFactory

pytestmark = pytest.mark.django_db

NAME, SURNAME, EMAIL = "Wilhelmina", "Oosterhuis", "w.oosterhuis@utrecht.example"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def staff():
    return get_user_model().objects.create_user("olga", is_staff=True)


@pytest.fixture
def registration():
    return RegistrationFactory(
        first_name=NAME, last_name=SURNAME, email=EMAIL, dietary_needs="No nuts"
    )


def log_change(user, obj, message: str) -> LogEntry:
    return LogEntry.objects.create(
        user=user,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        object_repr=str(obj),
        action_flag=CHANGE,
        change_message=message,
    )


def rows_mentioning(text: str) -> list[str]:
    """Every text column of every table that holds `text`, as model.field."""
    found = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.CharField | models.TextField) and (
                model._default_manager.filter(**{f"{field.attname}__icontains": text}).exists()
            ):
                found.append(f"{model._meta.label}.{field.name}")
    return found


def test_erasure_leaves_the_name_and_address_nowhere_in_the_database(staff, registration):
    email = OutboundEmailFactory(registration=registration)
    log_change(staff, registration, f"Rang {NAME} {SURNAME} about her badge")
    log_change(staff, email, "[]")
    other = RegistrationFactory(first_name="Kept", last_name="Apart")
    kept = log_change(staff, other, "[]")
    registration_cancel(registration=registration)
    assert rows_mentioning(SURNAME) != []  # the search finds what is there

    registration_erase(registration=registration)

    assert rows_mentioning(SURNAME) == []
    assert rows_mentioning(EMAIL) == []
    entries = LogEntry.objects.filter(object_id=str(registration.pk)).exclude(pk=kept.pk)
    assert {(entry.object_repr, entry.change_message) for entry in entries} >= {
        (registration.reference, "")
    }
    kept.refresh_from_db()
    assert kept.object_repr == str(other)


def build_job(staff, registration_ids) -> ExportJob:
    job = ExportJob.objects.create(
        user=staff,
        kind="attendees",
        format="xlsx",
        special_needs=True,
        registration_ids=registration_ids,
        rows_total=len(registration_ids),
    )
    return export_job_build(job_id=job.pk)


def test_erasure_deletes_the_export_files_that_may_hold_the_person(
    staff, registration, media, django_capture_on_commit_callbacks
):
    older = build_job(staff, [RegistrationFactory().pk])
    ExportJob.objects.filter(pk=older.pk).update(
        created_at=registration.created_at - dt.timedelta(minutes=1)
    )
    built = build_job(staff, [registration.pk])
    queued = ExportJob.objects.create(
        user=staff, kind="attendees", format="xlsx", registration_ids=[registration.pk]
    )
    with zipfile.ZipFile(built.file.path) as archive:
        assert SURNAME in archive.read("xl/worksheets/sheet1.xml").decode()
    registration_cancel(registration=registration)

    with django_capture_on_commit_callbacks(execute=True):
        registration_erase(registration=registration)

    assert list(ExportJob.objects.values_list("pk", flat=True)) == [older.pk]
    assert sorted(path.name for path in (media / "exports").iterdir()) == [
        older.file.name.removeprefix("exports/")
    ]
    assert not ExportJob.objects.filter(pk=queued.pk).exists()


def test_a_build_whose_job_was_deleted_meanwhile_removes_its_file(
    staff, registration, media, monkeypatch
):
    job = ExportJob.objects.create(
        user=staff, kind="attendees", format="xlsx", registration_ids=[registration.pk]
    )
    original = build.writers.xlsx_write

    def erased_meanwhile(*args, **kwargs):
        rows = original(*args, **kwargs)
        ExportJob.objects.filter(pk=job.pk).delete()
        return rows

    monkeypatch.setattr(build.writers, "xlsx_write", erased_meanwhile)

    assert export_job_build(job_id=job.pk) is None
    assert list((media / "exports").iterdir()) == []
    assert Registration.objects.filter(pk=registration.pk).exists()
