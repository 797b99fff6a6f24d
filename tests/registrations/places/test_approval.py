import pytest
from django.urls import reverse

from registrations.models import OutboundEmail, Registration, SessionBooking
from registrations.places.registrations import RegistrationData, registration_create
from registrations.places.status import (
    registration_approve,
    registration_cancel,
    registration_reject,
)
from tests.factories import AuthorityFactory, ConferenceFactory, RegistrationFactory, SessionFactory

pytestmark = pytest.mark.django_db


def register(conference, authority, email="delegate@example.org", **kwargs):
    return registration_create(
        conference=conference,
        authority=authority,
        data=RegistrationData(
            first_name="Ana", last_name="Costa", email=email, job_title="Adviser"
        ),
        **kwargs,
    ).registration


def kinds(registration) -> list[str]:
    return list(
        registration.emails.exclude(status=OutboundEmail.Status.SCHEDULED)
        .order_by("pk")
        .values_list("kind", flat=True)
    )


def test_member_delegates_are_confirmed_directly(conference):
    registration = register(conference, AuthorityFactory(is_member=True))
    assert registration.status == Registration.Status.CONFIRMED


@pytest.mark.parametrize(
    "authority_values", [{"is_member": False}, {"is_member": True, "needs_review": True}]
)
def test_non_member_or_unreviewed_delegates_wait_for_approval(conference, authority_values):
    registration = register(conference, AuthorityFactory(**authority_values))

    assert registration.status == Registration.Status.PENDING
    assert registration.confirmed_at is None
    assert kinds(registration) == [OutboundEmail.Kind.PENDING]


def test_policy_off_confirms_everyone():
    conference = ConferenceFactory(approval_for_non_members=False)
    registration = register(conference, AuthorityFactory(is_member=False))
    assert registration.status == Registration.Status.CONFIRMED


def test_pending_registrations_hold_no_place():
    conference = ConferenceFactory(capacity=1)
    register(conference, AuthorityFactory(is_member=False), email="pending@example.org")

    member = register(conference, AuthorityFactory(is_member=True), email="member@example.org")

    assert member.status == Registration.Status.CONFIRMED


def test_approval_takes_a_place_and_books_waiting_sessions(conference):
    workshop = SessionFactory(conference=conference, capacity=5)
    registration = register(conference, AuthorityFactory(is_member=False), sessions=[workshop])
    assert registration.bookings.get().status == SessionBooking.Status.WAITING

    registration_approve(registration=registration)

    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED
    assert registration.decided_at is not None
    assert registration.bookings.get().status == SessionBooking.Status.BOOKED
    assert kinds(registration) == [OutboundEmail.Kind.PENDING, OutboundEmail.Kind.APPROVED]
    assert registration.emails.filter(kind=OutboundEmail.Kind.REMINDER).exists()


def test_approval_when_full_joins_the_waiting_list():
    conference = ConferenceFactory(capacity=1)
    RegistrationFactory(conference=conference)
    registration = register(conference, AuthorityFactory(is_member=False))

    registration_approve(registration=registration)

    registration.refresh_from_db()
    assert registration.status == Registration.Status.WAITLISTED


def test_rejection_tells_the_delegate_and_frees_the_email(conference):
    registration = register(conference, AuthorityFactory(is_member=False))

    registration_reject(registration=registration)

    registration.refresh_from_db()
    assert registration.status == Registration.Status.REJECTED
    assert kinds(registration) == [OutboundEmail.Kind.PENDING, OutboundEmail.Kind.REJECTED]
    again = register(conference, AuthorityFactory(is_member=True))
    assert again.pk != registration.pk


def test_only_pending_registrations_are_approved_or_rejected(conference):
    confirmed = RegistrationFactory(conference=conference)
    registration_reject(registration=confirmed)
    registration_approve(registration=confirmed)
    confirmed.refresh_from_db()
    assert confirmed.status == Registration.Status.CONFIRMED


def test_admin_bulk_approve_and_reject(admin_client, conference):
    non_member = AuthorityFactory(is_member=False)
    first = register(conference, non_member, email="a@example.org")
    second = register(conference, non_member, email="b@example.org")
    changelist = reverse("admin:registrations_registration_changelist")

    response = admin_client.post(
        changelist,
        {"action": "approve_registrations", "_selected_action": [first.pk, second.pk]},
        follow=True,
    )
    assert "2 registrations approved." in response.content.decode()
    third = register(conference, non_member, email="c@example.org")
    admin_client.post(
        changelist,
        {"action": "reject_registrations", "_selected_action": [third.pk], "post": "yes"},
    )

    statuses = dict(Registration.objects.values_list("email", "status"))
    assert statuses == {
        "a@example.org": "confirmed",
        "b@example.org": "confirmed",
        "c@example.org": "rejected",
    }


def test_pending_delegate_is_told_by_email_not_on_the_thanks_page(client, conference):
    from django.utils import translation

    authority = AuthorityFactory(name="Sopot", country="PL", is_member=False)
    with translation.override("en"):
        register_url = reverse("registrations:register", kwargs={"slug": conference.slug})
    response = client.post(
        register_url,
        {
            "authority": authority.pk,
            "first_name": "Ewa",
            "last_name": "Nowak",
            "email": "ewa@sopot.pl",
            "job_title": "Adviser",
            "category": "delegate",
            "preferred_language": "en",
            "privacy_consent": "on",
        },
        follow=True,
    )
    # The thanks page reads the same for every outcome; the email says where it stands.
    assert "Your registration is received" not in response.content.decode()
    assert Registration.objects.get(email="ewa@sopot.pl").emails.get().kind == "pending"


def test_approved_registration_joins_the_back_of_the_waiting_list():
    conference = ConferenceFactory(capacity=1)
    holder = RegistrationFactory(conference=conference)
    pending = register(conference, AuthorityFactory(is_member=False), email="p@example.org")
    waiting = register(conference, AuthorityFactory(is_member=True), email="w@example.org")
    registration_approve(registration=pending)

    registration_cancel(registration=holder)

    waiting.refresh_from_db()
    pending.refresh_from_db()
    assert waiting.status == Registration.Status.CONFIRMED
    assert pending.status == Registration.Status.WAITLISTED
