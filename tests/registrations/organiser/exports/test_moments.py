"""Moments in the attendee list are the clock time at the conference: on PostgreSQL the
database gives them as local text (exports.columns.moments_in_sql), elsewhere Python converts
them; both give the same cells. To the minute in CSV (seconds cut, not rounded), to the second
in XLSX, on either side of a change of the clocks."""

import csv
import datetime as dt
import io

import openpyxl
import pytest

from registrations.models import ExportFormat, Registration
from registrations.organiser.exports import writers
from registrations.organiser.exports.questions import attendee_columns_with_questions
from registrations.organiser.exports.selectors import attendee_list, attendee_rows
from registrations.questions.builtin import BUILTIN_ARRIVAL_AT
from tests.factories import ConferenceFactory, RegistrationFactory
from tests.registrations.questions.answering import answer, builtin

pytestmark = pytest.mark.django_db

# 00:59:59.9 UTC on 25 October 2026 is 02:59:59 summer time in Paris, an hour before the
# clocks go back; 01:30 UTC on 29 March 2026, just after they went forward, is 03:30.
REGISTERED = dt.datetime(2026, 10, 25, 0, 59, 59, 900000, tzinfo=dt.UTC)
ARRIVAL = dt.datetime(2026, 3, 29, 1, 30, 42, tzinfo=dt.UTC)


@pytest.fixture
def registrations():
    conference = ConferenceFactory(time_zone="Europe/Paris")
    registration = RegistrationFactory(conference=conference)
    Registration.objects.filter(pk=registration.pk).update(created_at=REGISTERED)
    answer(registration, builtin(conference, BUILTIN_ARRIVAL_AT), value_datetime=ARRIVAL)
    return attendee_list(Registration.objects.all())


def test_csv_moments_are_local_to_the_minute(registrations):
    text = "".join(writers.attendee_csv(registrations, special_needs=True))

    header, row = list(csv.reader(io.StringIO(text.removeprefix(writers.UTF8_BOM))))
    cells = dict(zip(header, row, strict=True))
    assert cells["Registered at"] == "2026-10-25 02:59"
    [arrival] = [value for value in row if value.startswith("2026-03-29")]
    assert arrival == "2026-03-29 03:30"


def test_xlsx_moments_are_local_to_the_second(registrations):
    output = io.BytesIO()
    writers.xlsx_write(
        attendee_rows(registrations, special_needs=True, chunk_size=writers.CHUNK_SIZE),
        attendee_columns_with_questions(
            registrations, special_needs=True, export_format=ExportFormat.XLSX
        ),
        output,
        sheet_name="Attendees",
    )

    header, row = openpyxl.load_workbook(output).active.iter_rows(values_only=True)
    cells = dict(zip(header, row, strict=True))
    assert cells["Registered at"] == dt.datetime(2026, 10, 25, 2, 59, 59)
    assert dt.datetime(2026, 3, 29, 3, 30, 42) in row
