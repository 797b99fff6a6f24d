"""Turns an outbox row into the message that is sent: subject, plain text and HTML in the
recipient's language, and a calendar file or a certificate where the email needs one."""

from typing import TypeVar

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from conference.calendar import conference_ics, session_ics
from registrations.access.agenda import agenda_url
from registrations.access.links import management_link_issue
from registrations.documents.certificates import certificate_filename, certificate_pdf
from registrations.models import OutboundEmail
from registrations.network.tokens import meeting_answer_token
from registrations.outbox.placeholders import bulk_text_render
from registrations.outbox.recipients import Recipient
from registrations.privacy.schedule import retention_deadlines

T = TypeVar("T")

# Emails about a meeting request between two delegates: they name the other delegate (name and
# authority, never their address).
KINDS_ABOUT_A_MEETING = {
    OutboundEmail.Kind.MEETING_REQUESTED,
    OutboundEmail.Kind.MEETING_ACCEPTED,
    OutboundEmail.Kind.MEETING_DECLINED,
    OutboundEmail.Kind.MEETING_CANCELLED,
}

# Emails after which the delegate is expected to come: they carry the conference calendar.
KINDS_WITH_CALENDAR = {
    OutboundEmail.Kind.CONFIRMED,
    OutboundEmail.Kind.APPROVED,
    OutboundEmail.Kind.PROMOTED,
    OutboundEmail.Kind.ALREADY_REGISTERED,
}

# Emails about one session: they carry that session's calendar event.
KINDS_ABOUT_A_SESSION = {
    OutboundEmail.Kind.SESSION_PROMOTED,
    OutboundEmail.Kind.SESSION_MOVED,
}

# Emails that confirm a place or the sessions: they list the delegate's sessions and link
# their agenda feed.
KINDS_WITH_AGENDA = {
    OutboundEmail.Kind.CONFIRMED,
    OutboundEmail.Kind.APPROVED,
    OutboundEmail.Kind.PROMOTED,
    OutboundEmail.Kind.SESSIONS_CHANGED,
    OutboundEmail.Kind.REMINDER,
}


def _queued_with(email: OutboundEmail, value: T | None, what: str) -> T:
    """What an email of this kind is always queued with (its delegate's registration, its
    message); should it be missing, the email cannot be written and fails."""
    if value is None:
        raise ValueError(f"email {email.pk} ({email.kind}) has no {what}")
    return value


def outbound_email_compose(email: OutboundEmail) -> EmailMultiAlternatives:
    recipient = Recipient.of_email(email)
    registration, delegation = recipient.registration, recipient.delegation
    conference = recipient.conference
    session = email.session
    if email.kind in KINDS_ABOUT_A_SESSION and session is None:
        # The session was deleted after the email was queued; there is nothing left to say.
        raise ValueError(f"email {email.pk} is about a session that no longer exists")
    template = f"emails/registrations/{email.kind}"
    with translation.override(recipient.language):
        context = {
            "registration": registration,
            "delegation": delegation,
            "conference": conference,
            "session": session,
            # What a moved session was and became (SESSION_MOVED).
            "session_change": email.session_change,
            "visa_request": email.visa_request,
            "conference_url": settings.SITE_URL + conference.get_absolute_url(),
            "site_url": settings.SITE_URL,
        }
        # Every email to the delegate's own address carries a fresh personal link. A notice
        # sent to a previous address does not: that address no longer speaks for them.
        # To a delegation's coordinator, the link opens the delegation's page.
        context["to_previous_address"] = recipient.is_previous_address
        # Organisers (told of a webhook endpoint) get no personal link: they use the admin.
        context["webhook_endpoint"] = recipient.webhook_endpoint
        context["retention_schedule"] = recipient.retention_schedule
        context["meeting_report"] = recipient.meeting_report
        if recipient.retention_schedule is not None:
            # In the conference's time zone: the day its final purge runs.
            context["purge_day"] = retention_deadlines(conference).identifying.date()
            context["admin_url"] = settings.SITE_URL + reverse(
                "admin:registrations_retentionschedule_change",
                args=[recipient.retention_schedule.pk],
            )
        elif recipient.webhook_endpoint is not None:
            context["admin_url"] = settings.SITE_URL + reverse(
                "admin:registrations_webhookendpoint_change", args=[recipient.webhook_endpoint.pk]
            )
        elif recipient.meeting_report is not None:
            # Organisers told of a reported meeting request: the admin, no personal link.
            context["meeting"] = recipient.meeting_report
            context["admin_url"] = settings.SITE_URL + reverse(
                "admin:registrations_meetingrequest_change", args=[recipient.meeting_report.pk]
            )
        elif not recipient.is_previous_address:
            token = management_link_issue(registration=registration, delegation=delegation)
            context["manage_url"] = settings.SITE_URL + reverse(
                "registrations:manage_enter", kwargs={"token": token}
            )
        if delegation is not None:
            context["members"] = list(delegation.members.order_by("last_name", "first_name", "pk"))
        if email.kind in KINDS_WITH_AGENDA:
            delegate = _queued_with(email, registration, "registration")
            context["bookings"] = list(
                delegate.bookings.select_related("session__room").order_by(
                    "session__starts_at", "session__pk"
                )
            )
            context["agenda_url"] = agenda_url(delegate)
        if email.kind in KINDS_ABOUT_A_MEETING:
            meeting = _queued_with(email, email.meeting_request, "meeting request")
            delegate = _queued_with(email, registration, "registration")
            context["meeting"] = meeting
            context["other"] = (
                meeting.recipient if meeting.sender_id == delegate.pk else meeting.sender
            )
            if email.kind == OutboundEmail.Kind.MEETING_REQUESTED:
                answer_url = settings.SITE_URL + reverse(
                    "registrations:meeting_answer",
                    kwargs={"token": meeting_answer_token(meeting)},
                )
                context["accept_url"] = f"{answer_url}?answer=accept"
                context["decline_url"] = f"{answer_url}?answer=decline"
                context["report_url"] = f"{answer_url}?answer=report"
        if email.kind == OutboundEmail.Kind.BULK:
            # Read in the delegate's language (the override above), or in the other one where
            # the organisers left theirs empty.
            bulk_email = _queued_with(email, email.bulk_email, "message")
            delegate = _queued_with(email, registration, "registration")
            personal_link = context.get("manage_url", "")
            context["bulk_subject"] = bulk_text_render(
                bulk_email.subject, registration=delegate, personal_link=personal_link
            )
            context["bulk_body"] = bulk_text_render(
                bulk_email.body, registration=delegate, personal_link=personal_link
            )
        subject = " ".join(render_to_string(f"{template}.subject.txt", context).split())
        text = render_to_string(f"{template}.txt", context)
        html = render_to_string(f"{template}.html", context)
        # The session's event is built in the delegate's language too. (An email about a
        # session has one: checked above.)
        session_calendar = None
        if email.kind in KINDS_ABOUT_A_SESSION and session is not None:
            session_calendar = (f"{conference.slug}-session-{session.pk}.ics", session_ics(session))

    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        to=[recipient.address],
        reply_to=[conference.contact_email],
        headers={
            # Made when the email was first claimed for sending and kept for every attempt, so
            # that mail systems recognise a repeated delivery of the same message.
            "Message-ID": _queued_with(email, email.message_id or None, "Message-ID"),
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(html, "text/html")
    if email.kind in KINDS_WITH_CALENDAR:
        message.attach(f"{conference.slug}.ics", conference_ics(conference), "text/calendar")
    if session_calendar is not None:
        filename, content = session_calendar
        message.attach(filename, content, "text/calendar")
    if email.kind == OutboundEmail.Kind.CERTIFICATE:
        delegate = _queued_with(email, registration, "registration")
        message.attach(certificate_filename(delegate), certificate_pdf(delegate), "application/pdf")
    if email.kind == OutboundEmail.Kind.VISA_APPROVED:
        # The letter as it was issued, from storage; gone (the delegate erased their data) means
        # there is nothing to send.
        visa_request = _queued_with(email, email.visa_request, "visa letter request")
        letter = _queued_with(email, visa_request.letter or None, "letter")
        with letter.open("rb") as letter_file:
            message.attach(
                f"visa-letter-{visa_request.registration.reference}.pdf",
                letter_file.read(),
                "application/pdf",
            )
    return message
