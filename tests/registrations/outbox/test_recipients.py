import pytest

from registrations.models import Delegation, OutboundEmail
from registrations.outbox.queue import outbound_email_queue
from registrations.outbox.recipients import Recipient
from tests.factories import AuthorityFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


def make_delegation(conference) -> Delegation:
    return Delegation.objects.create(
        conference=conference,
        authority=AuthorityFactory(),
        coordinator_first_name="Inès",
        coordinator_last_name="Moreau",
        coordinator_email="ines.moreau@lyon.fr",
        coordinator_language="fr",
    )


def test_recipient_of_a_delegate_email_is_the_delegate_in_their_language(conference):
    registration = RegistrationFactory(conference=conference, preferred_language="fr")

    email = outbound_email_queue(
        to=Recipient.delegate(registration), kind=OutboundEmail.Kind.CONFIRMED
    )
    recipient = Recipient.of_email(email)

    assert (email.registration, email.delegation) == (registration, None)
    assert (recipient.address, recipient.language) == (registration.email, "fr")
    assert recipient.name == registration.full_name
    assert recipient.conference == conference
    assert recipient.is_previous_address is False


def test_recipient_at_a_previous_address_is_told_apart(conference):
    registration = RegistrationFactory(conference=conference)

    email = outbound_email_queue(
        to=Recipient.delegate(registration, address="old@example.org"),
        kind=OutboundEmail.Kind.DETAILS_CHANGED,
    )

    assert email.recipient == "old@example.org"
    assert Recipient.of_email(email).is_previous_address is True


def test_recipient_of_a_delegation_email_is_its_coordinator(conference):
    delegation = make_delegation(conference)

    email = outbound_email_queue(
        to=Recipient.coordinator(delegation), kind=OutboundEmail.Kind.DELEGATION
    )
    recipient = Recipient.of_email(email)

    assert (email.registration, email.delegation) == (None, delegation)
    assert (recipient.address, recipient.language) == ("ines.moreau@lyon.fr", "fr")
    assert recipient.name == "Inès Moreau"
    assert recipient.conference == conference
    assert recipient.is_previous_address is False


def test_recipient_is_about_a_registration_or_a_delegation_never_both(conference):
    registration = RegistrationFactory(conference=conference)

    with pytest.raises(ValueError, match="only one"):
        Recipient(
            address="a@example.org",
            language="en",
            name="A",
            registration=registration,
            delegation=make_delegation(conference),
        )
    with pytest.raises(ValueError, match="only one"):
        Recipient(address="a@example.org", language="en", name="A")
