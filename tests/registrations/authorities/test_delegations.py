import pytest
from django.core import mail

from registrations.access.self_service import management_link_request
from registrations.authorities.allotments import authority_places_left
from registrations.authorities.delegations import (
    Coordinator,
    delegation_add_member,
    delegation_register,
    delegation_substitute,
)
from registrations.errors import AuthorityFullError, RegistrationError
from registrations.models import (
    AuthorityAllotment,
    ConsentRecord,
    OutboundEmail,
    Registration,
    SessionBooking,
)
from registrations.places.bookings import session_bookings_set
from registrations.places.registrations import RegistrationData, registration_create
from registrations.places.status import registration_cancel
from tests.concurrency import run_concurrently
from tests.factories import AuthorityFactory, ConferenceFactory, RegistrationFactory, SessionFactory

COORDINATOR = Coordinator(
    first_name="Marie", last_name="Dupont", email="marie.dupont@liege.be", preferred_language="fr"
)


def person(first_name: str, email: str) -> RegistrationData:
    return RegistrationData(
        first_name=first_name, last_name="Peeters", email=email, job_title="Adviser"
    )


@pytest.fixture
def liege(db):
    return AuthorityFactory(name="Liège", country="BE", is_member=True)


@pytest.mark.django_db
def test_delegation_makes_one_registration_per_member_and_tells_everyone(
    conference, liege, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        delegation = delegation_register(
            conference=conference,
            authority=liege,
            coordinator=COORDINATOR,
            members=[person("Jan", "jan@liege.be"), person("An", "an@liege.be")],
        )

    members = list(delegation.members.order_by("email"))
    assert [member.email for member in members] == ["an@liege.be", "jan@liege.be"]
    assert {member.status for member in members} == {Registration.Status.CONFIRMED}
    consents = set(ConsentRecord.objects.values_list("kind", flat=True))
    assert consents == {ConsentRecord.Kind.COORDINATOR_NOTICE}
    recipients = sorted(message.to[0] for message in mail.outbox)
    assert recipients == ["an@liege.be", "jan@liege.be", "marie.dupont@liege.be"]
    to_coordinator = next(m for m in mail.outbox if m.to == ["marie.dupont@liege.be"])
    assert "Liège" in to_coordinator.subject
    assert "/manage/enter/" in to_coordinator.body
    assert all(member.reference in to_coordinator.body for member in members)


@pytest.mark.django_db
def test_delegation_respects_the_places_of_the_authority(liege):
    conference = ConferenceFactory(default_allotment=2)
    RegistrationFactory(conference=conference, authority=liege)

    with pytest.raises(AuthorityFullError) as raised:
        delegation_register(
            conference=conference,
            authority=liege,
            coordinator=COORDINATOR,
            members=[person("Jan", "jan@liege.be"), person("An", "an@liege.be")],
        )

    assert raised.value.message == "Liège has 1 place left at this conference."
    assert conference.registrations.count() == 1


@pytest.mark.django_db
def test_allotment_of_an_authority_overrides_the_default(liege):
    conference = ConferenceFactory(default_allotment=1)
    AuthorityAllotment.objects.create(conference=conference, authority=liege, places=3)

    assert authority_places_left(conference, liege) == 3


@pytest.mark.django_db
def test_individual_registration_also_counts_against_the_allotment(liege):
    conference = ConferenceFactory(default_allotment=1)
    RegistrationFactory(conference=conference, authority=liege)

    with pytest.raises(AuthorityFullError):
        registration_create(
            conference=conference, authority=liege, data=person("Jan", "jan@liege.be")
        )


@pytest.mark.django_db
def test_delegation_refuses_repeated_or_registered_addresses(conference, liege):
    RegistrationFactory(conference=conference, email="taken@liege.be")

    with pytest.raises(RegistrationError) as repeated:
        delegation_register(
            conference=conference,
            authority=liege,
            coordinator=COORDINATOR,
            members=[person("Jan", "jan@liege.be"), person("Jan", "JAN@liege.be")],
        )
    assert repeated.value.message == "Each delegate needs their own email address: jan@liege.be"
    assert not conference.delegations.exists()

    delegation = delegation_register(
        conference=conference,
        authority=liege,
        coordinator=COORDINATOR,
        members=[person("Jan", "jan@liege.be"), person("T", "TAKEN@liege.be")],
    )
    assert [m.email for m in delegation.members.all()] == ["jan@liege.be"]


@pytest.mark.django_db
def test_coordinator_adding_a_registered_address_is_told_which(conference, liege):
    RegistrationFactory(conference=conference, email="taken@liege.be")
    delegation = delegation_register(
        conference=conference,
        authority=liege,
        coordinator=COORDINATOR,
        members=[person("Jan", "jan@liege.be")],
    )
    with pytest.raises(RegistrationError) as taken:
        delegation_add_member(delegation=delegation, data=person("T", "Taken@liege.be"))
    assert taken.value.message == "Already registered: taken@liege.be"


@pytest.mark.django_db
def test_one_delegation_per_authority_and_conference(conference, liege):
    delegation_register(
        conference=conference,
        authority=liege,
        coordinator=COORDINATOR,
        members=[person("Jan", "jan@liege.be")],
    )
    with pytest.raises(RegistrationError):
        delegation_register(
            conference=conference,
            authority=liege,
            coordinator=COORDINATOR,
            members=[person("An", "an@liege.be")],
        )


@pytest.mark.django_db
def test_coordinator_adds_a_member(conference, liege):
    delegation = delegation_register(
        conference=conference,
        authority=liege,
        coordinator=COORDINATOR,
        members=[person("Jan", "jan@liege.be")],
    )

    added = delegation_add_member(delegation=delegation, data=person("An", "an@liege.be"))

    assert added.delegation == delegation
    assert delegation.members.count() == 2


@pytest.mark.django_db
def test_substitute_takes_over_the_place_and_the_bookings(conference, liege):
    workshop = SessionFactory(conference=conference, capacity=1)
    delegation = delegation_register(
        conference=conference,
        authority=liege,
        coordinator=COORDINATOR,
        members=[person("Jan", "jan@liege.be")],
    )
    jan = delegation.members.get()
    session_bookings_set(registration=jan, sessions=[workshop])

    an = delegation_substitute(registration=jan, data=person("An", "an@liege.be"))

    jan.refresh_from_db()
    assert jan.status == Registration.Status.CANCELLED
    assert an.status == Registration.Status.CONFIRMED
    assert an.delegation == delegation
    assert an.bookings.get().status == SessionBooking.Status.BOOKED
    assert jan.emails.filter(kind=OutboundEmail.Kind.SUBSTITUTED).count() == 1
    assert an.emails.filter(kind=OutboundEmail.Kind.CONFIRMED).count() == 1


@pytest.mark.django_db
def test_substitute_keeps_the_place_in_the_waiting_list():
    conference = ConferenceFactory(capacity=1)
    RegistrationFactory(conference=conference)
    first = RegistrationFactory(conference=conference, status=Registration.Status.WAITLISTED)
    second = RegistrationFactory(conference=conference, status=Registration.Status.WAITLISTED)

    replacement = delegation_substitute(registration=first, data=person("An", "an@liege.be"))
    registration_cancel(registration=conference.registrations.get(status="confirmed"))

    replacement.refresh_from_db()
    second.refresh_from_db()
    assert replacement.status == Registration.Status.CONFIRMED
    assert second.status == Registration.Status.WAITLISTED


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_registrations_never_exceed_the_allotment():
    conference = ConferenceFactory(default_allotment=5, capacity=100)
    authority = AuthorityFactory(name="Gdańsk", country="PL", is_member=True)

    def register(index: int) -> bool:
        try:
            registration_create(
                conference=conference,
                authority=authority,
                data=person("Delegate", f"delegate{index}@gdansk.pl"),
            )
        except AuthorityFullError:
            return False
        return True

    outcomes = run_concurrently(30, register)

    assert outcomes.count(True) == 5
    assert conference.registrations.active().filter(authority=authority).count() == 5


@pytest.mark.django_db
def test_lost_link_of_a_coordinator_sends_the_delegation_link(conference, liege):
    delegation = delegation_register(
        conference=conference,
        authority=liege,
        coordinator=COORDINATOR,
        members=[person("Jan", "jan@liege.be")],
    )

    assert management_link_request(conference=conference, email="MARIE.dupont@liege.be")

    assert delegation.emails.filter(kind=OutboundEmail.Kind.DELEGATION).count() == 2
