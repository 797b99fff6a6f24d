"""Whom an outbox email goes to, and what it is about.

An email concerns a delegate's registration, or a delegation (then it goes to its coordinator),
or a webhook endpoint (then it goes to the organisers): the outbox row holds one of three keys.
This value says which, once, so that queueing, composing and sending never have to guess."""

from dataclasses import dataclass

from django.conf import settings

from conference.models import Conference
from registrations.models import (
    Delegation,
    MeetingRequest,
    OutboundEmail,
    Registration,
    RetentionSchedule,
    WebhookEndpoint,
)


@dataclass(frozen=True)
class Recipient:
    address: str
    language: str
    name: str
    registration: Registration | None = None
    delegation: Delegation | None = None
    webhook_endpoint: WebhookEndpoint | None = None
    retention_schedule: RetentionSchedule | None = None
    # To the organisers: a delegate reported this meeting request.
    meeting_report: MeetingRequest | None = None

    def __post_init__(self) -> None:
        subjects = (
            self.registration,
            self.delegation,
            self.webhook_endpoint,
            self.retention_schedule,
            self.meeting_report,
        )
        if sum(subject is not None for subject in subjects) != 1:
            raise ValueError(
                "an email is about a registration, a delegation or a webhook endpoint, and only one"
            )

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
    def organisers_of(cls, endpoint: WebhookEndpoint) -> list["Recipient"]:
        """Who answers for a webhook endpoint: whoever made it, and the conference's contact
        address (once, if they are the same). Staff accounts hold no language: the site's."""
        addresses = [endpoint.conference.contact_email]
        if endpoint.created_by is not None and endpoint.created_by.email:
            addresses.insert(0, endpoint.created_by.email)
        unique: dict[str, str] = {}
        for address in addresses:
            unique.setdefault(address.lower(), address)
        return [
            cls(
                address=address,
                language=settings.LANGUAGE_CODE[:2],
                name="",
                webhook_endpoint=endpoint,
            )
            for address in unique.values()
        ]

    @classmethod
    def organisers_of_schedule(cls, schedule: RetentionSchedule) -> "Recipient":
        """The conference's contact address, told of what its retention schedule is about to
        do. Staff accounts hold no language: the site's."""
        return cls(
            address=schedule.conference.contact_email,
            language=settings.LANGUAGE_CODE[:2],
            name="",
            retention_schedule=schedule,
        )

    @classmethod
    def organisers_of_report(cls, meeting: MeetingRequest) -> "Recipient":
        """The conference's contact address, told that a delegate reported a meeting request.
        Staff accounts hold no language: the site's."""
        return cls(
            address=meeting.conference.contact_email,
            language=settings.LANGUAGE_CODE[:2],
            name="",
            meeting_report=meeting,
        )

    @classmethod
    def of_email(cls, email: OutboundEmail) -> "Recipient":
        """Whom a queued email goes to: the address and language it was queued with."""
        if email.registration is not None:
            recipient = cls.delegate(email.registration, address=email.recipient)
        elif email.retention_schedule is not None:
            return cls(
                address=email.recipient,
                language=email.language,
                name="",
                retention_schedule=email.retention_schedule,
            )
        elif email.webhook_endpoint is not None:
            return cls(
                address=email.recipient,
                language=email.language,
                name="",
                webhook_endpoint=email.webhook_endpoint,
            )
        elif email.meeting_request is not None and email.delegation is None:
            return cls(
                address=email.recipient,
                language=email.language,
                name="",
                meeting_report=email.meeting_request,
            )
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
        about = (
            self.registration
            or self.delegation
            or self.webhook_endpoint
            or self.retention_schedule
            or self.meeting_report
        )
        assert about is not None  # one of the three, checked on creation
        return about.conference

    @property
    def is_previous_address(self) -> bool:
        """A notice sent to the address a delegate has just left: it no longer speaks for them."""
        return self.registration is not None and self.address != self.registration.email
