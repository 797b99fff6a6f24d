"""A delegate's or an organiser's text is never XML in a spreadsheet: xlsxwriter writes a
string that begins with <r> and ends with </r> as it is, taking it for a rich string's XML,
which would let a job title close its cell and add others, a formula among them. Every XLSX
export (the attendee list in the request and as a job, its header of question labels, a
session's roster) shows such a text as it is, in one text cell, in a well-formed sheet."""

import io
import zipfile
from xml.etree import ElementTree

import openpyxl
import pytest
from django.urls import reverse

from registrations.models import ExportFormat, ExportJob, Registration
from registrations.organiser.exports import writers
from registrations.organiser.exports.build import export_job_build
from registrations.organiser.exports.columns import Column
from registrations.organiser.rosters import roster_xlsx, session_roster
from tests.factories import (
    ConferenceFactory,
    RegistrationFactory,
    SessionFactory,
)
from tests.factories.questions import AnswerFactory, QuestionFactory
from tests.factories.registrations import SessionBookingFactory

pytestmark = pytest.mark.django_db

# Closes the inline string and its cell, adds a formula cell, and opens a string again.
INJECTED = (
    '<r><t>x</t></r></is></c><c r="ZZ9"><f>HYPERLINK("//e.example")</f></c><c><is><r><t>y</t></r>'
)
RICH = "<r><t>Head of <b>unit</b></t></r>"

SHEET_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def sheet_xml(data: bytes) -> ElementTree.Element:
    """The first sheet's XML, parsed: it must be well formed."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return ElementTree.fromstring(archive.read("xl/worksheets/sheet1.xml"))


def check_no_formula(data: bytes) -> None:
    root = sheet_xml(data)
    assert root.findall(f".//{SHEET_NS}f") == []
    references = [cell.get("r") for cell in root.iter(f"{SHEET_NS}c")]
    assert "ZZ9" not in references
    assert None not in references


def texts(data: bytes) -> list:
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    return [cell for row in workbook.worksheets[0].iter_rows() for cell in row]


def values(data: bytes) -> list:
    return [cell.value for cell in texts(data)]


@pytest.fixture
def registration():
    conference = ConferenceFactory()
    question = QuestionFactory(conference=conference, label_en=RICH)
    registration = RegistrationFactory(
        conference=conference, job_title=INJECTED, first_name=RICH, last_name="Nowak"
    )
    AnswerFactory(registration=registration, question=question, value_text=INJECTED)
    return registration


def test_attendee_xlsx_shows_rich_looking_text_as_it_is(admin_client, registration):
    response = admin_client.get(reverse("admin:registrations_registration_export_xlsx"))

    data = b"".join(response.streaming_content) if response.streaming else response.content
    check_no_formula(data)
    cells = texts(data)
    found = [cell for cell in cells if cell.value in (INJECTED, RICH)]
    # The first name, the job title, the question's label (a header) and its answer.
    assert sorted(cell.value for cell in found) == sorted([INJECTED, INJECTED, RICH, RICH])
    assert all(cell.data_type == "s" for cell in found)
    assert not any(str(cell.value).startswith("=") for cell in cells if cell.value)


def test_an_export_job_shows_rich_looking_text_as_it_is(
    admin_user, registration, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    job = ExportJob.objects.create(
        user=admin_user,
        kind="attendees",
        format=ExportFormat.XLSX,
        registration_ids=[registration.pk],
        rows_total=1,
    )
    export_job_build(job_id=job.pk)

    job.refresh_from_db()
    data = job.file.read()
    check_no_formula(data)
    assert values(data).count(INJECTED) == 2
    assert values(data).count(RICH) == 2


@pytest.mark.parametrize(
    "other", ["plain", "bell\x07", "long " * 7000], ids=["plain", "control", "long"]
)
def test_the_row_writer_escapes_rich_looking_text_beside_any_other(other):
    columns = [Column(RICH, lambda row: row[0]), Column("Other", lambda row: row[1])]
    output = io.BytesIO()
    writers.xlsx_write([(INJECTED, other), (RICH, None)], columns, output, sheet_name="A")

    data = output.getvalue()
    check_no_formula(data)
    assert values(data)[:3] == [RICH, "Other", INJECTED]
    assert values(data)[4] == RICH


def test_a_roster_shows_rich_looking_text_as_it_is():
    session = SessionFactory(title=RICH, meeting_point=INJECTED)
    delegate = RegistrationFactory(
        conference=session.conference,
        first_name=RICH,
        last_name=INJECTED,
        status=Registration.Status.CONFIRMED,
    )
    SessionBookingFactory(registration=delegate, session=session, status="booked")
    roster = session_roster(
        session, special_needs=True, name_key=lambda registration: (registration.pk,)
    )

    data = roster_xlsx(roster)
    check_no_formula(data)
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet["A1"].value == RICH
    assert sheet["A1"].font.bold
    assert sheet["B3"].value == INJECTED
    assert f"{INJECTED}, {RICH}" in values(data)
