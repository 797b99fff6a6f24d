"""Exports a spreadsheet can compute with: every XLSX export read back with openpyxl holds
numbers as numbers, dates as dates (in the conference's time zone) and text as text, with no
visible quote; both CSV flavours keep the formula protection; the new columns (phone, country
code, interpretation language, booked sessions)."""

import csv
import datetime as dt
import io

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from registrations.models import ExportJob, Registration, RetentionSchedule
from registrations.organiser.exports.build import export_job_build
from registrations.organiser.exports.columns import attendee_columns
from registrations.organiser.exports.selectors import attendee_list, attendee_rows
from registrations.organiser.exports.writers import csv_stream
from tests.factories import AuthorityFactory, ConferenceFactory, RegistrationFactory, SessionFactory
from tests.factories.registrations import SessionBookingFactory
from tests.staff import staff_login

pytestmark = pytest.mark.django_db

CMD = "=cmd|' /C calc'!A0"

# The headers whose cells are numbers, and those whose cells are dates; every other is text.
NUMBER_HEADERS = {"Count"}
DATE_HEADERS = {"Registered at", "Day"}


@pytest.fixture
def data():
    conference = ConferenceFactory(time_zone="Europe/Paris")
    morning = SessionFactory(conference=conference, title="Morning walk")
    afternoon = SessionFactory(
        conference=conference,
        title="=HYPERLINK(1)",
        starts_at=morning.starts_at + dt.timedelta(hours=5),
    )
    full = SessionFactory(conference=conference, title="Full visit")
    gdansk = AuthorityFactory(name="Gdańsk", country="PL")
    registration = RegistrationFactory(
        conference=conference,
        authority=gdansk,
        last_name=CMD,
        phone="+48 58 323 60 00",
        interpretation_language="fr",
        dietary_needs="Sans porc",
        category=Registration.Category.SPEAKER,
    )
    RegistrationFactory(conference=conference, dietary_needs="No pork ")
    # Booked into two sessions (listed by start time), waiting for a third (not listed).
    SessionBookingFactory(registration=registration, session=afternoon, status="booked")
    SessionBookingFactory(registration=registration, session=morning, status="booked")
    SessionBookingFactory(registration=registration, session=full, status="waiting")
    # 08:15 in Nice in June is 06:15 UTC.
    registered_at = dt.datetime(2026, 6, 1, 6, 15, 42, tzinfo=dt.UTC)
    Registration.objects.filter(pk=registration.pk).update(created_at=registered_at)
    schedule, _created = RetentionSchedule.objects.get_or_create(conference=conference)
    return {
        "conference": conference,
        "registration": registration,
        "morning": morning,
        "afternoon": afternoon,
        "schedule": schedule,
    }


def xlsx_urls(data) -> dict[str, str]:
    conference, session = data["conference"], data["morning"]
    return {
        "attendees": reverse("admin:registrations_registration_export_xlsx"),
        "session attendees": reverse(
            "admin:registrations_session_attendees_xlsx", args=[session.pk]
        ),
        "delegations": reverse("admin:registrations_authority_delegations_xlsx"),
        "logistics": reverse("admin:conference_logistics", args=[conference.slug, "xlsx"]),
        "retention figures": reverse(
            "admin:registrations_retentionschedule_figures_xlsx", args=[data["schedule"].pk]
        ),
    }


def content(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def sheet(data: bytes) -> list[tuple]:
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    return [tuple(cell for cell in row) for row in workbook.worksheets[0].iter_rows()]


def check_cell_types(rows: list[tuple], kind: str) -> None:
    header = [cell.value for cell in rows[0]]
    for row in rows[1:]:
        for label, cell in zip(header, row, strict=True):
            if cell.value is None:
                continue
            if label in NUMBER_HEADERS and cell.value != "":
                assert isinstance(cell.value, int | float), (kind, label, cell.value)
                assert cell.data_type == "n", (kind, label)
            elif label in DATE_HEADERS:
                assert isinstance(cell.value, dt.datetime), (kind, label, cell.value)
                assert cell.is_date, (kind, label)
            else:
                assert isinstance(cell.value, str), (kind, label, cell.value)
                assert cell.data_type == "s", (kind, label)  # never a formula ("f")
                assert not cell.value.startswith("'"), (kind, label, cell.value)


def test_every_xlsx_export_types_its_cells(admin_client, data):
    for kind, url in xlsx_urls(data).items():
        response = admin_client.get(url)
        assert response.status_code == 200, kind
        rows = sheet(content(response))
        assert len(rows) > 1, kind
        check_cell_types(rows, kind)


def test_an_export_job_file_types_its_cells(admin_client, data, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    user = get_user_model().objects.get(username="admin")
    ids = list(attendee_list(Registration.objects.all()).values_list("pk", flat=True))
    job = ExportJob.objects.create(
        user=user, kind="attendees", format="xlsx", registration_ids=ids, rows_total=len(ids)
    )

    export_job_build(job_id=job.pk)

    job.refresh_from_db()
    rows = sheet(job.file.read())
    check_cell_types(rows, "job")
    assert CMD in [cell.value for cell in rows[1]]


def test_attendee_xlsx_holds_the_registration_time_as_a_local_date(admin_client, data):
    rows = sheet(content(admin_client.get(xlsx_urls(data)["attendees"])))
    header = [cell.value for cell in rows[0]]
    by_reference = {row[0].value: row for row in rows[1:]}
    row = by_reference[data["registration"].reference]
    registered = row[header.index("Registered at")]

    # In the conference's time zone, without a zone as XLSX keeps it, shown as a date.
    assert registered.value == dt.datetime(2026, 6, 1, 8, 15, 42)
    assert registered.number_format == "yyyy-mm-dd hh:mm"
    assert row[header.index("Last name")].value == CMD
    assert row[header.index("Phone")].value == "+48583236000"
    assert row[header.index("Country")].value == "Poland"
    assert row[header.index("Country code")].value == "PL"
    assert row[header.index("Interpretation language")].value == "French"


def test_logistics_xlsx_counts_sum_and_days_are_dates(admin_client, data):
    rows = sheet(content(admin_client.get(xlsx_urls(data)["logistics"])))
    header = [cell.value for cell in rows[0]]
    assert header == ["Figure", "Day", "Session", "Item", "Count"]
    lines = [[cell.value for cell in row] for row in rows[1:]]

    badges = [line for line in lines if line[0] == "Badges"]
    assert sum(line[4] for line in badges) == 2
    meals = [line for line in lines if line[0] == "Meals"]
    # "Sans porc" and "No pork ": one need, counted on each day of the conference.
    no_pork = [line for line in meals if line[3] == "No pork"]
    assert [line[4] for line in no_pork] == [2, 2, 2]
    start = data["conference"].start_date
    assert [line[1] for line in no_pork] == [
        dt.datetime.combine(start + dt.timedelta(days=days), dt.time()) for days in range(3)
    ]
    headsets = [line for line in lines if line[0] == "Interpretation headsets"]
    assert headsets and all(isinstance(line[1], dt.datetime) for line in headsets)


def test_attendee_lists_name_booked_sessions_by_start_time(data):
    rows = list(attendee_rows(attendee_list(Registration.objects.all()), chunk_size=100))
    columns = attendee_columns()
    header = [column.label for column in columns]
    booked = columns[header.index("Booked sessions")]
    start = data["morning"].starts_at.astimezone(data["conference"].tzinfo)
    later = data["afternoon"].starts_at.astimezone(data["conference"].tzinfo)

    cells = {row[0]: booked.get(row) for row in rows}

    assert cells[data["registration"].reference] == (
        f"{start:%Y-%m-%d %H:%M} Morning walk; {later:%Y-%m-%d %H:%M} =HYPERLINK(1)"
    )
    assert sorted(cells.values())[0] == ""  # the other delegate booked nothing


def test_booked_sessions_cost_one_query_per_conference_not_per_row(data):
    other = ConferenceFactory()
    for conference, count in ((data["conference"], 5), (other, 5)):
        session = SessionFactory(conference=conference)
        for registration in RegistrationFactory.create_batch(count, conference=conference):
            SessionBookingFactory(registration=registration, session=session, status="booked")

    with CaptureQueriesContext(connection) as queries:
        lines = list(
            csv_stream(
                attendee_rows(attendee_list(Registration.objects.all()), chunk_size=100),
                attendee_columns(),
            )
        )

    assert "Morning walk" in "".join(lines)
    # The rows, their answers (one query per chunk of rows), then the sessions of each of the
    # two conferences.
    assert len(queries) == 4


@pytest.mark.parametrize(("export_format", "delimiter"), [("csv", ","), ("csv_excel", ";")])
def test_both_csv_flavours_are_utf8_with_bom_crlf_and_disarm_formulas(
    admin_client, data, export_format, delimiter
):
    response = admin_client.get(reverse(f"admin:registrations_registration_export_{export_format}"))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].endswith('.csv"')
    payload = content(response)
    later = f"{data['afternoon'].starts_at.astimezone(data['conference'].tzinfo):%Y-%m-%d %H:%M}"
    assert payload.startswith(b"\xef\xbb\xbf")
    text = payload.decode("utf-8").removeprefix("\ufeff")
    assert text.count("\r\n") == 3  # header and two rows, each line ended by CRLF
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    header = rows[0]
    assert header[: len(attendee_columns())] == [column.label for column in attendee_columns()]
    row = next(row for row in rows if row[0] == data["registration"].reference)
    assert row[header.index("Last name")] == "'" + CMD
    assert row[header.index("Phone")] == "'+48583236000"
    assert row[header.index("Registered at")] == "2026-06-01 08:15"
    # A title after its start time begins no cell, and needs no quote.
    assert row[header.index("Booked sessions")].endswith(
        " Morning walk; " + later + " =HYPERLINK(1)"
    )


def test_semicolon_csv_of_every_list(admin_client, data):
    conference, session = data["conference"], data["morning"]
    urls = [
        reverse("admin:registrations_registration_export_csv_excel"),
        reverse("admin:registrations_session_attendees_csv_excel", args=[session.pk]),
        reverse("admin:registrations_authority_delegations_csv_excel"),
        reverse("admin:conference_logistics", args=[conference.slug, "csv_excel"]),
    ]
    for url in urls:
        response = admin_client.get(url)
        assert response.status_code == 200, url
        text = content(response).decode("utf-8")
        assert text.startswith("\ufeff"), url
        header_line = text.removeprefix("\ufeff").split("\r\n")[0]
        assert header_line.startswith('"') and '";"' in header_line, url
        assert '","' not in header_line, url


def test_an_export_job_builds_the_semicolon_csv(admin_client, data, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    user = get_user_model().objects.get(username="admin")
    job = ExportJob.objects.create(
        user=user,
        kind="attendees",
        format="csv_excel",
        registration_ids=[data["registration"].pk],
        rows_total=1,
    )

    export_job_build(job_id=job.pk)

    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE and job.file.name.endswith(".csv")
    text = job.file.read().decode("utf-8")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))
    assert rows[1][rows[0].index("Last name")] == "'" + CMD
    response = admin_client.get(reverse("admin:registrations_exportjob_download", args=[job.pk]))
    assert response["Content-Type"] == "text/csv; charset=utf-8"


def staff(client, group: str):
    user = get_user_model().objects.create_user(group.lower(), password="x", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    staff_login(client, user)
    return client


def test_organisers_are_offered_both_csv_flavours_and_viewers_none(client, data):
    changelist = reverse("admin:registrations_registration_changelist")
    semicolon = reverse("admin:registrations_registration_export_csv_excel")

    organisers = staff(client, "Organisers")
    page = organisers.get(changelist).content.decode()
    assert semicolon in page
    assert "Export attendee list (CSV for Excel, semicolon)" in page
    assert organisers.get(semicolon).status_code == 200
    client.logout()

    viewers = staff(client, "Viewers")
    page = viewers.get(changelist).content.decode()
    assert viewers.get(changelist).status_code == 200
    assert semicolon not in page
    assert viewers.get(semicolon).status_code == 403
