"""Organisers register delegates in the admin, one at a time or from a CSV/XLSX file, through
the registration service: capacity and the waiting list decide as for a sign-up, and nothing is
emailed unless asked."""

import io

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from registrations.models import (
    Authority,
    OutboundEmail,
    Registration,
    WebhookDelivery,
    WebhookEndpoint,
)
from registrations.organiser import imports as imports_service
from tests.factories import AuthorityFactory, ConferenceFactory, RegistrationFactory
from tests.staff import staff_login

pytestmark = pytest.mark.django_db

ADD = "admin:registrations_registration_add"
IMPORT = "admin:registrations_registration_import"
CHANGELIST = "admin:registrations_registration_changelist"

HEADER = "first_name,last_name,email,job_title,authority,country,category,phone,language"


@pytest.fixture
def as_role(client):
    def login(group: str):
        user = get_user_model().objects.create_user(
            group.lower().replace(" ", "-"), password="x", is_staff=True
        )
        user.groups.add(Group.objects.get(name=group))
        staff_login(client, user)
        return client

    return login


@pytest.fixture
def organiser(as_role):
    return as_role("Organisers")


@pytest.fixture
def conference():
    return ConferenceFactory(capacity=2, reminder_days_before=3)


@pytest.fixture
def krakow():
    return AuthorityFactory(name="Kraków", country="PL")


def add_data(authority, **overrides) -> dict:
    return {
        "authority": authority.pk,
        "first_name": "Ewa",
        "last_name": "Nowak",
        "email": "ewa.nowak@krakow.pl",
        "job_title": "Deputy mayor",
        "category": Registration.Category.SPEAKER,
        "preferred_language": "en",
        "privacy_consent": "on",
        **overrides,
    }


# --- Adding one registration ---------------------------------------------------------------------


def test_organisers_get_the_add_page_with_the_organisers_choices(organiser, conference):
    response = organiser.get(reverse(ADD))

    assert response.status_code == 200
    form = response.context["form"]
    assert Registration.Category.STAFF in dict(form.fields["category"].choices)
    assert form.fields["notify"].initial is False
    assert "website" not in form.fields
    assert "Add registration" in organiser.get(reverse(CHANGELIST)).content.decode()


def test_an_added_registration_takes_a_place_and_is_sent_nothing(organiser, conference, krakow):
    response = organiser.post(reverse(ADD), add_data(krakow))

    registration = Registration.objects.get()
    assert response.status_code == 302
    assert response.url == reverse(
        "admin:registrations_registration_change", args=[registration.pk]
    )
    assert registration.status == Registration.Status.CONFIRMED
    assert registration.category == Registration.Category.SPEAKER
    assert registration.conference == conference
    assert registration.reference.startswith("NCE-")
    # Neither the confirmation nor the reminder days before.
    assert not OutboundEmail.objects.exists()
    conference.refresh_from_db()
    assert conference.confirmed_count == 1
    # In the history, as the organiser's.
    record = registration.history.get()
    assert record.history_type == "+"
    assert record.history_user.username == "organisers"


def test_staff_can_be_added_as_staff(organiser, conference, krakow):
    organiser.post(reverse(ADD), add_data(krakow, category=Registration.Category.STAFF))

    assert Registration.objects.get().category == Registration.Category.STAFF


def test_an_added_registration_joins_the_waiting_list_when_full(organiser, conference, krakow):
    RegistrationFactory.create_batch(2, conference=conference)

    organiser.post(reverse(ADD), add_data(krakow))

    added = Registration.objects.get(email="ewa.nowak@krakow.pl")
    assert added.status == Registration.Status.WAITLISTED
    conference.refresh_from_db()
    assert (conference.confirmed_count, conference.waitlisted_count) == (2, 1)


def test_the_confirmation_email_goes_when_asked(organiser, conference, krakow):
    organiser.post(reverse(ADD), add_data(krakow, notify="on"))

    emails = OutboundEmail.objects.filter(registration__email="ewa.nowak@krakow.pl")
    assert set(emails.values_list("kind", flat=True)) == {
        OutboundEmail.Kind.CONFIRMED,
        OutboundEmail.Kind.REMINDER,
    }


def test_adding_an_address_already_registered_is_refused_and_nobody_is_told(
    organiser, conference, krakow
):
    existing = RegistrationFactory(conference=conference, email="ewa.nowak@krakow.pl")

    response = organiser.post(reverse(ADD), add_data(krakow), follow=True)

    assert response.status_code == 200
    assert f"Ewa.nowak@krakow.pl is already registered ({existing.reference})." in (
        response.content.decode()
    )
    assert Registration.objects.count() == 1
    assert not OutboundEmail.objects.exists()


def test_the_public_forms_rules_apply(organiser, conference, krakow):
    response = organiser.post(
        reverse(ADD), add_data(krakow, dietary_needs="Vegan", privacy_consent="")
    )

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "privacy_consent" in errors
    assert "special_needs_consent" in errors
    assert not Registration.objects.exists()


def test_organisers_add_after_the_public_registration_closed(organiser, krakow):
    conference = ConferenceFactory(registration_closes_at=timezone.now())

    organiser.post(reverse(ADD), add_data(krakow))

    assert Registration.objects.get().conference == conference


def test_an_added_registration_is_announced_to_webhooks(organiser, conference, krakow):
    WebhookEndpoint.objects.create(
        conference=conference,
        url="https://crm.example.org/hook",
        secret="s" * 32,
        events=["registration.created"],
    )
    organiser.post(reverse(ADD), add_data(krakow))

    assert WebhookDelivery.objects.filter(event="registration.created").count() == 1


@pytest.mark.parametrize("group", ["Viewers", "Registration desk"])
def test_viewers_and_desk_cannot_add_or_import(as_role, conference, krakow, group):
    client = as_role(group)

    assert client.get(reverse(ADD)).status_code == 403
    assert client.post(reverse(ADD), add_data(krakow)).status_code == 403
    assert client.get(reverse(IMPORT)).status_code == 403
    upload = SimpleUploadedFile("list.csv", f"{HEADER}\n".encode())
    assert client.post(reverse(IMPORT), {"file": upload, "privacy_consent": "on"}).status_code == (
        403
    )
    assert not Registration.objects.exists()


# --- Importing --------------------------------------------------------------------------------


def csv_file(lines: list[str], *, name: str = "list.csv", bom: bool = False) -> SimpleUploadedFile:
    text = "\n".join(lines) + "\n"
    return SimpleUploadedFile(name, (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))


def xlsx_file(rows: list[list]) -> SimpleUploadedFile:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("list.xlsx", buffer.getvalue())


def post_import(client, upload, *, dry_run: bool, notify: bool = False):
    data = {"file": upload, "privacy_consent": "on"}
    if dry_run:
        data["dry_run"] = "on"
    if notify:
        data["notify"] = "on"
    return client.post(reverse(IMPORT), data)


def rows_of(response) -> list:
    return response.context["report"].rows


def test_the_import_page_documents_its_columns(organiser, conference):
    response = organiser.get(reverse(IMPORT))

    content = response.content.decode()
    assert response.status_code == 200
    for column in ("first_name", "last_name", "email", "authority", "country", "phone"):
        assert f"<code>{column}</code>" in content
    assert "ISO 3166 two-letter code" in content
    assert "delegate, elected, speaker, press, exhibitor, staff" in content
    form = response.context["form"]
    assert form.fields["dry_run"].initial is True
    assert form.fields["notify"].initial is False
    assert reverse(IMPORT) in organiser.get(reverse(CHANGELIST)).content.decode()


def test_a_comma_csv_is_imported_with_no_email(organiser, conference, krakow):
    upload = csv_file(
        [
            HEADER,
            "Ewa,Nowak,ewa@krakow.pl,Deputy mayor,KRAKOW,pl,speaker,12 616 12 00,fr",
            "Jan,Kos,jan@krakow.pl,Adviser,Kraków,PL,,+48 12 616 12 01,",
        ]
    )

    response = post_import(organiser, upload, dry_run=False)

    assert response.status_code == 200
    report = response.context["report"]
    assert report.saved and report.error_count == 0
    ewa = Registration.objects.get(email="ewa@krakow.pl")
    assert ewa.authority == krakow
    assert ewa.category == Registration.Category.SPEAKER
    assert ewa.preferred_language == "fr"
    # A national number, read in the authority's country.
    assert ewa.phone == "+48126161200"
    jan = Registration.objects.get(email="jan@krakow.pl")
    assert jan.category == Registration.Category.DELEGATE
    assert [row.outcome for row in report.rows] == ["Confirmed", "Confirmed"]
    assert [row.reference for row in report.rows] == [ewa.reference, jan.reference]
    assert "2 registrations saved." in response.content.decode()
    assert not OutboundEmail.objects.exists()
    assert Registration.history.filter(history_type="+").count() == 2


def test_a_semicolon_csv_with_a_bom_in_a_dry_run_saves_nothing(organiser, conference, krakow):
    upload = csv_file(
        [
            HEADER.replace(",", ";"),
            "Łucja;Żółkiewska;lucja@krakow.pl;Mayor;Kraków;PL;;;",
            "Ærø;Đorđević;aero@krakow.pl;Clerk;Kraków;PL;;;",
            "Olga;Nowicka;olga@krakow.pl;Clerk;Kraków;PL;;;",
        ],
        bom=True,
    )

    response = post_import(organiser, upload, dry_run=True)

    report = response.context["report"]
    assert not report.saved
    assert [row.name for row in report.rows] == [
        "Łucja Żółkiewska",
        "Ærø Đorđević",
        "Olga Nowicka",
    ]
    # Capacity 2: the truth of what would happen, waiting list included.
    assert [row.outcome for row in report.rows] == [
        "Would be confirmed",
        "Would be confirmed",
        "Would be on the waiting list",
    ]
    assert all(row.reference == "" for row in report.rows)
    assert "Dry run: every row is valid; nothing was saved." in response.content.decode()
    assert not Registration.objects.exists()
    conference.refresh_from_db()
    assert (conference.confirmed_count, conference.waitlisted_count) == (0, 0)


def test_an_xlsx_file_is_imported(organiser, conference, krakow):
    upload = xlsx_file(
        [
            ["First name", "Last name", "Email", "Job title", "Authority", "Country", "Phone"],
            ["Ewa", "Nowak", "ewa@krakow.pl", "Deputy mayor", "Kraków", "PL", "+48 12 616 12 00"],
            ["Jan", "Kos", "jan@krakow.pl", "Adviser", "Kraków", "PL", None],
        ]
    )

    response = post_import(organiser, upload, dry_run=False)

    assert response.context["report"].saved
    assert set(Registration.objects.values_list("email", flat=True)) == {
        "ewa@krakow.pl",
        "jan@krakow.pl",
    }


def test_the_import_fills_the_places_then_the_waiting_list(organiser, conference, krakow):
    RegistrationFactory(conference=conference)
    upload = csv_file(
        [
            HEADER,
            "Ewa,Nowak,ewa@krakow.pl,Deputy mayor,Kraków,PL,,,",
            "Jan,Kos,jan@krakow.pl,Adviser,Kraków,PL,,,",
        ]
    )

    response = post_import(organiser, upload, dry_run=False, notify=True)

    assert [row.outcome for row in rows_of(response)] == ["Confirmed", "On the waiting list"]
    assert Registration.objects.get(email="jan@krakow.pl").status == "waitlisted"
    assert set(OutboundEmail.objects.values_list("recipient", "kind")) == {
        ("ewa@krakow.pl", OutboundEmail.Kind.CONFIRMED),
        ("ewa@krakow.pl", OutboundEmail.Kind.REMINDER),
        ("jan@krakow.pl", OutboundEmail.Kind.WAITLISTED),
    }


def test_one_bad_row_saves_nothing_and_names_its_row_and_column(organiser, conference, krakow):
    upload = csv_file(
        [
            HEADER,
            "Ewa,Nowak,ewa@krakow.pl,Deputy mayor,Kraków,PL,,,",
            "Jan,Kos,not-an-address,Adviser,Kraków,XX,chef,12,de",
        ]
    )

    response = post_import(organiser, upload, dry_run=False)

    report = response.context["report"]
    assert not report.saved
    assert not Registration.objects.exists()
    good, bad = report.rows
    assert (good.number, good.ok, good.outcome) == (2, True, "Would be confirmed")
    assert bad.number == 3 and not bad.ok
    assert set(bad.errors) == {"email", "country", "category", "phone", "language"}
    content = response.content.decode()
    assert "1 row has errors: nothing was saved." in content
    assert "<code>email</code>: Enter a valid email address." in content


def test_a_row_without_a_required_value_is_an_error(organiser, conference, krakow):
    upload = csv_file([HEADER, ",Nowak,ewa@krakow.pl,,Kraków,PL,,,"])

    [row] = rows_of(post_import(organiser, upload, dry_run=True))

    assert set(row.errors) == {"first_name", "job_title"}


def test_needs_without_consent_are_refused_as_on_the_public_form(organiser, conference, krakow):
    upload = csv_file(
        [
            "first_name,last_name,email,job_title,authority,country,dietary_needs,"
            "special_needs_consent",
            "Ewa,Nowak,ewa@krakow.pl,Mayor,Kraków,PL,Vegan,no",
            "Jan,Kos,jan@krakow.pl,Mayor,Kraków,PL,Vegan,yes",
            "Olga,Kos,olga@krakow.pl,Mayor,Kraków,PL,,maybe",
        ]
    )

    refused, accepted, unreadable = rows_of(post_import(organiser, upload, dry_run=True))

    assert "special_needs_consent" in refused.errors
    assert accepted.ok
    assert unreadable.errors["special_needs_consent"] == ["Write yes or no."]


def test_duplicates_in_the_file_and_with_registrations_are_reported(organiser, conference, krakow):
    existing = RegistrationFactory(conference=conference, email="ewa@krakow.pl")
    upload = csv_file(
        [
            HEADER,
            "Ewa,Nowak,EWA@krakow.pl,Deputy mayor,Kraków,PL,,,",
            "Jan,Kos,jan@krakow.pl,Adviser,Kraków,PL,,,",
            "Jan,Kos,Jan@Krakow.pl,Adviser,Kraków,PL,,,",
        ]
    )

    response = post_import(organiser, upload, dry_run=False)

    first, second, third = rows_of(response)
    assert first.errors == {
        "email": [f"ewa@krakow.pl is already registered ({existing.reference})."]
    }
    assert second.ok
    assert third.errors == {"email": ["The same address as row 3."]}
    assert Registration.objects.count() == 1
    # The owner of the address registered is not reminded: an organiser's import is no sign-up.
    assert not OutboundEmail.objects.exists()


def test_an_unknown_authority_is_added_for_review_as_on_the_public_form(
    organiser, conference, krakow
):
    upload = csv_file([HEADER, "Ewa,Nowak,ewa@sopot.pl,Mayor,Sopot,PL,,,"])

    [row] = rows_of(post_import(organiser, upload, dry_run=True))
    assert row.ok and row.new_authority
    assert not Authority.objects.filter(name="Sopot").exists()

    post_import(
        organiser, csv_file([HEADER, "Ewa,Nowak,ewa@sopot.pl,Mayor,Sopot,PL,,,"]), dry_run=False
    )
    sopot = Authority.objects.get(name="Sopot")
    assert sopot.needs_review and not sopot.is_member
    assert Registration.objects.get().authority == sopot


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (csv_file(["first_name,last_name", "Ewa,Nowak"]), "Required columns missing"),
        (SimpleUploadedFile("list.csv", "é".encode("latin-1")), "not in UTF-8"),
        (SimpleUploadedFile("list.txt", b"x"), "Choose a .csv or .xlsx file."),
        (SimpleUploadedFile("list.xlsx", b"not a workbook"), "cannot be read as an XLSX"),
        (csv_file([HEADER]), "a header but no registrations"),
    ],
)
def test_unreadable_files_are_refused_clearly(organiser, conference, upload, message):
    response = post_import(organiser, upload, dry_run=False)

    assert response.context["report"] is None
    assert message in str(response.context["form"].errors["file"])


def test_row_and_size_limits(organiser, conference, krakow, monkeypatch):
    monkeypatch.setattr(imports_service, "IMPORT_MAX_ROWS", 2)
    lines = [HEADER] + [f"A,B,a{n}@krakow.pl,Mayor,Kraków,PL,,," for n in range(3)]

    response = post_import(organiser, csv_file(lines), dry_run=True)
    assert "more than 2 registrations" in str(response.context["form"].errors["file"])

    monkeypatch.setattr(imports_service, "IMPORT_MAX_BYTES", 100)
    response = post_import(organiser, csv_file(lines), dry_run=True)
    assert "larger than" in str(response.context["form"].errors["file"])
    assert not Registration.objects.exists()


def test_the_import_needs_the_privacy_notice_acknowledged(organiser, conference, krakow):
    upload = csv_file([HEADER, "Ewa,Nowak,ewa@krakow.pl,Mayor,Kraków,PL,,,"])

    response = organiser.post(reverse(IMPORT), {"file": upload})

    assert "privacy_consent" in response.context["form"].errors
    assert not Registration.objects.exists()
