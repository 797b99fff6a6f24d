"""Turns an outbox row into the message that is sent: subject, plain text and HTML in the
delegate's language, and a calendar file for the conference."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from conference.calendar import conference_ics, site_domain
from registrations.models import OutboundEmail

# Emails after which the delegate is expected to come: they carry the conference calendar.
KINDS_WITH_CALENDAR = {
    OutboundEmail.Kind.CONFIRMED,
    OutboundEmail.Kind.PROMOTED,
    OutboundEmail.Kind.ALREADY_REGISTERED,
}


def build_message(email: OutboundEmail) -> EmailMultiAlternatives:
    registration = email.registration
    conference = registration.conference
    template = f"emails/registrations/{email.kind}"
    with translation.override(email.language):
        context = {
            "registration": registration,
            "conference": conference,
            "conference_url": settings.SITE_URL + conference.get_absolute_url(),
            "site_url": settings.SITE_URL,
        }
        subject = " ".join(render_to_string(f"{template}.subject.txt", context).split())
        text = render_to_string(f"{template}.txt", context)
        html = render_to_string(f"{template}.html", context)

    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        to=[email.recipient],
        reply_to=[conference.contact_email],
        headers={
            # A stable id lets mail systems recognise a repeated delivery of the same message.
            "Message-ID": f"<outbox-{email.pk}@{site_domain()}>",
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(html, "text/html")
    if email.kind in KINDS_WITH_CALENDAR:
        message.attach(f"{conference.slug}.ics", conference_ics(conference), "text/calendar")
    return message
