"""A conference after which every kind of personal data is held, for the purge tests."""

import datetime as dt

from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.backends.db import SessionStore
from django.core.files.base import ContentFile
from django.utils import timezone

from registrations.access.links import management_link_issue, management_link_resolve
from registrations.models import (
    CheckIn,
    ConsentRecord,
    Delegation,
    ExportFormat,
    ExportJob,
    ExportKind,
    OutboundEmail,
    Registration,
    SessionBooking,
    VisaLetterRequest,
    WebhookDelivery,
    WebhookDeliveryAttempt,
    WebhookEndpoint,
)
from registrations.privacy.purge import DELEGATE_SESSION_KEYS
from registrations.privacy.schedule import retention_deadlines, retention_schedule_for
from tests.factories import (
    ConferenceFactory,
    RegistrationFactory,
    SiteVisitIdentityFactory,
    SiteVisitSessionFactory,
    VisaLetterRequestFactory,
)
from tests.factories.registrations import SessionBookingFactory

# What is searched for. Each is unusual enough to be found only where it was put.
NAME = "Quillfeather"
EMAIL = "zephyrine.quillfeather@example.org"
PHONE = "612345678"
DIETARY = "Quinoa-only diet"
ACCESS = "Ramp for Zephyrine"
PASSPORT = "PZQ7741230"
ID_NUMBER = "IDZQ998877"
CANCELLED_NAME = "Wrenfield"
CANCELLED_EMAIL = "barnabus.wrenfield@example.org"
COORDINATOR_NAME = "Tormalina"
COORDINATOR_EMAIL = "coordina.tormalina@example.org"
NEEDLES = [
    NAME,
    EMAIL,
    PHONE,
    DIETARY,
    ACCESS,
    PASSPORT,
    ID_NUMBER,
    CANCELLED_NAME,
    CANCELLED_EMAIL,
    COORDINATOR_NAME,
    COORDINATOR_EMAIL,
]


def browser_session_of(registration: Registration) -> str:
    link = management_link_resolve(token=management_link_issue(registration=registration))
    store = SessionStore()
    store[DELEGATE_SESSION_KEYS[0]] = link.pk
    store.create()
    return store.session_key


def world_build(admin_user) -> dict:
    """A conference after which every kind of data is held (files in MEDIA_ROOT)."""
    conference = ConferenceFactory()
    ends_at = conference.ends_at
    visit = SiteVisitSessionFactory(
        conference=conference,
        starts_at=conference.starts_at + dt.timedelta(hours=9),
        ends_at=conference.starts_at + dt.timedelta(hours=12),
    )
    delegate = RegistrationFactory(
        conference=conference,
        first_name="Zephyrine",
        last_name=NAME,
        email=EMAIL,
        phone="+33" + PHONE,
        dietary_needs=DIETARY,
        accessibility_needs=ACCESS,
    )
    # One more history row, of a change.
    delegate.job_title = "Head of urban safety"
    delegate.save()
    ConsentRecord.objects.create(
        registration=delegate,
        kind=ConsentRecord.Kind.PRIVACY_NOTICE,
        notice_version="2026-11-28/1",
        given_at=timezone.now(),
    )
    SessionBookingFactory(registration=delegate, session=visit, status=SessionBooking.Status.BOOKED)
    CheckIn.objects.create(registration=delegate, checked_in_at=conference.starts_at)
    sent = OutboundEmail.objects.create(
        registration=delegate,
        kind=OutboundEmail.Kind.CONFIRMED,
        recipient=EMAIL,
        language="en",
        status=OutboundEmail.Status.SENT,
    )
    OutboundEmail.objects.filter(pk=sent.pk).update(sent_at=ends_at - dt.timedelta(days=20))
    LogEntry.objects.create(
        user=admin_user,
        content_type=ContentType.objects.get_for_model(Registration),
        object_id=str(delegate.pk),
        object_repr=str(delegate),
        action_flag=ADDITION,
        change_message=f"Phone of {EMAIL} checked",
    )
    # The organisers' CRM was told of her, and its answer quoted her address.
    endpoint = WebhookEndpoint.objects.create(
        conference=conference, url="https://crm.example.org/hook", secret="s" * 32
    )
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint,
        event="registration.created",
        payload={"registration": {"last_name": NAME, "email": EMAIL}},
        registration=delegate,
        status=WebhookDelivery.Status.DELIVERED,
    )
    WebhookDeliveryAttempt.objects.create(
        delivery=delivery,
        number=1,
        started_at=timezone.now(),
        duration_ms=12,
        status_code=200,
        response_body=f"created contact {EMAIL}",
    )
    SiteVisitIdentityFactory(
        registration=delegate, session=visit, full_name=f"ZEPHYRINE {NAME}", id_number=ID_NUMBER
    )
    # Sent on the day of the confirmation (above): the outbox empties both at the same deadline.
    letter_sent_at = ends_at - dt.timedelta(days=20)
    visa = VisaLetterRequestFactory(
        registration=delegate,
        passport_number=PASSPORT,
        status=VisaLetterRequest.Status.APPROVED,
        reviewed_at=letter_sent_at,
        letter_sent_at=letter_sent_at,
    )
    # The passport data's days count from the outbox's sending of the letter.
    letter_email = OutboundEmail.objects.create(
        registration=delegate,
        visa_request=visa,
        kind=OutboundEmail.Kind.VISA_APPROVED,
        recipient=EMAIL,
        language="en",
        status=OutboundEmail.Status.SENT,
    )
    OutboundEmail.objects.filter(pk=letter_email.pk).update(sent_at=letter_sent_at)
    # The letter prints the passport data (a PDF compresses them: plain text shows the search).
    visa.letter.save("letter.txt", ContentFile(f"{NAME} {PASSPORT}".encode()))
    export = ExportJob.objects.create(
        user=admin_user,
        kind=ExportKind.ATTENDEES,
        format=ExportFormat.CSV,
        special_needs=True,
        status=ExportJob.Status.DONE,
    )
    export.file.save("attendees.csv", ContentFile(f"{NAME};{EMAIL};{DIETARY}".encode()))
    cancelled_at = ends_at - dt.timedelta(days=10)
    cancelled = RegistrationFactory(
        conference=conference,
        first_name="Barnabus",
        last_name=CANCELLED_NAME,
        email=CANCELLED_EMAIL,
        status=Registration.Status.CANCELLED,
        cancelled_at=cancelled_at,
    )
    notice = OutboundEmail.objects.create(
        registration=cancelled,
        kind=OutboundEmail.Kind.CANCELLED,
        recipient=CANCELLED_EMAIL,
        language="en",
        status=OutboundEmail.Status.SENT,
    )
    OutboundEmail.objects.filter(pk=notice.pk).update(sent_at=cancelled_at)
    delegation = Delegation.objects.create(
        conference=conference,
        authority=delegate.authority,
        coordinator_first_name="Coordina",
        coordinator_last_name=COORDINATOR_NAME,
        coordinator_email=COORDINATOR_EMAIL,
    )
    coordinator_email = OutboundEmail.objects.create(
        delegation=delegation,
        kind=OutboundEmail.Kind.DELEGATION,
        recipient=COORDINATOR_EMAIL,
        language="en",
        status=OutboundEmail.Status.SENT,
    )
    OutboundEmail.objects.filter(pk=coordinator_email.pk).update(
        sent_at=ends_at - dt.timedelta(days=20)
    )
    schedule = retention_schedule_for(conference)
    return {
        "conference": conference,
        "delegate": delegate,
        "cancelled": cancelled,
        "delegate_session": browser_session_of(delegate),
        "cancelled_session": browser_session_of(cancelled),
        "deadlines": {
            "visit": visit.ends_at + dt.timedelta(days=schedule.identity_days_after_visit),
            "needs": retention_deadlines(conference).needs,
            "cancelled": cancelled_at + dt.timedelta(days=schedule.cancelled_days),
            "visa": letter_sent_at + dt.timedelta(days=schedule.visa_days_after_letter),
            "emails": ends_at
            - dt.timedelta(days=20)
            + dt.timedelta(days=schedule.outbox_body_days_after_sent),
            "final": retention_deadlines(conference).identifying,
        },
    }
