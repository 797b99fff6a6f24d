"""The retention purge keeps the privacy notice's promise wherever data live: a conference with
every kind of data, the clock moved past each deadline of its schedule in turn, and after each
purge every text column of every table (all models, history and sessions included) and every
file of the media folder searched for the delegates' data. Each is found exactly where the
schedule still allows it, nowhere else."""

import datetime as dt
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session as BrowserSession
from django.core.files.base import ContentFile
from django.db import models
from django.db.models.functions import Cast
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
    PurgeRecord,
    Registration,
    RetainedFigures,
    SessionBooking,
    VisaLetterRequest,
)
from registrations.privacy.purge import DELEGATE_SESSION_KEYS, personal_data_purge
from registrations.privacy.schedule import retention_deadlines, retention_schedule_for
from tests.factories import (
    ConferenceFactory,
    RegistrationFactory,
    SiteVisitIdentityFactory,
    SiteVisitSessionFactory,
    VisaLetterRequestFactory,
)

pytestmark = pytest.mark.django_db

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

TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField)


def found_in_database(needle: str) -> set[str]:
    """Every model.field (all models, auto-created ones too) whose text holds the needle, and
    the Django sessions whose decoded data hold it."""
    places = set()
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.concrete_fields:
            if not isinstance(field, TEXT_FIELDS):
                continue
            rows = model._base_manager.annotate(
                text_searched_for_needle=Cast(field.attname, models.TextField())
            ).filter(text_searched_for_needle__icontains=needle)
            if rows.exists():
                places.add(f"{model._meta.label_lower}.{field.name}")
    for session in BrowserSession.objects.all():
        if needle.lower() in str(session.get_decoded()).lower():
            places.add("sessions.session.decoded")
    return places


def found_in_media(root: Path, needle: str) -> set[str]:
    return {
        f"media:{path.relative_to(root).parts[0]}"
        for path in root.rglob("*")
        if path.is_file() and needle.lower().encode() in path.read_bytes().lower()
    }


def browser_session_of(registration: Registration) -> str:
    link = management_link_resolve(token=management_link_issue(registration=registration))
    store = SessionStore()
    store[DELEGATE_SESSION_KEYS[0]] = link.pk
    store.create()
    return store.session_key


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def world(media, admin_user):
    """A conference after which every kind of data is held."""
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
    SessionBooking.objects.create(
        registration=delegate, session=visit, status=SessionBooking.Status.BOOKED
    )
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
    SiteVisitIdentityFactory(
        registration=delegate, session=visit, full_name=f"ZEPHYRINE {NAME}", id_number=ID_NUMBER
    )
    letter_sent_at = ends_at - dt.timedelta(days=5)
    visa = VisaLetterRequestFactory(
        registration=delegate,
        passport_number=PASSPORT,
        status=VisaLetterRequest.Status.APPROVED,
        reviewed_at=letter_sent_at,
        letter_sent_at=letter_sent_at,
    )
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


def expected_places(passed: set[str]) -> dict[str, set[str]]:
    """Where each needle may still be once these deadlines have passed."""
    registration = "registrations.registration"
    history = "registrations.historicalregistration"
    log = "admin.logentry"
    places: dict[str, set[str]] = {needle: set() for needle in NEEDLES}
    if "final" not in passed:
        places[NAME] |= {f"{registration}.last_name", f"{history}.last_name", f"{log}.object_repr"}
        places[EMAIL] |= {f"{registration}.email", f"{history}.email", f"{log}.change_message"}
        places[PHONE] |= {f"{registration}.phone", f"{history}.phone"}
        places[COORDINATOR_NAME] |= {"registrations.delegation.coordinator_last_name"}
        places[COORDINATOR_EMAIL] |= {"registrations.delegation.coordinator_email"}
    if not passed & {"emails", "final"}:
        places[EMAIL] |= {"registrations.outboundemail.recipient"}
        places[COORDINATOR_EMAIL] |= {"registrations.outboundemail.recipient"}
    if "needs" not in passed:
        places[DIETARY] |= {f"{registration}.dietary_needs"}
        places[ACCESS] |= {f"{registration}.accessibility_needs"}
    if "visit" not in passed:
        places[NAME] |= {"registrations.sitevisitidentity.full_name"}
        places[ID_NUMBER] |= {"registrations.sitevisitidentity.id_number"}
    if "visa" not in passed:
        places[NAME] |= {"registrations.visaletterrequest.passport_name", "media:visa-letters"}
        places[PASSPORT] |= {"registrations.visaletterrequest.passport_number", "media:visa-letters"}
    if not passed:
        # Export files go two days after they were made, long before the first deadline.
        places[NAME] |= {"media:exports"}
        places[EMAIL] |= {"media:exports"}
        places[DIETARY] |= {"media:exports"}
    if "cancelled" not in passed:
        places[CANCELLED_NAME] |= {f"{registration}.last_name", f"{history}.last_name"}
        places[CANCELLED_EMAIL] |= {
            f"{registration}.email",
            f"{history}.email",
            "registrations.outboundemail.recipient",
        }
    # Each address holds its owner's name.
    places[NAME] |= places[EMAIL]
    places[CANCELLED_NAME] |= places[CANCELLED_EMAIL]
    places[COORDINATOR_NAME] |= places[COORDINATOR_EMAIL]
    return places


def test_purge_removes_each_kind_of_data_at_its_deadline_and_nowhere_else(
    world, media, django_capture_on_commit_callbacks
):
    conference = world["conference"]
    deadlines = world["deadlines"]
    registrations = conference.registrations.count()
    # Before any deadline nothing goes, whatever is held.
    moments = [("", timezone.now() + dt.timedelta(hours=1))]
    moments += sorted(
        ((name, at + dt.timedelta(minutes=1)) for name, at in deadlines.items()),
        key=lambda moment: moment[1],
    )
    passed: set[str] = set()
    for name, now in moments:
        # The order of the deadlines is the schedule's; the test holds for any order.
        passed |= {name} - {""}
        with django_capture_on_commit_callbacks(execute=True):
            personal_data_purge(now=now)
        expected = expected_places(passed)
        for needle in NEEDLES:
            where = found_in_database(needle) | found_in_media(media, needle)
            assert where == expected[needle], (name, needle)
        # Delegates' browser sessions go with their data.
        sessions = set(BrowserSession.objects.values_list("session_key", flat=True))
        assert (world["delegate_session"] in sessions) == ("final" not in passed), name
        assert (world["cancelled_session"] in sessions) == ("cancelled" not in passed), name
        # Rows that figures count stay: anonymised, not deleted.
        assert conference.registrations.count() == registrations
        assert SessionBooking.objects.filter(registration=world["delegate"]).count() == 1
        assert CheckIn.objects.filter(registration=world["delegate"]).count() == 1
        assert list(world["delegate"].consents.values_list("notice_version", flat=True)) == [
            "2026-11-28/1"
        ]
    assert RetainedFigures.objects.filter(conference=conference).exists()
    kinds = set(PurgeRecord.objects.filter(conference=conference).values_list("kind", flat=True))
    assert kinds >= {
        PurgeRecord.Kind.NEEDS,
        PurgeRecord.Kind.VISIT_IDENTITY,
        PurgeRecord.Kind.VISA_PASSPORT,
        PurgeRecord.Kind.CANCELLED,
        PurgeRecord.Kind.IDENTIFYING,
        PurgeRecord.Kind.EMAILS,
        PurgeRecord.Kind.HISTORY,
        PurgeRecord.Kind.SESSIONS,
        PurgeRecord.Kind.COORDINATORS,
    }


def test_purge_run_again_changes_nothing_and_records_nothing(
    world, django_capture_on_commit_callbacks
):
    after_all = world["deadlines"]["final"] + dt.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        first = personal_data_purge(now=after_all)
    records = PurgeRecord.objects.count()
    rows = list(Registration.objects.order_by("pk").values())

    second = personal_data_purge(now=after_all)

    assert first.total() > 0
    assert second.total() == 0
    assert PurgeRecord.objects.count() == records
    assert list(Registration.objects.order_by("pk").values()) == rows


def test_dry_run_counts_what_the_purge_then_removes_and_writes_nothing(
    world, django_capture_on_commit_callbacks
):
    after_all = world["deadlines"]["final"] + dt.timedelta(days=1)
    rows = list(Registration.objects.order_by("pk").values())

    dry = personal_data_purge(now=after_all, dry_run=True)

    assert list(Registration.objects.order_by("pk").values()) == rows
    assert not PurgeRecord.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        done = personal_data_purge(now=after_all)
    assert dry.counts == done.counts


def test_final_purge_keeps_the_names_of_attendees_when_the_organiser_says_so(
    world, django_capture_on_commit_callbacks
):
    from registrations.privacy.schedule import retention_schedule_update

    conference = world["conference"]
    retention_schedule_update(
        schedule=retention_schedule_for(conference), keep_certificate_names=True
    )
    with django_capture_on_commit_callbacks(execute=True):
        personal_data_purge(now=world["deadlines"]["final"] + dt.timedelta(days=1))

    delegate = Registration.objects.get(pk=world["delegate"].pk)  # checked in at the desk
    cancelled = Registration.objects.get(pk=world["cancelled"].pk)  # never came
    assert (delegate.first_name, delegate.last_name) == ("Zephyrine", NAME)
    assert delegate.reference == world["delegate"].reference
    assert EMAIL not in delegate.email
    assert (delegate.phone, delegate.job_title) == ("", "")
    assert (cancelled.first_name, cancelled.last_name) == ("", "")
    assert found_in_database(NAME) == {
        "registrations.registration.last_name"
    }
