"""Organisers edit the schedule in the admin (a change raises the notice's version), download
the aggregate figures and read the purge records; the delegate's own data export holds their
travel data, and their erasure removes it."""

import csv
import io

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from django.utils import translation
from django_countries import countries

from registrations.access.selectors import registration_personal_data
from registrations.access.self_service import registration_erase
from registrations.models import (
    PurgeRecord,
    Registration,
    RetentionSchedule,
    SessionBooking,
    SiteVisitIdentity,
    VisaLetterRequest,
)
from registrations.organiser.exports.writers import XLSX_CONTENT_TYPE
from registrations.privacy import purge
from registrations.privacy.figures import FIGURE_LABELS
from registrations.privacy.schedule import retention_schedule_for
from registrations.views import delegations, self_service
from tests.admin_forms import change_form_data
from tests.factories import (
    RegistrationFactory,
    SiteVisitIdentityFactory,
    SiteVisitSessionFactory,
    VisaLetterRequestFactory,
)
from tests.factories.registrations import SessionBookingFactory
from tests.staff import staff_login

pytestmark = pytest.mark.django_db

MODELS = ("retentionschedule", "purgerecord")


@pytest.fixture
def organiser(client):
    user = get_user_model().objects.create_user("organiser", password="x", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="registrations", content_type__model__in=MODELS
        ),
        # As the Organisers group: the figures counted from needs are theirs too.
        Permission.objects.get(
            content_type__app_label="registrations", codename="view_special_needs"
        ),
    )
    staff_login(client, user)
    return client


def test_changing_the_schedule_in_the_admin_raises_its_version(organiser, conference):
    schedule = retention_schedule_for(conference)
    url = reverse("admin:registrations_retentionschedule_change", args=[schedule.pk])
    data = change_form_data(organiser.get(url))

    unchanged = organiser.post(url, data)
    schedule.refresh_from_db()
    version = schedule.version
    changed = organiser.post(url, {**data, "cancelled_days": 14})

    assert (unchanged.status_code, changed.status_code) == (302, 302)
    schedule.refresh_from_db()
    assert (schedule.cancelled_days, schedule.version) == (14, version + 1)
    assert version == 1


def test_schedule_admin_refuses_impossible_periods(organiser, conference):
    schedule = retention_schedule_for(conference)
    url = reverse("admin:registrations_retentionschedule_change", args=[schedule.pk])
    data = change_form_data(organiser.get(url))

    response = organiser.post(url, {**data, "identifying_months_after_end": 500})

    assert response.status_code == 200
    assert RetentionSchedule.objects.get(pk=schedule.pk).identifying_months_after_end == 12


def test_organisers_download_the_aggregate_figures_as_csv(organiser, conference):
    RegistrationFactory.create_batch(2, conference=conference, dietary_needs="Vegan")
    schedule = retention_schedule_for(conference)

    response = organiser.get(
        reverse("admin:registrations_retentionschedule_figures", args=[schedule.pk])
    )

    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["Figure", "Figure key", "Day or session", "Item", "Item key", "Count"]
    assert [
        "Registrations by status",
        "registrations_by_status",
        "",
        "Confirmed",
        "confirmed",
        "2",
    ] in rows
    assert ["Meals", "meals", "", "With dietary needs", "with_dietary_needs", "2"] in rows
    assert rows[-1][0] == "Taken at"
    assert "Vegan" not in response.content.decode()


def test_figures_are_named_in_the_organisers_language_beside_their_keys(organiser, conference):
    RegistrationFactory(conference=conference, authority__country="FR")
    schedule = retention_schedule_for(conference)
    url = reverse("admin:registrations_retentionschedule_figures", args=[schedule.pk])

    response = organiser.get(url, headers={"accept-language": "fr"})

    rows = list(csv.reader(io.StringIO(response.content.decode())))
    labels = {(row[1], row[4]): (row[0], row[3]) for row in rows[1:-1]}
    with translation.override("fr"):
        expected_status = str(Registration.Status.CONFIRMED.label)
        expected_country = str(countries.name("FR"))
        expected_figure = str(FIGURE_LABELS["registrations_by_status"])
    assert labels[("registrations_by_status", "confirmed")] == (expected_figure, expected_status)
    assert labels[("delegates_by_country", "FR")][1] == expected_country
    # Every key this code writes has a name of its own.
    assert all(figure != key for (key, _item), (figure, _label) in labels.items())
    assert all(label != item for (_key, item), (_figure, label) in labels.items() if item)


@pytest.mark.parametrize(("group", "sees_needs"), [("Organisers", True), ("Viewers", False)])
@pytest.mark.parametrize("url_name", ["figures", "figures_xlsx"])
def test_figures_counted_from_needs_only_for_who_may_see_needs(
    client, conference, group, sees_needs, url_name
):
    visit = SiteVisitSessionFactory(conference=conference)
    for registration in RegistrationFactory.create_batch(
        2, conference=conference, dietary_needs="Vegan", accessibility_needs="Wheelchair"
    ):
        SessionBookingFactory(
            registration=registration, session=visit, status=SessionBooking.Status.BOOKED
        )
    user = get_user_model().objects.create_user(group.lower(), password="x", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    staff_login(client, user)
    schedule = retention_schedule_for(conference)

    response = client.get(
        reverse(f"admin:registrations_retentionschedule_{url_name}", args=[schedule.pk])
    )

    assert response.status_code == 200
    if url_name == "figures":
        rows = list(csv.reader(io.StringIO(response.content.decode())))
    else:
        sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
        rows = [[cell or "" for cell in row] for row in sheet.iter_rows(values_only=True)]
    keys = {(row[1], row[4]) for row in rows[1:-1]}
    needs_figures = {
        ("meals", "with_dietary_needs"),
        ("meals", "without_dietary_needs"),
        ("site_visit_access", "booked"),
        ("site_visit_access", "needing_access"),
    }
    assert ("registrations_by_status", "confirmed") in keys
    assert (needs_figures <= keys) is sees_needs
    assert not (needs_figures & keys) or sees_needs


def test_organisers_download_the_aggregate_figures_as_xlsx(organiser, conference):
    RegistrationFactory.create_batch(3, conference=conference)
    schedule = retention_schedule_for(conference)

    response = organiser.get(
        reverse("admin:registrations_retentionschedule_figures_xlsx", args=[schedule.pk])
    )

    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = [[cell or "" for cell in row] for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == ["Figure", "Figure key", "Day or session", "Item", "Item key", "Count"]
    assert [
        "Registrations by status",
        "registrations_by_status",
        "",
        "Confirmed",
        "confirmed",
        3,  # a number, which the sheet sums
    ] in rows
    assert rows[-1][0] == "Taken at"


def test_purge_records_are_listed_for_organisers_and_read_only(organiser, conference):
    record = PurgeRecord.objects.create(
        conference=conference, kind=PurgeRecord.Kind.NEEDS, count=3, purged_at=conference.ends_at
    )
    listing = organiser.get(reverse("admin:registrations_purgerecord_changelist"))
    change = organiser.post(
        reverse("admin:registrations_purgerecord_change", args=[record.pk]), {"count": 0}
    )

    assert listing.status_code == 200
    assert str(PurgeRecord.Kind.NEEDS.label) in listing.content.decode()
    assert change.status_code == 403
    record.refresh_from_db()
    assert record.count == 3


def test_purge_knows_the_session_keys_of_the_views():
    assert purge.DELEGATE_SESSION_KEYS == (self_service.MANAGE_SESSION_KEY,)
    assert purge.COORDINATOR_SESSION_KEYS == (delegations.DELEGATION_SESSION_KEY,)


def test_data_export_holds_travel_data_and_erasure_removes_it(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    identity = SiteVisitIdentityFactory(id_number="IDX4412")
    registration = identity.registration
    VisaLetterRequestFactory(registration=registration, passport_number="PX998")

    exported = registration_personal_data(registration)
    registration.status = Registration.Status.CANCELLED
    registration.save()
    registration_erase(registration=registration)

    assert exported["site_visit_identity"][0]["id_number"] == "IDX4412"
    assert exported["visa_letter_requests"][0]["passport_number"] == "PX998"
    assert not SiteVisitIdentity.objects.filter(registration=registration).exists()
    assert not VisaLetterRequest.objects.filter(registration=registration).exists()
