"""Session rosters: on screen for whoever may see registrations, as XLSX and PDF for those who
may export; access needs only for those who may see special needs."""

import datetime as dt
import io

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse

from conference.models import Session
from registrations.models import ExportRecord, SessionBooking
from tests.factories import AuthorityFactory, RegistrationFactory, SessionFactory
from tests.factories.registrations import SessionBookingFactory
from tests.registrations.travel.pdf_text import pdf_text
from tests.staff import staff_login

pytestmark = pytest.mark.django_db

ROSTER = "admin:registrations_session_roster"
ROSTER_XLSX = "admin:registrations_session_roster_xlsx"
ROSTER_PDF = "admin:registrations_session_roster_pdf"

# Booked, in the order the collation key sorts them (Ærø among the A, Đorđević among the D,
# Łukasiewicz among the L, Żółkiewska last).
BOOKED_NAMES = [
    ("Anders", "Ærø", "DK", "+4520123456", "da"),
    ("Dragan", "Đorđević", "RS", "+381641234567", "en"),
    ("Jan", "Łukasiewicz", "PL", "+48601234567", "fr"),
    ("Zofia", "Żółkiewska", "PL", "", ""),
]


@pytest.fixture
def visit(conference):
    tz = conference.tzinfo
    visit = SessionFactory(
        conference=conference,
        kind=Session.Kind.SITE_VISIT,
        title="Port of Nice: night-time security",
        room=None,
        location="Port Lympia",
        meeting_point_en="Coach, main entrance of the Palais",
        meeting_point_fr="Car, entrée principale du Palais",
        meeting_time=dt.time(13, 15),
        starts_at=dt.datetime.combine(conference.start_date, dt.time(14, 0), tzinfo=tz),
        ends_at=dt.datetime.combine(conference.start_date, dt.time(17, 0), tzinfo=tz),
        capacity=4,
    )
    # Booked in reverse order, so that the roster's order is its own.
    for first, last, country, phone, _language in reversed(BOOKED_NAMES):
        registration = RegistrationFactory(
            conference=conference,
            first_name=first,
            last_name=last,
            authority=AuthorityFactory(country=country, name=f"City of {last}"),
            phone=phone,
            interpretation_language="fr" if last == "Łukasiewicz" else "",
            accessibility_needs="Wheelchair user" if last == "Đorđević" else "",
        )
        SessionBookingFactory(
            registration=registration, session=visit, status=SessionBooking.Status.BOOKED
        )
    for last in ("Zanetti", "Abela"):
        SessionBookingFactory(
            registration=RegistrationFactory(conference=conference, last_name=last),
            session=visit,
            status=SessionBooking.Status.WAITING,
        )
    return visit


def login(client, *, group: str, special_needs: bool = True):
    user = get_user_model().objects.create_user(group.lower(), password="x", is_staff=True)
    permissions = Group.objects.get(name=group).permissions.all()
    if not special_needs:
        permissions = permissions.exclude(codename="view_special_needs")
    user.user_permissions.set(permissions)
    staff_login(client, get_user_model().objects.get(pk=user.pk))
    return client


def test_roster_page_lists_booked_by_name_then_the_waiting_list(client, visit):
    client = login(client, group="Organisers")

    response = client.get(reverse(ROSTER, args=[visit.pk]))

    assert response.status_code == 200
    roster = response.context["roster"]
    assert [line.name for line in roster.booked] == [
        f"{last}, {first}" for first, last, *_rest in BOOKED_NAMES
    ]
    # The waiting list in the order places would go to them.
    assert [line.registration.last_name for line in roster.waiting] == ["Zanetti", "Abela"]
    page = response.content.decode()
    assert "Coach, main entrance of the Palais" in page
    assert "13:15" in page
    assert "+381641234567" in page
    assert "Serbia (RS)" in page
    assert "Wheelchair user" in page
    assert page.count('class="roster-box"') == 6
    assert page.index("Ærø") < page.index("Żółkiewska") < page.index("Zanetti")
    assert reverse(ROSTER_XLSX, args=[visit.pk]) in page


def test_roster_hides_access_needs_without_the_permission(client, visit):
    client = login(client, group="Organisers", special_needs=False)

    page = client.get(reverse(ROSTER, args=[visit.pk])).content.decode()
    xlsx = client.get(reverse(ROSTER_XLSX, args=[visit.pk]))

    assert "Wheelchair user" not in page
    assert "Access needs" not in page
    values = [
        cell
        for row in openpyxl.load_workbook(io.BytesIO(xlsx.content)).active.values
        for cell in row
    ]
    assert "Wheelchair user" not in values
    assert "Access needs" not in values


def test_roster_xlsx_has_typed_cells_and_is_recorded(client, visit):
    client = login(client, group="Organisers")

    response = client.get(reverse(ROSTER_XLSX, args=[visit.pk]))

    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet["A1"].value == "Port of Nice: night-time security"
    assert sheet["B2"].is_date and sheet["B2"].value.date() == visit.conference.start_date
    assert sheet["B3"].value == "Coach, main entrance of the Palais"
    assert sheet["B4"].value == dt.time(13, 15)
    assert sheet["B4"].number_format == "hh:mm"
    rows = list(sheet.iter_rows(min_row=7, max_row=11, values_only=True))
    assert rows[0] == (
        "Name",
        "City or region",
        "Country code",
        "Country",
        "Phone",
        "Interpretation",
        "Access needs",
        "Present",
    )
    assert [row[0] for row in rows[1:]] == [
        f"{last}, {first}" for first, last, *_rest in BOOKED_NAMES
    ]
    dorde = rows[2]
    assert dorde[2:5] == ("RS", "Serbia", "+381641234567")
    assert dorde[6] == "Wheelchair user"
    assert dorde[7] is None  # the box to tick
    assert rows[4][4] is None  # no phone: an empty cell, not a number or a formula
    for row in sheet.iter_rows(min_row=8, max_row=11):
        for cell in row[:7]:
            assert cell.data_type in ("s", "n"), cell.coordinate
            assert cell.data_type == "s" or cell.value is None
    assert "Waiting list" in [row[0] for row in sheet.iter_rows(values_only=True)]
    [record] = ExportRecord.objects.all()
    assert (record.kind, record.format, record.rows) == ("session_attendees", "xlsx", 6)
    assert record.special_needs is True
    assert record.filter == f"session={visit.pk}&roster=1"


def test_roster_pdf_for_the_coach_leader(client, visit):
    client = login(client, group="Organisers")

    response = client.get(reverse(ROSTER_PDF, args=[visit.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "Port of Nice: night-time security" in text
    assert "Meeting point: Coach, main entrance of the Palais, at 13:15" in text
    for _first, last, *_rest in BOOKED_NAMES:
        assert last in text
    assert text.index("Ærø") < text.index("Đorđević") < text.index("Łukasiewicz")
    assert text.index("Żółkiewska") < text.index("Waiting list") < text.index("Zanetti")
    assert "☐" in text
    assert "Wheelchair user" in text
    [record] = ExportRecord.objects.all()
    assert record.format == "pdf"


def test_viewers_see_the_roster_but_get_no_xlsx_or_pdf(client, visit):
    client = login(client, group="Viewers")

    page = client.get(reverse(ROSTER, args=[visit.pk]))

    assert page.status_code == 200
    assert "Wheelchair user" not in page.content.decode()
    assert reverse(ROSTER_XLSX, args=[visit.pk]) not in page.content.decode()
    assert client.get(reverse(ROSTER_XLSX, args=[visit.pk])).status_code == 403
    assert client.get(reverse(ROSTER_PDF, args=[visit.pk])).status_code == 403
    assert not ExportRecord.objects.exists()


def test_roster_linked_from_the_session_page_and_the_dashboard(client, visit, conference):
    client = login(client, group="Organisers")
    roster = reverse(ROSTER, args=[visit.pk])

    change_page = client.get(reverse("admin:conference_session_change", args=[visit.pk]))
    dashboard = client.get(reverse("admin:conference_dashboard", args=[conference.slug]))

    assert roster in change_page.content.decode()
    assert roster in dashboard.content.decode()


def test_roster_in_french_uses_the_french_meeting_point(client, visit):
    client = login(client, group="Organisers")

    response = client.get(reverse(ROSTER, args=[visit.pk]), headers={"accept-language": "fr"})

    assert "Car, entrée principale du Palais" in response.content.decode()
