"""Moments in the attendee list are the clock time at the conference: on PostgreSQL the
database gives them as local text (exports.columns.moments_in_sql), elsewhere Python converts
them; both give the same cells. To the minute in CSV (seconds cut, not rounded), to the second
in XLSX, on either side of a change of the clocks. A zone PostgreSQL does not know (its time zone
data older than Python's) is converted by Python, in the same export as the others."""

import csv
import datetime as dt
import io
import shutil
import zoneinfo
from pathlib import Path

import openpyxl
import pytest

from registrations.models import ExportFormat, Registration
from registrations.organiser.exports import columns, writers
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


def registrations_in(time_zone: str):
    conference = ConferenceFactory(time_zone=time_zone)
    registration = RegistrationFactory(conference=conference)
    Registration.objects.filter(pk=registration.pk).update(created_at=REGISTERED)
    answer(registration, builtin(conference, BUILTIN_ARRIVAL_AT), value_datetime=ARRIVAL)
    return attendee_list(Registration.objects.all())


@pytest.fixture
def registrations():
    return registrations_in("Europe/Paris")


def csv_cells(registrations) -> tuple[str, str]:
    """The CSV's registration time and arrival."""
    text = "".join(writers.attendee_csv(registrations, special_needs=True))

    header, row = list(csv.reader(io.StringIO(text.removeprefix(writers.UTF8_BOM))))
    cells = dict(zip(header, row, strict=True))
    [arrival] = [value for value in row if value.startswith("2026-03-29")]
    return cells["Registered at"], arrival


def xlsx_row(registrations) -> tuple:
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
    return dict(zip(header, row, strict=True)), row


def test_csv_moments_are_local_to_the_minute(registrations):
    assert csv_cells(registrations) == ("2026-10-25 02:59", "2026-03-29 03:30")


def test_xlsx_moments_are_local_to_the_second(registrations):
    cells, row = xlsx_row(registrations)

    assert cells["Registered at"] == dt.datetime(2026, 10, 25, 2, 59, 59)
    assert dt.datetime(2026, 3, 29, 3, 30, 42) in row


@pytest.mark.postgres
def test_database_knows_its_time_zones():
    assert columns.database_knows_time_zone("Europe/Paris")
    assert not columns.database_knows_time_zone("Mars/Olympus_Mons")


@pytest.fixture
def paris_unknown_to_database(monkeypatch):
    monkeypatch.setattr(
        columns, "database_knows_time_zone", lambda name, *, using: name != "Europe/Paris"
    )


@pytest.mark.postgres
def test_a_zone_unknown_to_the_database_is_converted_by_python(
    registrations, paris_unknown_to_database
):
    assert csv_cells(registrations) == ("2026-10-25 02:59", "2026-03-29 03:30")
    cells, row = xlsx_row(registrations)
    assert cells["Registered at"] == dt.datetime(2026, 10, 25, 2, 59, 59)
    assert dt.datetime(2026, 3, 29, 3, 30, 42) in row


MARS = "Mars/Olympus_Mons"


@pytest.fixture
def zone_only_python_knows(tmp_path):
    """A zone Python knows and PostgreSQL does not: Paris's clocks under a name of our own."""
    paris = next(
        (
            path
            for path in (Path(root) / "Europe/Paris" for root in zoneinfo.TZPATH)
            if path.exists()
        ),
        None,
    )
    if paris is None:
        pytest.skip("no system time zone data to copy Paris's from")
    (tmp_path / "Mars").mkdir()
    shutil.copy(paris, tmp_path / MARS)
    tzpath = zoneinfo.TZPATH

    def forget() -> None:
        columns._python_time_zones.cache_clear()
        columns._zone.cache_clear()
        zoneinfo.ZoneInfo.clear_cache(only_keys=[MARS])

    zoneinfo.reset_tzpath([str(tmp_path), *tzpath])
    forget()
    yield MARS
    zoneinfo.reset_tzpath(tzpath)
    forget()


@pytest.mark.postgres
def test_exports_of_a_conference_in_a_zone_the_database_does_not_know(zone_only_python_knows):
    assert not columns.database_knows_time_zone(zone_only_python_knows)
    registrations = registrations_in(zone_only_python_knows)

    assert csv_cells(registrations) == ("2026-10-25 02:59", "2026-03-29 03:30")
    cells, row = xlsx_row(registrations)
    assert cells["Registered at"] == dt.datetime(2026, 10, 25, 2, 59, 59)
    assert dt.datetime(2026, 3, 29, 3, 30, 42) in row
