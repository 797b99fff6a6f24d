"""Export jobs with their files in an S3-compatible object store, as when web processes and
workers run on several machines: moto's standalone S3 server on 127.0.0.1 stands in for it,
configured through the same environment variables as production (config/file_storage.py)."""

import datetime as dt
import socket

import boto3
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils import timezone
from environ import Env
from moto.server import ThreadedMotoServer

from config.file_storage import default_storage_settings
from registrations.models import ExportJob
from registrations.organiser.exports.build import export_jobs_purge
from tests.registrations.organiser.exports.test_jobs import (
    DOWNLOAD,
    organiser,
    registrations,  # noqa: F401 (a fixture)
    small_limit,  # noqa: F401 (a fixture)
    start_job,
)
from tests.registrations.xlsx import read_xlsx
from tests.staff import staff_login

pytestmark = pytest.mark.django_db

BUCKET = "conference-files"
CREDENTIALS = {"aws_access_key_id": "test-key", "aws_secret_access_key": "test-secret"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=free_port(), verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_endpoint, settings, monkeypatch, tmp_path):
    """An empty bucket, and the site's default storage in it, set up from the environment."""
    s3 = boto3.resource("s3", endpoint_url=s3_endpoint, region_name="eu-west-3", **CREDENTIALS)
    bucket = s3.Bucket(BUCKET)
    bucket.create(CreateBucketConfiguration={"LocationConstraint": "eu-west-3"})
    for name, value in {
        "DJANGO_MEDIA_STORAGE": "s3",
        "DJANGO_S3_BUCKET": BUCKET,
        "DJANGO_S3_ENDPOINT_URL": s3_endpoint,
        "DJANGO_S3_REGION": "eu-west-3",
        "DJANGO_S3_ACCESS_KEY_ID": CREDENTIALS["aws_access_key_id"],
        "DJANGO_S3_SECRET_ACCESS_KEY": CREDENTIALS["aws_secret_access_key"],
        "DJANGO_S3_PREFIX": "site",
        "DJANGO_S3_ADDRESSING_STYLE": "path",
    }.items():
        monkeypatch.setenv(name, value)
    settings.STORAGES = {**settings.STORAGES, "default": default_storage_settings(Env())}
    # Nothing may land on the local disk instead.
    settings.MEDIA_ROOT = tmp_path / "media"
    yield bucket
    bucket.objects.all().delete()
    bucket.delete()


@pytest.mark.usefixtures("registrations")
def test_a_job_file_is_written_to_the_object_store_and_downloaded_from_it(
    client, bucket, django_capture_on_commit_callbacks, tmp_path
):
    staff_login(client, organiser())

    job = start_job(client, django_capture_on_commit_callbacks)

    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE
    assert [obj.key for obj in bucket.objects.all()] == [f"site/{job.file.name}"]
    response = client.get(reverse(DOWNLOAD, args=[job.pk]))
    assert response.status_code == 200
    rows = read_xlsx(b"".join(response.streaming_content))
    assert [row[3] for row in rows[1:]] == ["Dupont", "Dupré", "Dupuis", "Nowak"]
    assert not (tmp_path / "media").exists()


@pytest.mark.usefixtures("registrations")
def test_a_missing_object_is_not_found_and_purged_jobs_leave_the_store(
    client, bucket, django_capture_on_commit_callbacks
):
    staff_login(client, organiser())
    first = start_job(client, django_capture_on_commit_callbacks)
    first.refresh_from_db()
    bucket.Object(f"site/{first.file.name}").delete()

    assert client.get(reverse(DOWNLOAD, args=[first.pk])).status_code == 404

    ExportJob.objects.all().delete()
    second = start_job(client, django_capture_on_commit_callbacks)
    second.refresh_from_db()
    assert len(list(bucket.objects.all())) == 1
    assert export_jobs_purge(now=timezone.now() + dt.timedelta(days=3)) == 1
    assert list(bucket.objects.all()) == []


def test_the_storage_is_the_local_folder_unless_told_otherwise(monkeypatch):
    monkeypatch.delenv("DJANGO_MEDIA_STORAGE", raising=False)
    assert default_storage_settings(Env()) == {
        "BACKEND": "django.core.files.storage.FileSystemStorage"
    }
    monkeypatch.setenv("DJANGO_MEDIA_STORAGE", "s3")
    monkeypatch.delenv("DJANGO_S3_BUCKET", raising=False)
    with pytest.raises(ImproperlyConfigured):
        default_storage_settings(Env())
    monkeypatch.setenv("DJANGO_MEDIA_STORAGE", "ftp")
    with pytest.raises(ImproperlyConfigured):
        default_storage_settings(Env())
