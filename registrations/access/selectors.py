"""Reads for the delegate's own pages."""

from registrations.models import Answer, Registration
from registrations.network.data import network_data_for_export
from registrations.privacy.travel_purge import travel_data_for_export
from registrations.questions.selectors import answers_for


def registration_personal_data(registration: Registration) -> dict:
    """Everything held about a delegate, for them to download."""
    conference = registration.conference
    return {
        "reference": registration.reference,
        "conference": {"name": conference.name, "slug": conference.slug},
        "status": registration.status,
        "first_name": registration.first_name,
        "last_name": registration.last_name,
        "badge_name": registration.badge_name,
        "email": registration.email,
        "job_title": registration.job_title,
        "organisation": registration.organisation,
        "phone": str(registration.phone or ""),
        "category": registration.category,
        "city_or_region": {
            "name": registration.authority.name,
            "country": registration.authority.country.code,
            "kind": registration.authority.kind,
        },
        "preferred_language": registration.preferred_language,
        "interpretation_language": registration.interpretation_language,
        "dietary_needs": registration.dietary_needs,
        "accessibility_needs": registration.accessibility_needs,
        "registered_at": registration.created_at.isoformat(),
        "confirmed_at": registration.confirmed_at and registration.confirmed_at.isoformat(),
        "cancelled_at": registration.cancelled_at and registration.cancelled_at.isoformat(),
        "consents": [
            {
                "kind": consent.kind,
                "notice_version": consent.notice_version,
                "given_at": consent.given_at.isoformat(),
            }
            for consent in registration.consents.all()
        ],
        "sessions": [
            {
                "title": booking.session.title,
                "starts_at": booking.session.starts_at.isoformat(),
                "status": booking.status,
                "chosen_at": booking.created_at.isoformat(),
            }
            for booking in registration.bookings.select_related("session")
        ],
        "emails": [
            {
                "kind": email.kind,
                "recipient": email.recipient,
                "status": email.status,
                "created_at": email.created_at.isoformat(),
                "sent_at": email.sent_at and email.sent_at.isoformat(),
            }
            for email in registration.emails.order_by("created_at")
        ],
        # Their answers to the conference's questions, as asked and answered (a file by its
        # name: the delegate sent it, and downloads it from their page).
        "answers": [_answer_for_export(answer) for answer in answers_for(registration)],
        # Site-visit identity data and visa letter requests, while they are held.
        **travel_data_for_export(registration),
        # The delegate directory: their entry, and the meeting requests sent and received.
        **network_data_for_export(registration),
    }


def _answer_for_export(answer: Answer) -> dict:
    value: object = answer.display_value
    if answer.choice_labels:
        value = list(answer.choice_labels)
    elif answer.value_bool is not None:
        value = answer.value_bool
    elif answer.value_number is not None:
        value = f"{answer.value_number.normalize():f}"
    elif answer.value_datetime is not None:
        value = answer.value_datetime.isoformat()
    elif answer.value_date is not None:
        value = answer.value_date.isoformat()
    elif answer.value_country:
        value = answer.value_country.code
    return {
        "question": answer.question_label,
        "answer": value,
        **({"file_name": answer.file_name} if answer.file else {}),
        "answered_at": answer.updated_at.isoformat(),
    }
