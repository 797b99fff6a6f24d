"""The directory's part of a delegate's data export, erasure and retention purge."""

from django.db.models import Q

from registrations.models import DirectoryListing, MeetingRequest, OutboundEmail, Registration


def network_data_for_export(registration: Registration) -> dict:
    """The delegate's directory entry and the meeting requests they sent or received (the other
    delegate by name and authority, as the pages show them)."""
    listing = (
        DirectoryListing.objects.filter(registration=registration)
        .prefetch_related("themes")
        .first()
    )
    meetings = (
        MeetingRequest.objects.filter(Q(sender=registration) | Q(recipient=registration))
        .select_related("sender__authority", "recipient__authority", "slot")
        .order_by("created_at", "pk")
    )

    def other(meeting: MeetingRequest) -> dict:
        delegate = meeting.recipient if meeting.sender_id == registration.pk else meeting.sender
        return {"name": delegate.full_name, "city_or_region": delegate.authority.name}

    return {
        "directory_listing": listing
        and {
            "listed_since": listing.listed_at.isoformat(),
            "withdrawn_at": listing.withdrawn_at and listing.withdrawn_at.isoformat(),
            "languages": listing.languages,
            "themes": [theme.name for theme in listing.themes.all()],
        },
        "meeting_requests": [
            {
                "direction": "sent" if meeting.sender_id == registration.pk else "received",
                "with": other(meeting),
                "message": meeting.message,
                "preferred_slot": meeting.slot
                and {"title": meeting.slot.title, "starts_at": meeting.slot.starts_at.isoformat()},
                "status": meeting.status,
                "asked_at": meeting.created_at.isoformat(),
                "answered_at": meeting.answered_at and meeting.answered_at.isoformat(),
                "cancelled_at": meeting.cancelled_at and meeting.cancelled_at.isoformat(),
                **(
                    {
                        "reported_at": meeting.reported_at and meeting.reported_at.isoformat(),
                        "report_reason": meeting.report_reason,
                    }
                    if meeting.recipient_id == registration.pk
                    else {}
                ),
            }
            for meeting in meetings
        ],
    }


def network_data_erase(registration: Registration) -> None:
    """The delegate's entry and every meeting request they sent or received go: the messages
    are theirs and the other's, and the other cannot meet someone erased. The emails about
    them stay in the outbox (their rows, without the request), as every sent email does, and
    those not sent yet are withdrawn."""
    meetings = MeetingRequest.objects.filter(Q(sender=registration) | Q(recipient=registration))
    # The organisers' emails about a report are about the request alone: they go with it (their
    # row could not outlive its subject).
    OutboundEmail.objects.filter(meeting_request__in=meetings, registration=None).delete()
    OutboundEmail.objects.filter(
        meeting_request__in=meetings,
        status__in=[
            OutboundEmail.Status.SCHEDULED,
            OutboundEmail.Status.QUEUED,
            OutboundEmail.Status.SENDING,
        ],
    ).update(status=OutboundEmail.Status.WITHDRAWN, next_attempt_at=None)
    meetings.delete()
    DirectoryListing.objects.filter(registration=registration).delete()
