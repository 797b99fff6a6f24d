import datetime as dt
import re

import pytest
from django.contrib.auth.models import Permission, User
from django.core import mail
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import translation

from registrations.errors import RegistrationError
from registrations.models import ConsentRecord, OutboundEmail, Registration, VisaLetterRequest
from registrations.places.status import registration_cancel
from registrations.travel.letters import visa_letter_pdf
from registrations.travel.visa import (
    VisaLetterData,
    visa_letter_approve,
    visa_letter_refuse,
    visa_letter_request_create,
    visa_letter_verify,
)
from tests.factories import RegistrationFactory, VisaLetterRequestFactory
from tests.registrations.travel.conftest import url
from tests.registrations.travel.pdf_text import pdf_text
from tests.staff import staff_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def conference(conference):
    conference.organiser_en = "European Forum for Urban Security"
    conference.organiser_fr = "Forum européen pour la sécurité urbaine"
    conference.letter_signatory_name = "Jean-Pierre Martin"
    conference.letter_signatory_title_en = "Executive Director"
    conference.letter_signatory_title_fr = "Directeur exécutif"
    conference.save()
    return conference


def form_data(conference, **overrides) -> dict:
    data = {
        "passport_name": "OLENA SHEVCHENKO",
        "nationality": "UA",
        "passport_number": "FP 123456",
        "date_of_birth": "1981-04-12",
        "consulate_city": "Kyiv",
        "stay_from": (conference.start_date - dt.timedelta(days=1)).isoformat(),
        "stay_until": (conference.end_date + dt.timedelta(days=1)).isoformat(),
        "letter_language": "fr",
        "consent": "on",
    }
    data.update(overrides)
    return data


def test_visa_request_from_the_personal_page_is_kept_with_consent_and_emailed(
    signed_in, registration, conference, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post(url("manage_visa_letter"), form_data(conference))

    assert response.status_code == 302
    request = VisaLetterRequest.objects.get(registration=registration)
    assert request.status == VisaLetterRequest.Status.REQUESTED
    assert request.passport_number == "FP123456"
    assert request.letter_language == "fr"
    assert len(request.reference) == 19
    assert registration.consents.filter(kind=ConsentRecord.Kind.VISA_LETTER).count() == 1
    [message] = mail.outbox
    assert message.to == [registration.email]
    assert message.subject == f"Your request for a visa invitation letter – {conference.name}"
    assert "We have received your request for a visa invitation letter" in message.body
    # The email never repeats passport data.
    assert "FP123456" not in message.body
    assert OutboundEmail.objects.get(kind=OutboundEmail.Kind.VISA_RECEIVED).visa_request == request

    page = signed_in.get(url("manage_visa_letter")).content.decode()
    assert "Awaiting review" in page
    assert 'name="passport_number"' not in page  # one open request at a time


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("stay_from", "2000-01-01", "Arrival must be between"),
        ("stay_until", "2100-01-01", "Departure must be between the last day of the conference"),
        ("passport_number", "FP=1+2", "Use only the letters and digits printed on the document."),
        ("consent", "", "Tick this box so that we may write your letter."),
    ],
)
def test_visa_request_form_shows_errors_beside_their_field(
    signed_in, registration, conference, field, value, message
):
    response = signed_in.post(url("manage_visa_letter"), form_data(conference, **{field: value}))

    assert response.status_code == 400
    html = response.content.decode()
    feedback = re.search(rf'id="error_1_id_{field}"[^>]*>\s*<strong>([^<]*)', html)
    assert feedback is not None and message in feedback[1]
    assert not VisaLetterRequest.objects.exists()


def test_visa_request_is_refused_for_a_cancelled_registration(conference):
    registration = RegistrationFactory(conference=conference, status="cancelled")
    data = VisaLetterData(
        passport_name="A B",
        nationality="UA",
        passport_number="FP1",
        date_of_birth=dt.date(1980, 1, 1),
        consulate_city="Kyiv",
        stay_from=conference.start_date,
        stay_until=conference.end_date,
        letter_language="en",
    )
    with pytest.raises(RegistrationError):
        visa_letter_request_create(registration=registration, data=data)


def test_visa_letter_pdf_is_in_the_chosen_language_with_signatory_and_reference(
    registration, conference
):
    request = VisaLetterRequestFactory(
        registration=registration,
        passport_name="OLENA SHEVCHENKO",
        passport_number="FP7654321",
        letter_language="fr",
    )
    with translation.override("en"):
        pdf = visa_letter_pdf(request)

    assert pdf.startswith(b"%PDF-")
    # One A4 page (ReportLab writes a media box per page).
    assert re.findall(rb"/MediaBox \[[^\]]*\]", pdf) == [b"/MediaBox [ 0 0 595.2756 841.8898 ]"]
    assert b"/Lang (fr)" in pdf
    text = pdf_text(pdf)
    # Dates as French writes them (the interface's French strings join the catalogue when the
    # pending translations are merged; Django's month names are there already).
    assert "2 mars 1979" in text
    assert "OLENA SHEVCHENKO" in text
    assert "FP7654321" in text
    assert "Forum européen pour la sécurité urbaine" in text
    assert "Jean-Pierre Martin" in text
    assert "Directeur exécutif" in text
    assert request.reference in text
    assert f"/verify/{request.reference}/" in text


def test_visa_letter_pdf_in_english(registration, conference):
    request = VisaLetterRequestFactory(registration=registration, letter_language="en")
    with translation.override("fr"):
        text = pdf_text(visa_letter_pdf(request))
    assert "Letter of invitation" in text
    assert "Executive Director" in text
    assert "We are pleased to invite" in text


@pytest.fixture
def organiser(db):
    user = User.objects.create_user("visa-reviewer", "reviewer@example.org", "x", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="registrations",
            codename__in=["view_visaletterrequest", "change_visaletterrequest"],
        )
    )
    return user


def admin_url(request: VisaLetterRequest) -> str:
    return reverse("admin:registrations_visaletterrequest_change", args=[request.pk])


def test_admin_approval_makes_the_letter_stores_and_emails_it(
    client, organiser, registration, django_capture_on_commit_callbacks
):
    request = VisaLetterRequestFactory(registration=registration, passport_number="FP1111111")
    staff_login(client, organiser)
    page = client.get(admin_url(request))
    assert page.status_code == 200
    assert b'name="_approve"' in page.content
    assert b"FP1111111" in page.content

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            admin_url(request), {"review_note": "Welcome to Nice.", "_approve": "1"}
        )

    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == VisaLetterRequest.Status.APPROVED
    assert request.reviewed_by == organiser
    # Noted when the outbox sent the letter, not at approval.
    [email] = OutboundEmail.objects.filter(kind=OutboundEmail.Kind.VISA_APPROVED)
    assert email.status == OutboundEmail.Status.SENT
    assert request.letter_sent_at == email.sent_at
    assert default_storage.exists(request.letter.name)
    [message] = mail.outbox
    assert message.subject == f"Your visa invitation letter – {registration.conference.name}"
    assert "Welcome to Nice." in message.body
    [(filename, content, mimetype)] = message.attachments
    assert filename == f"visa-letter-{registration.reference}.pdf"
    assert mimetype == "application/pdf"
    assert "FP1111111" in pdf_text(content)
    # Reviewed: read-only from now on.
    assert b'name="_approve"' not in client.get(admin_url(request)).content


def test_admin_refusal_needs_a_note_and_tells_the_delegate(
    client, organiser, registration, django_capture_on_commit_callbacks
):
    request = VisaLetterRequestFactory(registration=registration)
    staff_login(client, organiser)

    response = client.post(admin_url(request), {"review_note": " ", "_refuse": "1"})
    assert response.status_code == 200
    assert "Say why the request is refused" in response.content.decode()
    request.refresh_from_db()
    assert request.status == VisaLetterRequest.Status.REQUESTED

    with django_capture_on_commit_callbacks(execute=True):
        client.post(admin_url(request), {"review_note": "Dates outside the event.", "_refuse": "1"})

    request.refresh_from_db()
    assert request.status == VisaLetterRequest.Status.REFUSED
    assert not request.letter
    [message] = mail.outbox
    assert "cannot issue the visa invitation letter" in message.body
    assert "Dates outside the event." in message.body
    assert message.attachments == []


def test_reviewing_twice_is_refused(registration):
    request = VisaLetterRequestFactory(registration=registration)
    visa_letter_refuse(request=request, by=None, note="No.")
    with pytest.raises(RegistrationError):
        visa_letter_approve(request=request, by=None)


def test_delegate_downloads_only_their_own_approved_letter(signed_in, registration, conference):
    request = visa_letter_approve(
        request=VisaLetterRequestFactory(registration=registration), by=None
    )
    other = visa_letter_approve(
        request=VisaLetterRequestFactory(registration=RegistrationFactory(conference=conference)),
        by=None,
    )

    response = signed_in.get(url("manage_visa_letter_download", pk=request.pk))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert signed_in.get(url("manage_visa_letter_download", pk=other.pk)).status_code == 404
    page = signed_in.get(url("manage_visa_letter")).content.decode()
    assert url("manage_visa_letter_download", pk=request.pk) in page


def test_verification_page_confirms_holder_and_dates_without_passport_data(client, registration):
    request = visa_letter_approve(
        request=VisaLetterRequestFactory(
            registration=registration, passport_name="OLENA SHEVCHENKO", passport_number="FP999"
        ),
        by=None,
    )

    response = client.get(f"/verify/{request.reference}/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "This letter was issued by the organisers." in html
    assert "OLENA SHEVCHENKO" in html
    assert request.stay_from.strftime("%Y") in html
    assert "FP999" not in html
    assert "1979" not in html  # the date of birth
    assert response["X-Robots-Tag"] == "noindex"


@pytest.mark.parametrize("language", ["en", "fr"])
def test_verification_page_says_a_letter_of_a_cancelled_registration_is_withdrawn(
    client, registration, language
):
    request = visa_letter_approve(
        request=VisaLetterRequestFactory(
            registration=registration, passport_name="OLENA SHEVCHENKO"
        ),
        by=None,
    )
    registration_cancel(registration=registration)

    response = client.get(f"/verify/{request.reference}/", headers={"accept-language": language})

    assert response.status_code == 410
    html = response.content.decode()
    with translation.override(language):
        withdrawn = translation.gettext(
            "This letter has been withdrawn: the registration it was issued for is no "
            "longer valid. It invites no one to the conference."
        )
        issued = translation.gettext("This letter was issued by the organisers.")
    assert withdrawn in html
    assert issued not in html
    assert "OLENA SHEVCHENKO" not in html
    assert request.reference in html


def test_verification_of_letters_follows_the_registration_status(registration):
    request = visa_letter_approve(
        request=VisaLetterRequestFactory(registration=registration), by=None
    )
    for status in Registration.Status:
        Registration.objects.filter(pk=registration.pk).update(status=status)
        verification = visa_letter_verify(request.reference)
        assert verification is not None
        inactive = status in Registration.INACTIVE_STATUSES
        assert verification.withdrawn is inactive
        assert (verification.holder_name == "") is inactive


def test_verification_page_knows_no_unissued_reference(client, registration):
    waiting = VisaLetterRequestFactory(registration=registration)
    assert client.get(f"/verify/{waiting.reference}/").status_code == 404
    assert client.get("/verify/AAAA-BBBB-CCCC-DDDD/").status_code == 404


def test_approval_needs_a_signatory(registration, conference):
    conference.letter_signatory_name = ""
    conference.save()
    request = VisaLetterRequestFactory(registration=registration)

    with pytest.raises(RegistrationError, match="Name the signatory of visa letters"):
        visa_letter_approve(request=request, by=None)

    request.refresh_from_db()
    assert request.status == VisaLetterRequest.Status.REQUESTED
    assert not request.letter
