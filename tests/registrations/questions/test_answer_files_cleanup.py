"""Answer files are written to storage, which no transaction covers: those of a transaction
that rolls back go at once (answer_files_guard), and any left go with the daily sweep."""

import datetime as dt
import os

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from registrations.errors import RegistrationError
from registrations.models import Answer, QuestionType, Registration
from registrations.questions.files import answer_files_orphaned_delete
from tests.factories import AuthorityFactory, RegistrationFactory
from tests.registrations.questions.helpers import PDF, field, pdf_upload
from tests.registrations.questions.test_public_form import register_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def form_data():
    return {
        "authority": AuthorityFactory(name="Rotterdam", country="NL").pk,
        "first_name": "Sanne",
        "last_name": "de Vries",
        "email": "sanne.devries@rotterdam.nl",
        "job_title": "Policy adviser",
        "category": "delegate",
        "preferred_language": "en",
        "privacy_consent": "on",
    }


def stored_files(root) -> list[str]:
    return [str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()]


def test_a_registration_refused_after_its_answers_were_saved_leaves_no_file(
    client,
    conference,
    questions,
    form_data,
    settings,
    tmp_path,
    monkeypatch,
):
    settings.MEDIA_ROOT = tmp_path

    def refuse(*args, **kwargs):
        raise RegistrationError("Refused after the answers were written.")

    monkeypatch.setattr("registrations.places.registrations.webhook_event_record", refuse)

    response = client.post(
        register_url(conference), {**form_data, field(questions[QuestionType.FILE]): pdf_upload()}
    )

    assert response.status_code != 302
    assert not Registration.objects.exists()
    assert stored_files(tmp_path) == []


def test_a_registration_that_goes_through_keeps_its_file(
    client,
    conference,
    questions,
    form_data,
    settings,
    tmp_path,
):
    settings.MEDIA_ROOT = tmp_path
    response = client.post(
        register_url(conference), {**form_data, field(questions[QuestionType.FILE]): pdf_upload()}
    )
    assert response.status_code == 302
    (answer,) = Answer.objects.exclude(file="")
    assert stored_files(tmp_path) == [answer.file.name]


def test_the_sweep_deletes_old_orphans_and_keeps_held_and_recent_files(
    conference, questions, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    storage = Answer._meta.get_field("file").storage
    held = Answer.objects.create(
        registration=RegistrationFactory(conference=conference),
        question=questions[QuestionType.FILE],
        question_label="Q file",
        file_name="mandate.pdf",
        file=ContentFile(PDF, name="mandate.pdf"),
    )
    orphan = storage.save(f"answers/{conference.pk}/orphan.pdf", ContentFile(PDF))
    recent = storage.save(f"answers/{conference.pk}/recent.pdf", ContentFile(PDF))
    two_days_ago = (timezone.now() - dt.timedelta(days=2)).timestamp()
    for name in (held.file.name, orphan):
        os.utime(storage.path(name), (two_days_ago, two_days_ago))

    assert answer_files_orphaned_delete() == 1

    assert not storage.exists(orphan)
    assert storage.exists(held.file.name)
    assert storage.exists(recent)
