"""The retention purge keeps the privacy notice's promise wherever data live: a conference with
every kind of data, the clock moved past each deadline of its schedule in turn, and after each
purge every text column of every table (all models, history and sessions included) and every
file of the media folder searched for the delegates' data. Each is found exactly where the
schedule still allows it, nowhere else."""

import datetime as dt
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.sessions.models import Session as BrowserSession
from django.db import models
from django.db.models.functions import Cast
from django.utils import timezone

from registrations.models import (
    CheckIn,
    PurgeRecord,
    Registration,
    RetainedFigures,
    SessionBooking,
)
from registrations.privacy.purge import personal_data_purge
from registrations.privacy.schedule import retention_schedule_for
from tests.registrations.privacy.world import (
    ACCESS,
    CANCELLED_EMAIL,
    CANCELLED_NAME,
    COORDINATOR_EMAIL,
    COORDINATOR_NAME,
    DIETARY,
    EMAIL,
    ID_NUMBER,
    NAME,
    NEEDLES,
    PASSPORT,
    PHONE,
    world_build,
)

pytestmark = pytest.mark.django_db

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


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def world(media, admin_user):
    return world_build(admin_user)


def expected_places(passed: set[str]) -> dict[str, set[str]]:
    """Where each needle may still be once these deadlines have passed."""
    registration = "registrations.registration"
    history = "registrations.historicalregistration"
    log = "admin.logentry"
    places: dict[str, set[str]] = {needle: set() for needle in NEEDLES}
    if "final" not in passed:
        # The search text spells the name out, folded: it goes with the name.
        places[NAME] |= {
            f"{registration}.last_name",
            f"{registration}.search_name",
            f"{history}.last_name",
            f"{log}.object_repr",
        }
        places[EMAIL] |= {
            f"{registration}.email",
            f"{history}.email",
            f"{log}.change_message",
            "registrations.webhookdelivery.payload",
            "registrations.webhookdeliveryattempt.response_body",
        }
        places[NAME] |= {"registrations.webhookdelivery.payload"}
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
        places[PASSPORT] |= {
            "registrations.visaletterrequest.passport_number",
            "media:visa-letters",
        }
    if not passed:
        # Export files go two days after they were made, long before the first deadline.
        places[NAME] |= {"media:exports"}
        places[EMAIL] |= {"media:exports"}
        places[DIETARY] |= {"media:exports"}
    if "cancelled" not in passed:
        places[CANCELLED_NAME] |= {
            f"{registration}.last_name",
            f"{registration}.search_name",
            f"{history}.last_name",
        }
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
        PurgeRecord.Kind.WEBHOOKS,
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
        "registrations.registration.last_name",
        "registrations.registration.search_name",
    }
