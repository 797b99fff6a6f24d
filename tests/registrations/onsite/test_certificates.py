import re

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.core import mail
from django.test import RequestFactory

from registrations.access.self_service import registration_erase
from registrations.admin.documents import send_certificates
from registrations.documents.certificates import certificate_pdf
from registrations.models import OutboundEmail, Registration
from registrations.onsite.certificates import certificates_send, registration_attended
from registrations.onsite.check_in import check_in, check_in_undo
from registrations.places.status import registration_cancel
from tests.factories import ConferenceFactory, RegistrationFactory, SessionFactory

pytestmark = pytest.mark.django_db

A4_LANDSCAPE_MEDIA_BOX = b"/MediaBox [ 0 0 841.8898 595.2756 ]"


def certificates_queued() -> list[str]:
    return sorted(
        OutboundEmail.objects.filter(kind=OutboundEmail.Kind.CERTIFICATE).values_list(
            "registration__reference", flat=True
        )
    )


def test_registration_attended_with_a_standing_desk_check_in(conference):
    registration = RegistrationFactory(conference=conference)
    check_in(registration=registration, by=None)

    assert registration_attended(registration) is True


def test_registration_attended_not_before_check_in(conference):
    assert registration_attended(RegistrationFactory(conference=conference)) is False


def test_registration_attended_not_when_the_desk_check_in_was_undone(conference):
    registration = RegistrationFactory(conference=conference)
    result = check_in(registration=registration, by=None)
    check_in_undo(check_in=result.check_in, by=None)

    assert registration_attended(registration) is False


def test_registration_attended_not_with_a_session_check_in_alone(conference):
    registration = RegistrationFactory(conference=conference)
    check_in(registration=registration, by=None, session=SessionFactory(conference=conference))

    assert registration_attended(registration) is False


def test_certificate_pdf_is_one_a4_landscape_page_with_dejavu(conference):
    pdf = certificate_pdf(RegistrationFactory(conference=conference, first_name="Γιώργος"))

    assert pdf.startswith(b"%PDF-")
    assert re.findall(rb"/MediaBox \[[^\]]*\]", pdf) == [A4_LANDSCAPE_MEDIA_BOX]
    assert re.search(rb"/BaseFont /[A-Z]{6}\+DejaVuSans-Bold\b", pdf)


def test_certificates_send_queues_one_per_attended_delegate(conference):
    attended = RegistrationFactory(conference=conference, reference="NCE-ATTEND")
    check_in(registration=attended, by=None)
    RegistrationFactory(conference=conference, reference="NCE-ABSENT")
    undone = RegistrationFactory(conference=conference, reference="NCE-UNDONE")
    check_in_undo(check_in=check_in(registration=undone, by=None).check_in, by=None)
    other_conference = RegistrationFactory(reference="NCE-ELSEWH")
    check_in(registration=other_conference, by=None)

    count = certificates_send(conference=conference)

    assert count == 1
    assert certificates_queued() == ["NCE-ATTEND"]
    email = OutboundEmail.objects.get(kind=OutboundEmail.Kind.CERTIFICATE)
    assert email.recipient == attended.email
    assert email.language == attended.preferred_language


def test_certificates_send_twice_queues_once(conference):
    check_in(registration=RegistrationFactory(conference=conference), by=None)

    first = certificates_send(conference=conference)
    second = certificates_send(conference=conference)

    assert (first, second) == (1, 0)
    assert OutboundEmail.objects.filter(kind=OutboundEmail.Kind.CERTIFICATE).count() == 1


def test_certificates_send_again_reaches_only_delegates_checked_in_since(conference):
    check_in(
        registration=RegistrationFactory(conference=conference, reference="NCE-EARLY"), by=None
    )
    certificates_send(conference=conference)
    late = RegistrationFactory(conference=conference, reference="NCE-LATE")
    check_in(registration=late, by=None)

    assert certificates_send(conference=conference) == 1
    assert certificates_queued() == ["NCE-EARLY", "NCE-LATE"]


def test_certificates_send_skips_erased_registrations(conference):
    registration = RegistrationFactory(conference=conference)
    check_in(registration=registration, by=None)
    registration_cancel(registration=registration)
    registration_erase(registration=registration)

    assert certificates_send(conference=conference) == 0
    assert certificates_queued() == []


def test_certificate_email_has_the_pdf_attached(conference, django_capture_on_commit_callbacks):
    registration = RegistrationFactory(conference=conference, first_name="Olena")
    check_in(registration=registration, by=None)

    with django_capture_on_commit_callbacks(execute=True):
        certificates_send(conference=conference)

    [message] = mail.outbox
    assert message.to == [registration.email]
    assert message.subject == f"Your certificate of attendance – {conference.name}"
    assert "Dear Olena," in message.body
    assert "Your certificate of attendance is attached to this email (PDF)." in message.body
    [(filename, content, mimetype)] = message.attachments
    assert filename == f"certificate-{registration.reference}.pdf"
    assert mimetype == "application/pdf"
    assert content.startswith(b"%PDF-")
    email = OutboundEmail.objects.get(kind=OutboundEmail.Kind.CERTIFICATE)
    assert email.status == OutboundEmail.Status.SENT


# --- Admin action -------------------------------------------------------------------------


class CertificateAdmin(admin.ModelAdmin):
    actions = [send_certificates]


@pytest.fixture
def action_request():
    request = RequestFactory().post("/admin/registrations/registration/")
    request.user = User.objects.create_superuser("organiser", "organiser@example.org", "x")
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def test_send_certificates_covers_the_conferences_of_the_selection(conference, action_request):
    selected = RegistrationFactory(conference=conference, reference="NCE-SELECT")
    unselected = RegistrationFactory(conference=conference, reference="NCE-UNSELE")
    elsewhere = RegistrationFactory(conference=ConferenceFactory(), reference="NCE-ELSEWH")
    for registration in (selected, unselected, elsewhere):
        check_in(registration=registration, by=None)

    send_certificates(
        CertificateAdmin(Registration, admin.site),
        action_request,
        Registration.objects.filter(pk=selected.pk),
    )

    assert certificates_queued() == ["NCE-SELECT", "NCE-UNSELE"]
    assert [str(message) for message in get_messages(action_request)] == [
        "2 certificates of attendance queued."
    ]


def test_send_certificates_needs_the_change_permission():
    assert send_certificates.allowed_permissions == ["change"]
