"""Answers are the delegate's personal data: in their data export, erased with them, and
purged on the retention schedule (special-category ones with the needs, the rest with the
registration's identifying data), their files too."""

import datetime as dt
import decimal
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from registrations.access.selectors import registration_personal_data
from registrations.access.self_service import registration_erase
from registrations.models import Answer, PurgeRecord, Question, QuestionType, Registration
from registrations.places.status import registration_cancel
from registrations.privacy.purge import personal_data_purge
from registrations.privacy.schedule import retention_deadlines
from registrations.questions.builtin import BUILTIN_DIET
from tests.factories import ConferenceFactory, RegistrationFactory
from tests.factories.questions import AnswerFactory, QuestionFactory
from tests.registrations.questions.helpers import PDF

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def conference():
    return ConferenceFactory()


def file_answer(registration, question) -> Answer:
    answer = AnswerFactory(registration=registration, question=question, file_name="mandate.pdf")
    answer.file.save("mandate.pdf", ContentFile(PDF), save=True)
    return answer


@pytest.fixture
def answered(conference):
    """A registration with a diet (special category), a number, a date, a yes/no, a country
    and a file answer."""
    registration = RegistrationFactory(conference=conference)
    diet = Question.objects.get(conference=conference, builtin=BUILTIN_DIET)
    vegan = diet.choices.get(builtin="vegan")
    diet_answer = AnswerFactory(registration=registration, question=diet, choice_labels=["Vegan"])
    diet_answer.choices.set([vegan])
    AnswerFactory(
        registration=registration,
        question=QuestionFactory(conference=conference, type=QuestionType.NUMBER),
        question_label="Nights at the hotel",
        value_number=decimal.Decimal("3"),
    )
    AnswerFactory(
        registration=registration,
        question=QuestionFactory(conference=conference, type=QuestionType.YES_NO),
        question_label="Photo consent",
        value_bool=False,
    )
    AnswerFactory(
        registration=registration,
        question=QuestionFactory(conference=conference, type=QuestionType.DATE),
        question_label="Visit day",
        value_date=dt.date(2026, 6, 11),
    )
    file_question = QuestionFactory(conference=conference, type=QuestionType.FILE)
    answer = file_answer(registration, file_question)
    return registration, answer


def test_data_export_holds_every_answer_with_its_value(answered):
    registration, _file = answered
    answers = {
        item["question"]: item for item in registration_personal_data(registration)["answers"]
    }
    assert answers["Dietary requirements"]["answer"] == ["Vegan"]
    assert answers["Nights at the hotel"]["answer"] == "3"
    assert answers["Photo consent"]["answer"] is False
    assert answers["Visit day"]["answer"] == "2026-06-11"
    file_item = next(item for item in answers.values() if "file_name" in item)
    assert file_item["file_name"] == "mandate.pdf"
    assert file_item["answer"] == "mandate.pdf"


def test_erasure_deletes_the_answers_and_their_files(
    answered, media, django_capture_on_commit_callbacks
):
    registration, file_answer_ = answered
    path = Path(media) / file_answer_.file.name
    assert path.exists()
    other = RegistrationFactory(conference=registration.conference)
    AnswerFactory(registration=other, question=file_answer_.question, value_text="kept")
    registration_cancel(registration=registration)
    with django_capture_on_commit_callbacks(execute=True):
        registration_erase(registration=registration)
    assert not Answer.objects.filter(registration=registration).exists()
    assert not path.exists()
    assert Answer.objects.filter(registration=other).count() == 1
    assert registration_personal_data(Registration.objects.get(pk=registration.pk))["answers"] == []


def test_purge_at_the_needs_deadline_deletes_only_special_category_answers(
    answered, conference, django_capture_on_commit_callbacks
):
    registration, _file = answered
    now = retention_deadlines(conference).needs + dt.timedelta(minutes=1)
    dry = personal_data_purge(conferences=[conference], now=now, dry_run=True)
    assert dry.counts[conference.pk][PurgeRecord.Kind.ANSWERS] == 1
    assert Answer.objects.filter(registration=registration).count() == 5
    with django_capture_on_commit_callbacks(execute=True):
        personal_data_purge(conferences=[conference], now=now)
    left = Answer.objects.filter(registration=registration)
    assert sorted(left.values_list("question_label", flat=True)) == sorted(
        ["Nights at the hotel", "Photo consent", "Visit day", _file.question_label]
    )
    assert not left.filter(question__special_category=True).exists()
    record = PurgeRecord.objects.get(conference=conference, kind=PurgeRecord.Kind.ANSWERS)
    assert record.count == 1


def test_purge_at_the_identifying_deadline_deletes_every_answer_and_file(
    answered, conference, media, django_capture_on_commit_callbacks
):
    registration, file_answer_ = answered
    path = Path(media) / file_answer_.file.name
    now = retention_deadlines(conference).identifying + dt.timedelta(minutes=1)
    dry = personal_data_purge(conferences=[conference], now=now, dry_run=True)
    # The needs' step and the anonymisation count each answer once between them.
    assert dry.counts[conference.pk][PurgeRecord.Kind.ANSWERS] == 5
    assert path.exists()
    with django_capture_on_commit_callbacks(execute=True):
        personal_data_purge(conferences=[conference], now=now)
    assert not Answer.objects.filter(registration=registration).exists()
    assert not path.exists()
    assert (
        PurgeRecord.objects.filter(conference=conference, kind=PurgeRecord.Kind.ANSWERS)
        .values_list("count", flat=True)
        .get()
        == 5
    )


def test_privacy_notice_lists_the_answers(client, conference):
    page = client.get(reverse("registrations:privacy", kwargs={"slug": conference.slug}))
    assert "own questions (the days you attend, the meals you take" in page.content.decode()
