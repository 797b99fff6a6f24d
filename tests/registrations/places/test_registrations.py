import datetime as dt
import re

import pytest
from django.core import mail
from django.db import IntegrityError
from django.utils import timezone

from registrations.authorities.lookup import NewAuthority, authority_get_or_create_named
from registrations.errors import RegistrationClosedError, RegistrationError
from registrations.models import (
    PRIVACY_NOTICE_VERSION,
    Authority,
    ConsentRecord,
    OutboundEmail,
    Registration,
)
from registrations.places.imports import ImportedRegistration, registrations_import
from registrations.places.registrations import (
    ALREADY_REGISTERED_COOLDOWN,
    RegistrationData,
    RegistrationOutcome,
    registration_create,
    registration_resend_confirmation,
)
from registrations.places.status import registration_cancel, waitlist_promote
from tests.factories import AuthorityFactory, ConferenceFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


def make_data(**overrides) -> RegistrationData:
    values = {
        "first_name": "Łukasz",
        "last_name": "Wiśniewski",
        "email": "Lukasz.Wisniewski@Gdansk.EU ",
        "job_title": "Head of municipal police",
        "preferred_language": "fr",
    }
    values.update(overrides)
    return RegistrationData(**values)


def register(conference, authority=None, **overrides) -> RegistrationOutcome:
    return registration_create(
        conference=conference,
        data=make_data(**overrides),
        authority=authority or AuthorityFactory(),
    )


def test_registration_create_confirms_while_places_remain(conference):
    outcome = register(conference)

    registration = outcome.registration
    assert outcome.created is True
    assert registration.status == Registration.Status.CONFIRMED
    assert registration.confirmed_at is not None
    assert registration.email == "lukasz.wisniewski@gdansk.eu"
    assert re.fullmatch(r"NCE-[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{5}", registration.reference)


def test_registration_create_records_privacy_consent_with_notice_version(conference):
    registration = register(conference).registration

    consents = list(registration.consents.values_list("kind", "notice_version"))
    # The notice's text, and the version of the conference's retention schedule (its first).
    assert consents == [(ConsentRecord.Kind.PRIVACY_NOTICE, f"{PRIVACY_NOTICE_VERSION}/1")]


def test_registration_create_records_special_needs_consent_when_given(conference):
    registration = registration_create(
        conference=conference,
        data=make_data(dietary_needs="Vegetarian"),
        authority=AuthorityFactory(),
        special_needs_consent=True,
    ).registration

    kinds = set(registration.consents.values_list("kind", flat=True))
    assert kinds == {ConsentRecord.Kind.PRIVACY_NOTICE, ConsentRecord.Kind.SPECIAL_NEEDS}
    assert registration.dietary_needs == "Vegetarian"


def test_registration_create_refuses_needs_without_their_consent(conference):
    with pytest.raises(RegistrationError):
        registration_create(
            conference=conference,
            data=make_data(accessibility_needs="Wheelchair"),
            authority=AuthorityFactory(),
        )
    assert Registration.objects.count() == 0


def test_registration_create_waitlists_when_conference_is_full():
    conference = ConferenceFactory(capacity=2)
    RegistrationFactory.create_batch(2, conference=conference)

    outcome = register(conference)

    assert outcome.registration.status == Registration.Status.WAITLISTED
    assert outcome.registration.confirmed_at is None
    assert list(outcome.registration.emails.values_list("kind", flat=True)) == [
        OutboundEmail.Kind.WAITLISTED
    ]


def test_registration_create_waitlists_behind_people_already_waiting():
    conference = ConferenceFactory(capacity=2)
    RegistrationFactory(conference=conference)
    RegistrationFactory(conference=conference, status=Registration.Status.WAITLISTED)

    outcome = register(conference)

    assert outcome.registration.status == Registration.Status.WAITLISTED


def test_registration_create_ignores_cancelled_registrations_for_capacity():
    conference = ConferenceFactory(capacity=1)
    RegistrationFactory(conference=conference, status=Registration.Status.CANCELLED)

    assert register(conference).registration.status == Registration.Status.CONFIRMED


def test_registration_create_queues_confirmation_email_on_commit(
    conference, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        registration = register(conference).registration

    email = registration.emails.exclude(kind=OutboundEmail.Kind.REMINDER).get()
    assert email.kind == OutboundEmail.Kind.CONFIRMED
    assert email.status == OutboundEmail.Status.SENT
    assert email.recipient == "lukasz.wisniewski@gdansk.eu"
    assert email.language == "fr"
    assert len(mail.outbox) == 1
    assert registration.reference in mail.outbox[0].subject


def test_registration_create_with_known_email_creates_nothing_and_tells_the_owner(
    conference, django_capture_on_commit_callbacks
):
    existing = register(conference).registration

    with django_capture_on_commit_callbacks(execute=True):
        outcome = register(conference, email="LUKASZ.wisniewski@gdansk.eu", first_name="Other")

    assert outcome.created is False
    assert outcome.registration == existing
    assert Registration.objects.count() == 1
    notice = existing.emails.get(kind=OutboundEmail.Kind.ALREADY_REGISTERED)
    assert notice.recipient == existing.email
    assert mail.outbox[-1].to == [existing.email]


def test_registration_create_allows_email_again_after_cancellation(conference):
    first = register(conference).registration
    registration_cancel(registration=first)

    outcome = register(conference)

    assert outcome.created is True
    assert outcome.registration.pk != first.pk


def test_registration_create_refuses_before_opening():
    conference = ConferenceFactory(
        registration_opens_at=timezone.now() + dt.timedelta(days=1),
        registration_closes_at=timezone.now() + dt.timedelta(days=5),
    )
    with pytest.raises(RegistrationClosedError):
        register(conference)


def test_registration_create_refuses_after_closing():
    conference = ConferenceFactory(
        registration_opens_at=timezone.now() - dt.timedelta(days=5),
        registration_closes_at=timezone.now() - dt.timedelta(seconds=1),
    )
    with pytest.raises(RegistrationClosedError):
        register(conference)
    assert Registration.objects.count() == 0


def test_registration_create_with_new_authority_flags_it_for_review(conference):
    outcome = registration_create(
        conference=conference,
        data=make_data(),
        new_authority=NewAuthority(name="  Sopot ", country="PL"),
    )

    authority = outcome.registration.authority
    assert authority.name == "Sopot"
    assert authority.needs_review is True
    assert authority.is_member is False


def test_registration_create_matches_named_authority_ignoring_case_and_accents(conference):
    liege = AuthorityFactory(name="Liège", country="BE")

    outcome = registration_create(
        conference=conference,
        data=make_data(),
        new_authority=NewAuthority(name="LIEGE", country="BE"),
    )

    assert outcome.registration.authority == liege
    assert Authority.objects.count() == 1


def test_authority_same_name_in_other_country_is_another_authority():
    AuthorityFactory(name="Valencia", country="ES")
    other = authority_get_or_create_named(new_authority=NewAuthority(name="Valencia", country="VE"))
    assert other.country.code == "VE"
    assert Authority.objects.count() == 2


def test_database_refuses_second_active_registration_for_same_email(conference):
    RegistrationFactory(conference=conference, email="anna@example.org")
    with pytest.raises(IntegrityError):
        RegistrationFactory(conference=conference, email="ANNA@example.org")


def test_registration_cancel_promotes_first_on_waiting_list(
    django_capture_on_commit_callbacks,
):
    conference = ConferenceFactory(capacity=1)
    confirmed = RegistrationFactory(conference=conference)
    first = RegistrationFactory(conference=conference, status=Registration.Status.WAITLISTED)
    second = RegistrationFactory(conference=conference, status=Registration.Status.WAITLISTED)

    with django_capture_on_commit_callbacks(execute=True):
        registration_cancel(registration=confirmed)

    confirmed.refresh_from_db()
    first.refresh_from_db()
    second.refresh_from_db()
    assert confirmed.status == Registration.Status.CANCELLED
    assert confirmed.cancelled_at is not None
    assert first.status == Registration.Status.CONFIRMED
    assert second.status == Registration.Status.WAITLISTED
    assert list(first.emails.values_list("kind", flat=True).order_by("pk")) == [
        OutboundEmail.Kind.PROMOTED,
        OutboundEmail.Kind.REMINDER,
    ]
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [confirmed.email, first.email]
    )


def test_registration_cancel_of_waitlisted_promotes_nobody():
    conference = ConferenceFactory(capacity=1)
    RegistrationFactory(conference=conference)
    waiting = RegistrationFactory(conference=conference, status=Registration.Status.WAITLISTED)
    other = RegistrationFactory(conference=conference, status=Registration.Status.WAITLISTED)

    registration_cancel(registration=waiting)

    other.refresh_from_db()
    assert other.status == Registration.Status.WAITLISTED


def test_registration_cancel_twice_changes_nothing_the_second_time(conference):
    registration = RegistrationFactory(conference=conference)
    registration_cancel(registration=registration)
    registration_cancel(registration=registration)

    assert registration.emails.filter(kind=OutboundEmail.Kind.CANCELLED).count() == 1


def test_waitlist_promote_fills_raised_capacity_in_order_of_arrival():
    conference = ConferenceFactory(capacity=1)
    RegistrationFactory(conference=conference)
    waiting = RegistrationFactory.create_batch(
        3, conference=conference, status=Registration.Status.WAITLISTED
    )
    conference.capacity = 3
    conference.save()

    promoted = waitlist_promote(conference=conference)

    assert promoted == waiting[:2]
    assert conference.registrations.filter(status=Registration.Status.CONFIRMED).count() == 3


def test_registration_resend_confirmation_queues_email_for_current_status(conference):
    registration = RegistrationFactory(conference=conference, status=Registration.Status.WAITLISTED)

    email = registration_resend_confirmation(registration=registration)

    assert email.kind == OutboundEmail.Kind.WAITLISTED


def test_registrations_import_follows_capacity_and_consent_rules_without_emails():
    conference = ConferenceFactory(capacity=3)
    RegistrationFactory(conference=conference, email="known@example.org")
    authority = AuthorityFactory()
    registered_at = timezone.now() - dt.timedelta(days=3)
    entries = [
        ImportedRegistration(
            authority=authority,
            data=make_data(email=email, dietary_needs="Halal" if index == 0 else ""),
            special_needs_consent=index == 0,
        )
        for index, email in enumerate(
            ["a@example.org", "KNOWN@example.org", "b@example.org", "c@example.org"]
        )
    ]

    added = registrations_import(
        conference=conference, entries=entries, registered_at=registered_at, batch_size=2
    )

    assert added == 3
    imported = conference.registrations.exclude(email="known@example.org").order_by("email")
    assert [r.status for r in imported] == ["confirmed", "confirmed", "waitlisted"]
    assert all(r.created_at == registered_at for r in imported)
    assert ConsentRecord.objects.filter(kind=ConsentRecord.Kind.SPECIAL_NEEDS).count() == 1
    assert ConsentRecord.objects.filter(kind=ConsentRecord.Kind.PRIVACY_NOTICE).count() == 3
    assert OutboundEmail.objects.count() == 0
    assert len({r.reference for r in imported}) == 3


def test_registrations_import_refuses_needs_without_consent(conference):
    entry = ImportedRegistration(
        authority=AuthorityFactory(), data=make_data(dietary_needs="Vegan")
    )
    with pytest.raises(RegistrationError):
        registrations_import(conference=conference, entries=[entry], registered_at=timezone.now())
    assert Registration.objects.count() == 0


def test_repeated_sign_ups_send_one_reminder_per_cooldown(conference):
    existing = register(conference).registration

    for _ in range(3):
        assert register(conference).created is False

    # Every repeat writes its row (the same work either way); within the cooldown it is
    # withdrawn, never sent.
    reminders = existing.emails.filter(kind=OutboundEmail.Kind.ALREADY_REGISTERED)
    assert sorted(reminders.values_list("status", flat=True)) == [
        "queued",
        "withdrawn",
        "withdrawn",
    ]
    reminders.update(created_at=timezone.now() - ALREADY_REGISTERED_COOLDOWN)
    register(conference)
    assert reminders.filter(status=OutboundEmail.Status.QUEUED).count() == 2
    assert reminders.count() == 4
