"""Whom an outbox email goes to, and what it is about.

An email concerns a delegate's registration, or a delegation (then it goes to its coordinator):
the outbox row holds one of two keys. This value says which, once, so that queueing, composing
and sending never have to guess."""

from dataclasses import dataclass

from conference.models import Conference
from registrations.models import Delegation, OutboundEmail, Registration


@dataclass(frozen=True)
class Recipient:
    address: str
    language: str
    name: str
    registration: Registration | None = None
    delegation: Delegation | None = None

    def __post_init__(self) -> None:
        if (self.registration is None) == (self.delegation is None):
            raise ValueError("an email is about a registration or a delegation, and only one")

    @classmethod
    def delegate(cls, registration: Registration, *, address: str | None = None) -> "Recipient":
        """The delegate, at their address or, for a notice of a change, at `address`."""
        return cls(
            address=address or registration.email,
            language=registration.preferred_language,
            name=registration.full_name,
            registration=registration,
        )

    @classmethod
    def coordinator(cls, delegation: Delegation) -> "Recipient":
        return cls(
            address=delegation.coordinator_email,
            language=delegation.coordinator_language,
            name=delegation.coordinator_name,
            delegation=delegation,
        )

    @classmethod
    def of_email(cls, email: OutboundEmail) -> "Recipient":
        """Whom a queued email goes to: the address and language it was queued with."""
        if email.registration is not None:
            recipient = cls.delegate(email.registration, address=email.recipient)
        else:
            # The outbox's check constraint: an email about no registration has a delegation.
            assert email.delegation is not None
            recipient = cls.coordinator(email.delegation)
        return cls(
            address=email.recipient,
            language=email.language,
            name=recipient.name,
            registration=recipient.registration,
            delegation=recipient.delegation,
        )

    @property
    def conference(self) -> Conference:
        about = self.registration or self.delegation
        assert about is not None  # one of the two, checked on creation
        return about.conference

    @property
    def is_previous_address(self) -> bool:
        """A notice sent to the address a delegate has just left: it no longer speaks for them."""
        return self.registration is not None and self.address != self.registration.email
