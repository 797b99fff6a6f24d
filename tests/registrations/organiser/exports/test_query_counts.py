"""The attendee exports run the same queries for 3 delegates as for 9, each with booked
sessions and answers (choices ticked, a moment, a text): nothing is read per row. Answers are
read once per chunk of rows."""

import datetime as dt
import io

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from registrations.models import ExportFormat, Registration
from registrations.organiser.exports import columns, writers
from registrations.organiser.exports.build import export_job_build
from registrations.organiser.exports.jobs import export_job_start
from registrations.organiser.exports.questions import attendee_columns_with_questions
from registrations.organiser.exports.selectors import attendee_list, attendee_rows
from registrations.questions.builtin import (
    BUILTIN_ARRIVAL_AT,
    BUILTIN_ARRIVAL_NUMBER,
    BUILTIN_DAYS_ATTENDED,
    BUILTIN_MEALS,
)
from tests.factories import ConferenceFactory, RegistrationFactory, SessionFactory
from tests.factories.registrations import SessionBookingFactory
from tests.registrations.questions.answering import answer, builtin

pytestmark = pytest.mark.django_db


def _delegates(conference, count: int) -> None:
    sessions = SessionFactory.create_batch(2, conference=conference)
    days, meals = builtin(conference, BUILTIN_DAYS_ATTENDED), builtin(conference, BUILTIN_MEALS)
    for registration in RegistrationFactory.create_batch(count, conference=conference):
        for session in sessions:
            SessionBookingFactory(registration=registration, session=session, status="booked")
        for question in (days, meals):
            ticked = answer(registration, question)
            ticked.choices.set(question.choices.all()[:2])
        answer(
            registration,
            builtin(conference, BUILTIN_ARRIVAL_AT),
            value_datetime=dt.datetime(2026, 6, 9, 18, 20, tzinfo=dt.UTC),
        )
        answer(registration, builtin(conference, BUILTIN_ARRIVAL_NUMBER), value_text="AF 1234")


def _queries(run) -> list[str]:
    if connection.vendor == "postgresql":
        # The zones PostgreSQL knows are read once per process, by whichever export is first:
        # not one of an export's queries.
        columns.database_knows_time_zone("UTC")
    with CaptureQueriesContext(connection) as captured:
        run()
    return [query["sql"] for query in captured.captured_queries]


def _exports(export_format: str):
    def csv_export() -> None:
        registrations = attendee_list(Registration.objects.all())
        text = "".join(writers.attendee_csv(registrations, special_needs=True))
        assert "AF 1234" in text

    def xlsx_export() -> None:
        registrations = attendee_list(Registration.objects.all())
        writers.xlsx_write(
            attendee_rows(registrations, special_needs=True, chunk_size=2000),
            attendee_columns_with_questions(
                registrations, special_needs=True, export_format=ExportFormat.XLSX
            ),
            io.BytesIO(),
            sheet_name="Attendees",
        )

    return csv_export if export_format == "csv" else xlsx_export


@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
def test_an_export_runs_the_same_queries_for_three_times_the_rows(export_format):
    conference = ConferenceFactory()
    _delegates(conference, 3)
    few = _queries(_exports(export_format))
    _delegates(conference, 6)
    many = _queries(_exports(export_format))

    assert len(few) == len(many)
    # The rows, their answers, the sessions; then the questions (conferences, questions and
    # their choices, which are answered); a CSV on PostgreSQL counts besides, in one query,
    # how much of its conferences' registrations it lists (csv_sql._grouped).
    counted = export_format == "csv" and connection.vendor == "postgresql"
    assert len(many) <= (8 if counted else 7)


def test_a_job_runs_the_same_queries_for_three_times_the_rows():
    conference = ConferenceFactory()
    user = get_user_model().objects.create_user("organiser")

    def job_queries() -> list[str]:
        job = export_job_start(
            user=user,
            registrations=attendee_list(Registration.objects.all()),
            filter="",
            searched=False,
            special_needs=True,
        )
        return _queries(lambda: export_job_build(job_id=job.pk))

    _delegates(conference, 3)
    few = job_queries()
    _delegates(conference, 6)
    many = job_queries()

    assert len(few) == len(many)


def test_answers_are_read_once_per_chunk_of_rows(monkeypatch):
    conference = ConferenceFactory()
    _delegates(conference, 6)
    registrations = attendee_list(Registration.objects.all())

    def answer_queries(chunk_size: int) -> int:
        def run() -> None:
            list(attendee_rows(registrations, special_needs=True, chunk_size=chunk_size))

        return sum('"registrations_answer"' in sql.split(" WHERE ")[0] for sql in _queries(run))

    assert answer_queries(2000) == 1
    assert answer_queries(2) == 3
