import csv
import datetime as dt
import io
import sys
import tempfile
import zipfile

import pytest
from django.urls import reverse

from registrations.models import ExportRecord, Registration
from registrations.organiser.exports.columns import attendee_columns
from registrations.organiser.exports.selectors import attendee_rows
from registrations.organiser.exports.writers import xlsx_temporary_file, xlsx_write
from tests.factories import AuthorityFactory, RegistrationFactory
from tests.registrations.xlsx import cell_types, has_formula, read_xlsx, sheet_xml

pytestmark = pytest.mark.django_db

ATTENDEE_HEADER = [
    "Reference",
    "Status",
    "First name",
    "Last name",
    "Email",
    "Phone",
    "Job title",
    "Department or organisation",
    "City or region",
    "Country",
    "Country code",
    "Category",
    "Language",
    "Interpretation language",
    "Booked sessions",
    "Registered at",
]
JOB_TITLE = ATTENDEE_HEADER.index("Job title")


def attendees_xlsx(**columns) -> bytes:
    output = io.BytesIO()
    queryset = Registration.objects.select_related("authority", "conference").order_by("pk")
    rows = attendee_rows(queryset, chunk_size=100, **columns)
    xlsx_write(rows, attendee_columns(**columns), output, sheet_name="Attendees")
    return output.getvalue()


def test_xlsx_stores_formulas_as_text_without_a_prefix():
    RegistrationFactory(job_title="=1+2", organisation='=HYPERLINK("http://evil")')
    RegistrationFactory(job_title="+33 4 93 92 83 00", organisation="0042")

    data = attendees_xlsx()
    rows = read_xlsx(data)

    assert rows[1][JOB_TITLE : JOB_TITLE + 2] == ["=1+2", '=HYPERLINK("http://evil")']
    # Text that looks like a number stays text, leading zero included.
    assert rows[2][JOB_TITLE : JOB_TITLE + 2] == ["+33 4 93 92 83 00", "0042"]
    assert not has_formula(data)
    # Text inline, and the registration time a number (a date, by its style).
    assert cell_types(data) == {"inlineStr", None}


def test_xlsx_has_the_header_in_bold_on_a_frozen_first_row():
    RegistrationFactory()

    data = attendees_xlsx()

    assert read_xlsx(data)[0] == ATTENDEE_HEADER
    sheet = sheet_xml(data)
    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    pane = sheet.find(f"{main}sheetViews/{main}sheetView/{main}pane")
    assert (pane.get("ySplit"), pane.get("topLeftCell"), pane.get("state")) == ("1", "A2", "frozen")
    header_styles = {cell.get("s") for cell in sheet.find(f"{main}sheetData/{main}row")}
    assert header_styles == {"1"}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        styles = archive.read("xl/styles.xml").decode()
    assert "<b/>" in styles
    # Adjacent columns of the same width share one <col min max> element.
    widths = [
        float(column.get("width"))
        for column in sheet.iter(f"{main}col")
        for _index in range(int(column.get("min")), int(column.get("max")) + 1)
    ]
    assert len(widths) == len(ATTENDEE_HEADER)
    assert all(8 <= width <= 51 for width in widths)
    # The email column is wider than the reference column: widths follow the content.
    assert widths[4] > widths[0]
    assert sheet.find(f"{main}autoFilter").get("ref") == "A1:P2"


def test_xlsx_has_one_row_per_registration_in_order():
    authority = AuthorityFactory(name="Gdańsk", country="PL")
    registrations = RegistrationFactory.create_batch(3, authority=authority, first_name="Łucja")

    rows = read_xlsx(attendees_xlsx())

    assert len(rows) == 4
    assert [row[0] for row in rows[1:]] == [r.reference for r in registrations]
    assert rows[1][2] == "Łucja"
    assert rows[1][8:13] == ["Gdańsk", "Poland", "PL", "Delegate", "English"]


def test_xlsx_with_no_rows_has_the_header_only():
    assert read_xlsx(attendees_xlsx()) == [ATTENDEE_HEADER]


def test_xlsx_adds_special_needs_only_when_asked():
    RegistrationFactory(dietary_needs="Vegan", accessibility_needs="Wheelchair")

    without = read_xlsx(attendees_xlsx())
    with_needs = read_xlsx(attendees_xlsx(special_needs=True))

    assert "Vegan" not in without[1]
    assert with_needs[0][-2:] == ["Dietary needs", "Accessibility needs"]
    assert with_needs[1][-2:] == ["Vegan", "Wheelchair"]


def test_xlsx_write_leaves_no_temporary_files_when_a_row_fails(monkeypatch, tmp_path):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    RegistrationFactory()

    def broken(registration):
        raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError):
        xlsx_temporary_file(Registration.objects.all(), [("Broken", broken)], sheet_name="x")

    assert list(tmp_path.iterdir()) == []


def test_admin_exports_the_filtered_list_as_xlsx(admin_client):
    confirmed = RegistrationFactory(job_title="@admin")
    RegistrationFactory(status=Registration.Status.WAITLISTED)

    response = admin_client.get(
        reverse("admin:registrations_registration_export_xlsx"), {"status__exact": "confirmed"}
    )

    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"].startswith('attachment; filename="attendees-')
    assert response["Content-Disposition"].endswith('.xlsx"')
    rows = read_xlsx(b"".join(response.streaming_content))
    assert [row[0] for row in rows[1:]] == [confirmed.reference]
    assert rows[1][JOB_TITLE] == "@admin"
    # A superuser may see special needs: the columns are there.
    assert rows[0][-2:] == ["Dietary needs", "Accessibility needs"]
    record = ExportRecord.objects.get()
    assert (record.kind, record.format, record.rows) == ("attendees", "xlsx", 1)


def test_admin_csv_and_xlsx_hold_the_same_text_but_the_csv_formula_quote(admin_client):
    RegistrationFactory(job_title="-2+3", first_name="Σοφία")
    url = reverse("admin:registrations_registration_export_csv")

    csv_text = b"".join(admin_client.get(url).streaming_content).decode("utf-8")
    xlsx = read_xlsx(
        b"".join(
            admin_client.get(
                reverse("admin:registrations_registration_export_xlsx")
            ).streaming_content
        )
    )

    csv_rows = list(csv.reader(io.StringIO(csv_text.removeprefix("\ufeff"))))
    # The CSV disarms the formula with a quote; the XLSX string cell needs none.
    assert csv_rows[1][JOB_TITLE] == "'-2+3"
    assert xlsx[1][JOB_TITLE] == "-2+3"
    csv_rows[1][JOB_TITLE] = "-2+3"
    # The XLSX holds the registration time as a date, which the CSV writes to the minute.
    registered_at = ATTENDEE_HEADER.index("Registered at")
    assert isinstance(xlsx[1][registered_at], dt.datetime)
    xlsx[1][registered_at] = f"{xlsx[1][registered_at]:%Y-%m-%d %H:%M}"
    assert xlsx == csv_rows


def test_admin_exports_delegations_as_xlsx(admin_client):
    registration = RegistrationFactory(last_name="=cmd|' /C calc'!A0")

    response = admin_client.get(reverse("admin:registrations_authority_delegations_xlsx"))

    rows = read_xlsx(b"".join(response.streaming_content))
    assert rows[0][:3] == ["Country", "Country code", "City or region"]
    assert rows[1][6] == registration.reference
    assert rows[1][9] == "=cmd|' /C calc'!A0"
    assert ExportRecord.objects.get().kind == "delegations"


def test_xlsx_reads_the_same_from_the_sheet_xml_as_with_openpyxl(monkeypatch):
    pytest.importorskip("openpyxl")
    RegistrationFactory(job_title="=1+2", organisation="")
    # Text only: the sheet's XML is read for its strings.
    output = io.BytesIO()
    xlsx_write(
        Registration.objects.all(),
        [("Job title", lambda r: r.job_title), ("Organisation", lambda r: r.organisation)],
        output,
        sheet_name="Attendees",
    )
    data = output.getvalue()
    with_openpyxl = read_xlsx(data)

    monkeypatch.setitem(sys.modules, "openpyxl", None)  # import openpyxl now fails

    assert read_xlsx(data) == with_openpyxl
