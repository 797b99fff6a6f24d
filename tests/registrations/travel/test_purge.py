import datetime as dt
from unittest import mock

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from registrations.models import OutboundEmail, SiteVisitIdentity, VisaLetterRequest
from registrations.outbox.send import outbound_email_send
from registrations.privacy.schedule import retention_schedule_for, retention_schedule_update
from registrations.privacy.travel_purge import visa_passport_data_purge, visit_identity_purge
from registrations.travel.visa import visa_letter_approve
from tests.factories import (
    ConferenceFactory,
    RegistrationFactory,
    SiteVisitIdentityFactory,
    SiteVisitSessionFactory,
    VisaLetterRequestFactory,
)
from tests.registrations.travel.conftest import visa_answer_email

pytestmark = pytest.mark.django_db


@pytest.fixture
def conference():
    return ConferenceFactory()


def test_visit_identity_purge_waits_for_the_days_after_the_visit(conference):
    visit = SiteVisitSessionFactory(conference=conference)
    later_visit = SiteVisitSessionFactory(
        conference=conference, starts_at=visit.starts_at + dt.timedelta(days=1)
    )
    registration = RegistrationFactory(conference=conference)
    SiteVisitIdentityFactory(registration=registration, session=visit)
    kept = SiteVisitIdentityFactory(registration=registration, session=later_visit)
    other_conference = SiteVisitIdentityFactory()
    other_conference.session.starts_at = visit.starts_at
    other_conference.session.ends_at = visit.ends_at
    other_conference.session.save()

    just_before = visit.ends_at + dt.timedelta(days=7) - dt.timedelta(seconds=1)
    assert visit_identity_purge(conference=conference, now=just_before) == 0
    on_time = visit.ends_at + dt.timedelta(days=7)
    assert visit_identity_purge(conference=conference, now=on_time, dry_run=True) == 1
    assert SiteVisitIdentity.objects.count() == 3

    assert visit_identity_purge(conference=conference, now=on_time) == 1
    assert set(SiteVisitIdentity.objects.all()) == {kept, other_conference}
    # A second run finds nothing more.
    assert visit_identity_purge(conference=conference, now=on_time) == 0


def _assert_passport_data_gone(request: VisaLetterRequest) -> None:
    request.refresh_from_db()
    assert request.passport_name == ""
    assert request.passport_number == ""
    assert not request.nationality
    assert request.date_of_birth is None
    assert request.consulate_city == ""
    assert not request.letter
    assert request.passport_data_purged_at is not None
    # What the verification page needs stays.
    assert request.reference
    assert request.stay_from is not None


def test_visa_passport_data_purge_counts_from_the_sending_of_the_letter_or_the_refusal(
    conference, django_capture_on_commit_callbacks
):
    sent_at = dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)
    approved = VisaLetterRequestFactory(
        registration=RegistrationFactory(conference=conference),
        status=VisaLetterRequest.Status.APPROVED,
        # Approved days before the mail server took the letter: the days run from the sending.
        reviewed_at=sent_at - dt.timedelta(days=3),
        letter_sent_at=sent_at,
    )
    visa_answer_email(approved, sent_at=sent_at)
    approved.letter.save("letter.pdf", ContentFile(b"%PDF-1.4 letter"), save=True)
    letter_name = approved.letter.name
    refused = VisaLetterRequestFactory(
        registration=RegistrationFactory(conference=conference),
        status=VisaLetterRequest.Status.REFUSED,
        reviewed_at=sent_at - dt.timedelta(days=1),
    )
    visa_answer_email(refused, sent_at=sent_at + dt.timedelta(days=2))

    assert visa_passport_data_purge(conference=conference, now=sent_at + dt.timedelta(days=29)) == 0
    day_30 = sent_at + dt.timedelta(days=30)
    assert visa_passport_data_purge(conference=conference, now=day_30, dry_run=True) == 1
    assert default_storage.exists(letter_name)

    with django_capture_on_commit_callbacks(execute=True):
        assert visa_passport_data_purge(conference=conference, now=day_30) == 1
    _assert_passport_data_gone(approved)
    assert not default_storage.exists(letter_name)
    refused.refresh_from_db()
    assert refused.passport_number != ""

    day_32 = sent_at + dt.timedelta(days=32)
    assert visa_passport_data_purge(conference=conference, now=day_32) == 1
    _assert_passport_data_gone(refused)
    assert visa_passport_data_purge(conference=conference, now=day_32) == 0


def test_a_letter_approved_while_the_mail_server_is_down_keeps_its_data_until_sent(
    conference, registration, django_capture_on_commit_callbacks
):
    conference.letter_signatory_name = "Jean-Pierre Martin"
    conference.save()
    approved_at = conference.ends_at - dt.timedelta(days=20)
    request = VisaLetterRequestFactory(registration=registration)
    with django_capture_on_commit_callbacks(execute=False):
        visa_letter_approve(request=request, by=None, now=approved_at)
    [email] = OutboundEmail.objects.filter(kind=OutboundEmail.Kind.VISA_APPROVED)
    request.refresh_from_db()
    assert request.letter_sent_at is None
    # Long after approval, and after the conference, the letter has still not left.
    much_later = approved_at + dt.timedelta(days=90)
    assert visa_passport_data_purge(conference=conference, now=much_later) == 0

    sent_on = approved_at + dt.timedelta(days=60)
    with mock.patch("django.utils.timezone.now", return_value=sent_on):
        outbound_email_send(email_id=email.pk)
    email.refresh_from_db()
    request.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT
    assert request.letter_sent_at == email.sent_at == sent_on

    due = sent_on + dt.timedelta(days=30)
    assert visa_passport_data_purge(conference=conference, now=due - dt.timedelta(seconds=1)) == 0
    assert visa_passport_data_purge(conference=conference, now=due) == 1
    _assert_passport_data_gone(request)


def test_a_refusal_still_queued_keeps_the_data_and_one_that_failed_goes_after_the_end(conference):
    refused_at = conference.ends_at - dt.timedelta(days=40)
    queued = VisaLetterRequestFactory(
        registration=RegistrationFactory(conference=conference),
        status=VisaLetterRequest.Status.REFUSED,
        reviewed_at=refused_at,
    )
    visa_answer_email(queued, status=OutboundEmail.Status.QUEUED)
    undeliverable = VisaLetterRequestFactory(
        registration=RegistrationFactory(conference=conference),
        status=VisaLetterRequest.Status.REFUSED,
        reviewed_at=refused_at,
    )
    visa_answer_email(undeliverable, status=OutboundEmail.Status.FAILED)

    after_end = conference.ends_at + dt.timedelta(days=30)
    # Forty days after the refusal, but its email left no one knows when: nothing yet.
    assert (
        visa_passport_data_purge(conference=conference, now=refused_at + dt.timedelta(days=40)) == 0
    )
    assert visa_passport_data_purge(conference=conference, now=after_end) == 1
    _assert_passport_data_gone(undeliverable)
    queued.refresh_from_db()
    assert queued.passport_number != ""


def test_visa_request_never_reviewed_goes_the_days_after_the_conference(conference):
    waiting = VisaLetterRequestFactory(registration=RegistrationFactory(conference=conference))
    after_end = conference.ends_at + dt.timedelta(days=30)
    assert (
        visa_passport_data_purge(conference=conference, now=after_end - dt.timedelta(hours=1)) == 0
    )
    assert visa_passport_data_purge(conference=conference, now=after_end) == 1
    _assert_passport_data_gone(waiting)


def test_purges_follow_the_conference_schedule_when_it_changes(conference):
    retention_schedule_update(
        schedule=retention_schedule_for(conference),
        identity_days_after_visit=1,
        visa_days_after_letter=3,
    )
    visit = SiteVisitSessionFactory(conference=conference)
    SiteVisitIdentityFactory(registration=RegistrationFactory(conference=conference), session=visit)
    sent_at = dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)
    refused = VisaLetterRequestFactory(
        registration=RegistrationFactory(conference=conference),
        status=VisaLetterRequest.Status.REFUSED,
        reviewed_at=sent_at,
    )
    visa_answer_email(refused, sent_at=sent_at)

    assert (
        visit_identity_purge(conference=conference, now=visit.ends_at + dt.timedelta(days=1)) == 1
    )
    assert visa_passport_data_purge(conference=conference, now=sent_at + dt.timedelta(days=3)) == 1
