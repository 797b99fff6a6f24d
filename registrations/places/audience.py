"""Who a session concerns: the delegates told when it changes."""

from django.db.models import Q, QuerySet
from django.utils import timezone

from conference.models import Session
from registrations.models import Answer, Question, Registration
from registrations.questions.builtin import BUILTIN_DAYS_ATTENDED, day_key


def session_audience(session: Session) -> QuerySet[Registration]:
    """The delegates a change of the session concerns, in a stable order. For a session that
    needs sign-up: those holding a place in it or waiting for one (active registrations). For
    the others (a plenary, a social event), open to all: the confirmed delegates attending the
    session's day, as they said in the built-in "days attended" question; those who did not
    answer it (or when the conference does not ask it) may come any day, so they are told too."""
    if session.requires_sign_up:
        return (
            Registration.objects.active()
            .filter(bookings__session=session)
            .distinct()
            .order_by("pk")
        )
    confirmed = Registration.objects.filter(
        conference_id=session.conference_id, status=Registration.Status.CONFIRMED
    ).order_by("pk")
    days_question = Question.objects.filter(
        conference_id=session.conference_id, builtin=BUILTIN_DAYS_ATTENDED, active=True
    ).first()
    if days_question is None:
        return confirmed
    day = timezone.localdate(session.starts_at, timezone=session.conference.tzinfo)
    answers = Answer.objects.filter(question=days_question)
    return confirmed.filter(
        ~Q(pk__in=answers.values("registration_id"))
        | Q(pk__in=answers.filter(choices__builtin=day_key(day)).values("registration_id"))
    )
