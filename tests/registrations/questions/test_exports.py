"""The attendee list exports a column per active question, read back with openpyxl: typed
cells in XLSX (numbers, dates, moments), a multiple choice as a column per choice in XLSX and
one joined column in CSV, a file by its name; special-category questions only with the
special-needs permission."""

import csv
import datetime as dt
import decimal
import io
import zoneinfo

import openpyxl
import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import translation

from registrations.models import ExportFormat, ExportJob, QuestionType, Registration
from registrations.organiser.exports.build import export_job_build
from registrations.organiser.exports.writers import attendee_csv, attendee_export_write
from registrations.questions.builtin import BUILTIN_DIET, BUILTIN_MEALS
from tests.factories import RegistrationFactory
from tests.registrations.questions.answering import answer, builtin, choose
from tests.staff import staff_login

pytestmark = pytest.mark.django_db

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


@pytest.fixture
def answered(conference, questions):
    """Two delegates: Kovacs answered every question, Lind only the text one."""
    conference.time_zone = "Europe/Paris"
    conference.save()
    kovacs = RegistrationFactory(conference=conference, last_name="Kovacs")
    lind = RegistrationFactory(conference=conference, last_name="Lind")
    q = questions
    answer(kovacs, q[QuestionType.TEXT], value_text="=1+1 stays text")
    answer(kovacs, q[QuestionType.LONG_TEXT], value_text="Two\nlines")
    answer(kovacs, q[QuestionType.NUMBER], value_number=decimal.Decimal("3.0000"))
    answer(kovacs, q[QuestionType.DATE], value_date=dt.date(2026, 6, 11))
    answer(
        kovacs,
        q[QuestionType.DATETIME],
        value_datetime=dt.datetime(2026, 6, 9, 18, 20, tzinfo=PARIS),
    )
    answer(kovacs, q[QuestionType.YES_NO], value_bool=False)
    answer(kovacs, q[QuestionType.COUNTRY], value_country="BE")
    answer(kovacs, q[QuestionType.FILE], file_name="mandate.pdf", file="answers/1/x.pdf")
    choose(kovacs, q[QuestionType.SINGLE_CHOICE], "Hotel Aston")
    choose(kovacs, q[QuestionType.MULTIPLE_CHOICE], "Tram tour", "Harbour walk")
    choose(kovacs, builtin(conference, BUILTIN_DIET), "vegan")
    choose(kovacs, builtin(conference, BUILTIN_MEALS), "gala_dinner")
    answer(lind, q[QuestionType.TEXT], value_text="Only this")
    return Registration.objects.filter(conference=conference).order_by("sort_name")


def xlsx_rows(path) -> list[dict]:
    workbook = openpyxl.load_workbook(path)
    header, *rows = list(workbook.active.iter_rows(values_only=True))
    return [dict(zip(header, row, strict=True)) for row in rows]


def test_xlsx_has_a_typed_column_per_question_and_a_column_per_choice(answered, tmp_path):
    path = tmp_path / "attendees.xlsx"
    attendee_export_write(registrations=answered, export_format=ExportFormat.XLSX, path=str(path))
    kovacs, lind = xlsx_rows(path)

    assert kovacs["Q text"] == "=1+1 stays text"
    assert kovacs["Q long_text"] == "Two\nlines"
    assert kovacs["Q number"] == 3 and isinstance(kovacs["Q number"], int)
    assert kovacs["Q date"] == dt.datetime(2026, 6, 11)
    assert kovacs["Q datetime"] == dt.datetime(2026, 6, 9, 18, 20)
    assert kovacs["Q yes_no"] == "No"
    assert kovacs["Q country"] == "Belgium"
    assert kovacs["Q file"] == "mandate.pdf"
    assert kovacs["Q single_choice"] == "Hotel Aston"
    assert kovacs["Q multiple_choice: Tram tour"] == 1
    assert kovacs["Q multiple_choice: Harbour walk"] == 1
    assert kovacs["Meals you will take: Gala dinner"] == 1
    lunches = [key for key in kovacs if key.startswith("Meals you will take: Lunch, ")]
    assert len(lunches) == 3
    assert [kovacs[key] for key in lunches] == [None, None, None]
    assert "Q multiple_choice" not in kovacs
    assert lind["Q text"] == "Only this"
    assert lind["Q multiple_choice: Tram tour"] is None
    assert lind["Q number"] is None
    # Without the special-needs permission (the default), no diet column.
    assert not any(key.startswith("Dietary requirements") for key in kovacs)


def test_xlsx_with_special_needs_has_the_diet_choices(answered, tmp_path):
    path = tmp_path / "attendees.xlsx"
    attendee_export_write(
        registrations=answered,
        export_format=ExportFormat.XLSX,
        path=str(path),
        special_needs=True,
    )
    kovacs, _lind = xlsx_rows(path)

    assert kovacs["Dietary requirements: Vegan"] == 1
    assert kovacs["Dietary requirements: Halal"] is None
    # No one in the list wrote another requirement: no column.
    assert "Other dietary requirement" not in kovacs


def csv_rows(lines) -> list[dict]:
    text = "".join(lines).removeprefix("\ufeff")
    return list(csv.DictReader(io.StringIO(text)))


def test_csv_joins_a_multiple_choice_in_one_column(answered):
    kovacs, lind = csv_rows(attendee_csv(answered))

    assert kovacs["Q multiple_choice"] == "Tram tour; Harbour walk"
    assert kovacs["Q number"] == "3"
    assert kovacs["Q date"] == "2026-06-11"
    assert kovacs["Q datetime"] == "2026-06-09 18:20"
    assert kovacs["Q text"] == "'=1+1 stays text"  # disarmed, as every CSV cell
    assert kovacs["Meals you will take"] == "Gala dinner"
    assert "Dietary requirements" not in kovacs
    assert lind["Q multiple_choice"] == ""
    # Asked, but answered by no one in the list: no column.
    assert "Arrival: date and time" not in kovacs
    assert not any(key.startswith("Q multiple_choice:") for key in kovacs)


def test_csv_headers_in_the_export_language(answered):
    with translation.override("fr"):
        kovacs, _lind = csv_rows(attendee_csv(answered))
    assert kovacs["Q text fr"] == "'=1+1 stays text"
    assert "Repas auxquels vous participerez" in kovacs


def test_an_answer_to_a_deleted_choice_keeps_its_label_in_csv(answered, questions):
    questions[QuestionType.SINGLE_CHOICE].choices.get(label_en="Hotel Aston").delete()
    kovacs, _lind = csv_rows(attendee_csv(answered))
    assert kovacs["Q single_choice"] == "Hotel Aston"


def test_a_switched_off_question_has_no_column(answered, questions):
    questions[QuestionType.NUMBER].active = False
    questions[QuestionType.NUMBER].save()
    kovacs, _lind = csv_rows(attendee_csv(answered))
    assert "Q number" not in kovacs


def test_export_job_file_has_the_question_columns(answered, django_user_model, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    user = django_user_model.objects.create_user("olga", is_staff=True)
    job = ExportJob.objects.create(
        user=user,
        kind="attendees",
        format="xlsx",
        registration_ids=list(answered.values_list("pk", flat=True)),
        rows_total=2,
    )
    job = export_job_build(job_id=job.pk)
    assert job.status == ExportJob.Status.DONE
    kovacs, _lind = xlsx_rows(job.file.path)
    assert kovacs["Q multiple_choice: Harbour walk"] == 1
    assert kovacs["Q number"] == 3


def grant(user, *codenames: str) -> None:
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))


def test_admin_export_hides_special_category_answers_without_the_permission(
    client, answered, django_user_model
):
    user = django_user_model.objects.create_user("olga", password="x", is_staff=True)
    grant(user, "view_registration", "export_registrations")
    staff_login(client, user)
    url = reverse("admin:registrations_registration_export_xlsx")

    response = client.get(url)
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    header = next(workbook.active.iter_rows(values_only=True))
    assert "Q multiple_choice: Tram tour" in header
    assert not any(str(label).startswith("Dietary requirements") for label in header)

    grant(user, "view_special_needs")
    user = django_user_model.objects.get(pk=user.pk)
    staff_login(client, user)
    response = client.get(url)
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    header = next(workbook.active.iter_rows(values_only=True))
    assert "Dietary requirements: Vegan" in header
