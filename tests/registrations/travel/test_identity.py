import datetime as dt
import re

import pytest
from django.contrib.auth.models import Permission, User
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from registrations.models import ConsentRecord, ExportRecord, Registration, SiteVisitIdentity
from registrations.places.bookings import session_bookings_set
from tests.admin_forms import change_form_data
from tests.factories import (
    AuthorityFactory,
    SessionFactory,
    SiteVisitIdentityFactory,
    SiteVisitSessionFactory,
)
from tests.registrations.travel.conftest import url
from tests.staff import staff_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def visit(conference):
    """A visit that asks for the nationality and the document's number only."""
    return SiteVisitSessionFactory(
        conference=conference,
        title="Visit of the CSU video centre",
        identity_full_name_required=False,
        identity_date_of_birth_required=False,
    )


def register_url(conference) -> str:
    with translation.override("en"):
        return reverse("registrations:register", kwargs={"slug": conference.slug})


def register_data(visit, **overrides) -> dict:
    data = {
        "authority": AuthorityFactory(name="Rotterdam", country="NL").pk,
        "first_name": "Sanne",
        "last_name": "de Vries",
        "email": "sanne.devries@rotterdam.nl",
        "job_title": "Policy adviser",
        "category": "delegate",
        "preferred_language": "en",
        "privacy_consent": "on",
        "sessions": [visit.pk],
        f"identity_{visit.pk}_nationality": "NL",
        f"identity_{visit.pk}_id_number": "nx12 ab34",
        "visit_identity_consent": "on",
    }
    data.update(overrides)
    return data


def field_error(html: str, name: str) -> str | None:
    """The message shown under the field, tied to it (crispy-bootstrap5's invalid-feedback)."""
    match = re.search(rf'id="error_1_id_{name}"[^>]*>\s*<strong>([^<]*)', html)
    return match[1] if match else None


def test_booking_step_asks_only_the_fields_the_visit_ticks(client, conference, visit):
    SessionFactory(conference=conference)  # a workshop asks for nothing
    html = client.get(register_url(conference)).content.decode()

    assert f'name="identity_{visit.pk}_nationality"' in html
    assert f'name="identity_{visit.pk}_id_number"' in html
    assert f'name="identity_{visit.pk}_full_name"' not in html
    assert f'name="identity_{visit.pk}_date_of_birth"' not in html
    assert "Identity data for “Visit of the CSU video centre”" in html
    assert 'name="visit_identity_consent"' in html


def test_booking_step_keeps_identity_data_with_its_consent(client, conference, visit):
    response = client.post(register_url(conference), register_data(visit))

    assert response.status_code == 302
    registration = Registration.objects.get(email="sanne.devries@rotterdam.nl")
    identity = SiteVisitIdentity.objects.get(registration=registration, session=visit)
    assert identity.nationality.code == "NL"
    assert identity.id_number == "NX12 AB34"
    assert identity.full_name == ""
    assert identity.date_of_birth is None
    assert registration.consents.filter(kind=ConsentRecord.Kind.VISIT_IDENTITY).count() == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("identity_{pk}_id_number", "", "This visit needs it."),
        ("identity_{pk}_id_number", "=1+2", "Use only the letters and digits printed"),
        ("visit_identity_consent", "", "Tick this box so that we may pass your identity data"),
    ],
)
def test_booking_step_shows_identity_errors_beside_the_field(
    client, conference, visit, field, value, message
):
    name = field.format(pk=visit.pk)
    response = client.post(register_url(conference), register_data(visit, **{name: value}))

    assert response.status_code == 400
    error = field_error(response.content.decode(), name)
    assert error is not None and message in error
    assert not Registration.objects.exists()


def test_registration_goes_if_its_identity_data_are_refused(client, conference, visit, monkeypatch):
    """The registration and the identity data of its visits are kept in one transaction: a
    refusal of the data leaves no registration behind, nor its email."""
    from registrations.errors import RegistrationError
    from registrations.models import OutboundEmail
    from registrations.views import registration as view

    def refuse(**kwargs):
        raise RegistrationError("refused")

    monkeypatch.setattr(view, "visit_identities_save", refuse)

    response = client.post(register_url(conference), register_data(visit))

    assert response.status_code == 409
    assert not Registration.objects.exists()
    assert not OutboundEmail.objects.exists()


def test_booking_step_ignores_identity_fields_of_a_visit_not_chosen(client, conference, visit):
    data = register_data(visit, sessions=[], visit_identity_consent="")
    data[f"identity_{visit.pk}_id_number"] = "=bad"

    response = client.post(register_url(conference), data)

    assert response.status_code == 302
    assert not SiteVisitIdentity.objects.exists()


def test_personal_page_gives_and_changes_identity_data(signed_in, registration, visit):
    session_bookings_set(registration=registration, sessions=[visit])
    assert url("manage_visit_identity") in signed_in.get(url("manage")).content.decode()

    missing = signed_in.post(
        url("manage_visit_identity"),
        {f"identity_{visit.pk}_nationality": "UA", "visit_identity_consent": "on"},
    )
    assert missing.status_code == 400
    assert field_error(missing.content.decode(), f"identity_{visit.pk}_id_number") == (
        "This visit needs it."
    )

    response = signed_in.post(
        url("manage_visit_identity"),
        {
            f"identity_{visit.pk}_nationality": "UA",
            f"identity_{visit.pk}_id_number": "EA123456",
            "visit_identity_consent": "on",
        },
    )
    assert response.status_code == 302
    identity = SiteVisitIdentity.objects.get(registration=registration)
    assert (identity.nationality.code, identity.id_number) == ("UA", "EA123456")
    page = signed_in.get(url("manage_visit_identity")).content.decode()
    assert 'value="EA123456"' in page


def test_dropping_the_visit_drops_its_identity_data(signed_in, registration, visit, conference):
    SiteVisitIdentityFactory(registration=registration, session=visit)
    workshop = SessionFactory(
        conference=conference, starts_at=visit.starts_at + dt.timedelta(days=1)
    )
    session_bookings_set(registration=registration, sessions=[visit])

    response = signed_in.post(url("manage_sessions"), {"sessions": [workshop.pk]})

    assert response.status_code == 302
    assert not SiteVisitIdentity.objects.exists()


def staff(*codenames: str) -> User:
    user = User.objects.create_user(f"staff-{len(codenames)}", "s@example.org", "x", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_session", "view_registration", *codenames])
    )
    return user


def session_page(visit) -> str:
    return reverse("admin:conference_session_change", args=[visit.pk])


def test_roster_shows_identity_data_only_with_the_permission(client, visit):
    SiteVisitIdentityFactory(
        session=visit, registration__conference=visit.conference, id_number="ZZ9876543"
    )

    staff_login(client, staff())
    page = client.get(session_page(visit))
    assert page.status_code == 200
    assert b"ZZ9876543" not in page.content
    client.logout()

    staff_login(client, staff("view_sitevisitidentity"))
    page = client.get(session_page(visit))
    assert b"ZZ9876543" in page.content


def test_roster_export_needs_both_permissions_and_is_formula_safe(client, visit):
    SiteVisitIdentityFactory(
        session=visit,
        registration__conference=visit.conference,
        full_name="=HYPERLINK(1)",
        id_number="ZZ9876543",
    )
    export = reverse("admin:registrations_session_identity_csv", args=[visit.pk])

    staff_login(client, staff("view_sitevisitidentity"))
    assert client.get(export).status_code == 403
    client.logout()

    staff_login(client, staff("view_sitevisitidentity", "export_registrations"))
    page = client.get(session_page(visit)).content.decode()
    assert export in page
    response = client.get(export)
    assert response.status_code == 200
    csv = b"".join(response.streaming_content).decode("utf-8-sig")
    assert '"ZZ9876543"' in csv
    assert '"\'=HYPERLINK(1)"' in csv
    record = ExportRecord.objects.get()
    assert record.filter == f"session={visit.pk}&identity=1"
    assert record.rows == 1

    xlsx = client.get(reverse("admin:registrations_session_identity_xlsx", args=[visit.pk]))
    assert xlsx.status_code == 200


def test_organiser_ticks_the_identity_fields_in_the_session_admin(client, visit):
    organiser = User.objects.create_superuser("organiser", "o@example.org", "x")
    staff_login(client, organiser)
    page = client.get(session_page(visit))
    data = change_form_data(page)
    assert data["identity_nationality_required"] is True
    assert data["identity_full_name_required"] is False

    data.update(identity_full_name_required="on", identity_nationality_required="")
    response = client.post(session_page(visit), data)

    assert response.status_code == 302
    visit.refresh_from_db()
    assert (visit.identity_full_name_required, visit.identity_nationality_required) == (True, False)
    assert visit.identity_number_required is True


def test_only_sessions_with_sign_up_may_ask_for_identity_data(conference):
    plenary = SessionFactory(conference=conference, kind="plenary", identity_number_required=True)
    with pytest.raises(ValidationError) as error:
        plenary.full_clean()
    assert error.value.message_dict["kind"] == [
        "Only sessions that delegates sign up for can ask for identity data."
    ]
    SiteVisitSessionFactory(conference=conference).full_clean()
