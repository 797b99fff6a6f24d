"""How long travel data is kept: the conference's retention schedule, and when each row is due."""

from datetime import datetime, timedelta
from functools import partial

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from conference.models import Conference
from registrations.models import OutboundEmail, SiteVisitIdentity, VisaLetterRequest
from registrations.privacy.schedule import retention_schedule_for


def visit_identities_due(*, conference: Conference, now: datetime) -> QuerySet[SiteVisitIdentity]:
    """Identity data of the conference's visits that ended the schedule's days ago or more."""
    days = retention_schedule_for(conference).identity_days_after_visit
    return SiteVisitIdentity.objects.filter(
        session__conference=conference, session__ends_at__lte=now - timedelta(days=days)
    )


# The emails that answer a request: its letter, or its refusal. A request has one answer.
VISA_ANSWER_KINDS = (OutboundEmail.Kind.VISA_APPROVED, OutboundEmail.Kind.VISA_REFUSED)


def visa_requests_due(*, conference: Conference, now: datetime) -> QuerySet[VisaLetterRequest]:
    """Requests whose passport data are due to go: the email answering them (the letter, or
    the refusal) left the outbox the schedule's days ago or more. Approved or refused while
    the mail server is down, a request keeps its data until the answer is sent, and the days
    count from then. A request nobody reviewed, or whose answer could never be delivered
    (failed for good, or withdrawn), goes as long after the conference's end, since a letter
    for a past stay serves no one."""
    days = retention_schedule_for(conference).visa_days_after_letter
    cutoff = now - timedelta(days=days)
    answers = OutboundEmail.objects.filter(visa_request=OuterRef("pk"), kind__in=VISA_ANSWER_KINDS)
    undeliverable = (OutboundEmail.Status.FAILED, OutboundEmail.Status.WITHDRAWN)
    answer_sent_at = Subquery(
        answers.filter(status=OutboundEmail.Status.SENT).order_by("sent_at").values("sent_at")[:1]
    )
    never_answered = Q(status=VisaLetterRequest.Status.REQUESTED) | (
        Exists(answers) & ~Exists(answers.exclude(status__in=undeliverable))
    )
    due = Q(answer_sent_at__lte=cutoff) | (
        never_answered if conference.ends_at <= cutoff else Q(pk__in=[])
    )
    return (
        VisaLetterRequest.objects.filter(
            registration__conference=conference, passport_data_purged_at=None
        )
        .alias(answer_sent_at=answer_sent_at)
        .filter(due)
    )


PASSPORT_FIELDS_EMPTY = {
    "passport_name": "",
    "nationality": "",
    "passport_number": "",
    "date_of_birth": None,
    "consulate_city": "",
    "letter": "",
}


def visa_passport_data_remove(requests: QuerySet[VisaLetterRequest], *, now: datetime) -> int:
    """Empty the passport data of these requests and delete their letters (which print them),
    once the transaction commits. The reference, the stay dates and the status stay, for the
    verification page. Locks the rows first, so that two purges at once empty each once."""
    with transaction.atomic():
        locked = list(requests.select_for_update(of=("self",)).filter(passport_data_purged_at=None))
        for request in locked:
            if request.letter:
                transaction.on_commit(partial(request.letter.storage.delete, request.letter.name))
        return VisaLetterRequest.objects.filter(pk__in=[r.pk for r in locked]).update(
            **PASSPORT_FIELDS_EMPTY, passport_data_purged_at=now
        )
