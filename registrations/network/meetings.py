"""Meeting requests between listed delegates: asked for at one of the programme's breaks,
answered by the other from their email or personal page, cancelled by either, reported to the
organisers by the one who received it.

No address is ever passed from one to the other: each is emailed by the conference about the
other's name and authority, and answers through the site."""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from conference.models import Session
from registrations.errors import RegistrationError
from registrations.models import (
    MEETING_MESSAGE_MAX_LENGTH,
    DirectoryListing,
    MeetingRequest,
    OutboundEmail,
    Registration,
)
from registrations.network.directory import directory_listings_shown, meeting_slots
from registrations.outbox.queue import outbound_email_queue
from registrations.outbox.recipients import Recipient

# How many requests one delegate may send in a day, and to the same delegate in all.
MEETING_REQUESTS_PER_DAY = 10
MEETING_REQUESTS_PER_PAIR = 3
MEETING_REQUESTS_WINDOW = timedelta(days=1)

REQUESTED = MeetingRequest.Status.REQUESTED
ACCEPTED = MeetingRequest.Status.ACCEPTED


class MeetingRequestRefused(RegistrationError):
    """The request cannot be sent: a rule or a limit says no; the message says which."""


def _shown_listing(registration: Registration) -> DirectoryListing | None:
    return (
        directory_listings_shown(registration.conference).filter(registration=registration).first()
    )


def meeting_request_create(
    *,
    sender: Registration,
    recipient: Registration,
    message: str,
    slot: Session | None,
    now: datetime | None = None,
) -> MeetingRequest:
    """Ask a listed delegate for a meeting; they are emailed, in their language. Only a listed
    delegate may ask (the other can see who asks), at most MEETING_REQUESTS_PER_DAY a day and
    MEETING_REQUESTS_PER_PAIR to the same delegate, one waiting at a time; never again someone
    who reported them."""
    now = now or timezone.now()
    message = message.strip()
    if not message:
        raise MeetingRequestRefused(gettext("Write a short message."))
    if len(message) > MEETING_MESSAGE_MAX_LENGTH:
        raise MeetingRequestRefused(
            gettext("Keep the message under %(count)s characters.")
            % {"count": MEETING_MESSAGE_MAX_LENGTH}
        )
    if sender.pk == recipient.pk:
        raise MeetingRequestRefused(gettext("You cannot ask yourself for a meeting."))
    if sender.conference_id != recipient.conference_id:
        raise MeetingRequestRefused(gettext("This delegate is not listed in the directory."))
    if slot is not None and not meeting_slots(sender.conference).filter(pk=slot.pk).exists():
        raise MeetingRequestRefused(gettext("Choose one of the programme's breaks."))
    with transaction.atomic():
        # The sender's own entry, locked: their requests are counted one at a time.
        own = (
            DirectoryListing.objects.select_for_update()
            .filter(pk__in=directory_listings_shown(sender.conference).filter(registration=sender))
            .first()
        )
        if own is None:
            raise MeetingRequestRefused(
                gettext("List yourself in the directory before asking for a meeting.")
            )
        if _shown_listing(recipient) is None:
            raise MeetingRequestRefused(gettext("This delegate is not listed in the directory."))
        sent = MeetingRequest.objects.filter(sender=sender)
        between = sent.filter(recipient=recipient)
        if (
            MeetingRequest.objects.filter(sender=recipient, recipient=sender)
            .exclude(reported_at=None)
            .exists()
            or between.exclude(reported_at=None).exists()
        ):
            # Reported: the sender learns no more than that they cannot ask.
            raise MeetingRequestRefused(gettext("You cannot ask this delegate for a meeting."))
        if between.filter(status__in=[REQUESTED, ACCEPTED]).exists():
            raise MeetingRequestRefused(
                gettext("You have already asked this delegate; wait for their answer.")
            )
        if between.count() >= MEETING_REQUESTS_PER_PAIR:
            raise MeetingRequestRefused(
                gettext("You have asked this delegate too many times already.")
            )
        if sent.filter(created_at__gt=now - MEETING_REQUESTS_WINDOW).count() >= (
            MEETING_REQUESTS_PER_DAY
        ):
            raise MeetingRequestRefused(
                gettext("You have sent %(count)s requests today: please try again tomorrow.")
                % {"count": MEETING_REQUESTS_PER_DAY}
            )
        meeting = MeetingRequest(
            conference=sender.conference,
            sender=sender,
            recipient=recipient,
            message=message,
            slot=slot,
        )
        meeting.full_clean()
        meeting.save()
        outbound_email_queue(
            to=Recipient.delegate(recipient),
            kind=OutboundEmail.Kind.MEETING_REQUESTED,
            meeting_request=meeting,
        )
    return meeting


def _locked(meeting: MeetingRequest) -> MeetingRequest:
    return (
        MeetingRequest.objects.select_for_update(of=("self",))
        .select_related("sender", "recipient", "conference")
        .get(pk=meeting.pk)
    )


def meeting_request_answer(
    *, meeting: MeetingRequest, by: Registration, accept: bool, now: datetime | None = None
) -> MeetingRequest:
    """The recipient accepts or declines, once; the sender is emailed the answer. Accepting
    needs both still confirmed and listed."""
    now = now or timezone.now()
    with transaction.atomic():
        meeting = _locked(meeting)
        if meeting.recipient_id != by.pk:
            raise RegistrationError(gettext("This request was not sent to you."))
        if meeting.status != REQUESTED:
            raise RegistrationError(gettext("This request has already been answered."))
        if accept and (
            _shown_listing(meeting.sender) is None or _shown_listing(meeting.recipient) is None
        ):
            raise RegistrationError(
                gettext("This meeting can no longer be accepted: one of you left the directory.")
            )
        meeting.status = ACCEPTED if accept else MeetingRequest.Status.DECLINED
        meeting.answered_at = now
        meeting.save(update_fields=["status", "answered_at"])
        outbound_email_queue(
            to=Recipient.delegate(meeting.sender),
            kind=OutboundEmail.Kind.MEETING_ACCEPTED
            if accept
            else OutboundEmail.Kind.MEETING_DECLINED,
            meeting_request=meeting,
        )
    return meeting


def meeting_request_cancel(
    *, meeting: MeetingRequest, by: Registration, now: datetime | None = None
) -> MeetingRequest:
    """Either delegate calls it off, waiting or accepted; the other is told if it was accepted
    (and the meeting leaves both agendas)."""
    now = now or timezone.now()
    with transaction.atomic():
        meeting = _locked(meeting)
        if by.pk not in (meeting.sender_id, meeting.recipient_id):
            raise RegistrationError(gettext("This request is not yours."))
        if meeting.status not in (REQUESTED, ACCEPTED):
            return meeting
        was_accepted = meeting.status == ACCEPTED
        meeting.status = MeetingRequest.Status.CANCELLED
        meeting.cancelled_at = now
        meeting.save(update_fields=["status", "cancelled_at"])
        if was_accepted:
            other = meeting.recipient if by.pk == meeting.sender_id else meeting.sender
            outbound_email_queue(
                to=Recipient.delegate(other),
                kind=OutboundEmail.Kind.MEETING_CANCELLED,
                meeting_request=meeting,
            )
    return meeting


def meeting_request_report(
    *, meeting: MeetingRequest, by: Registration, reason: str, now: datetime | None = None
) -> MeetingRequest:
    """The recipient reports a request to the organisers: they are emailed (the conference's
    contact address, once) and the request is flagged, and filterable, in the admin. It is
    declined if it was waiting or accepted, silently, and the sender can no longer ask them."""
    now = now or timezone.now()
    with transaction.atomic():
        meeting = _locked(meeting)
        if meeting.recipient_id != by.pk:
            raise RegistrationError(gettext("This request was not sent to you."))
        if meeting.reported_at is None:
            meeting.reported_at = now
            meeting.report_reason = reason.strip()[:500]
            outbound_email_queue(
                to=Recipient.organisers_of_report(meeting), kind=OutboundEmail.Kind.MEETING_REPORTED
            )
        if meeting.status in (REQUESTED, ACCEPTED):
            meeting.status = MeetingRequest.Status.DECLINED
            meeting.answered_at = meeting.answered_at or now
        meeting.save(update_fields=["reported_at", "report_reason", "status", "answered_at"])
    return meeting


def meeting_request_emails_forget(
    sender: object, instance: MeetingRequest, **kwargs: object
) -> None:
    """Before a request goes, however it goes (the admin's delete, a registration's or a
    conference's cascade, an erasure), the organisers' emails about its report go with it: the
    request is their only subject, and a row without one breaks the outbox's check constraint.
    The delegates' emails about it stay (their registration is their subject)."""
    OutboundEmail.objects.filter(
        meeting_request=instance,
        registration=None,
        delegation=None,
        webhook_endpoint=None,
        retention_schedule=None,
    ).delete()


def meeting_requests_of(registration: Registration) -> QuerySet[MeetingRequest]:
    """The requests the delegate sent or received, with what the pages show of the other."""
    return (
        MeetingRequest.objects.filter(Q(sender=registration) | Q(recipient=registration))
        .select_related("sender__authority", "recipient__authority", "slot")
        .order_by("-created_at")
    )
