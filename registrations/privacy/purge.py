"""The retention purge: applies each conference's schedule wherever personal data live, and
records what it removed (kinds and counts, nobody's data).

Rows that figures depend on (a registration counted in the dashboard, its bookings and
check-ins, its consents) are anonymised, not deleted. Nothing still due is touched: every step
selects by its own deadline. Each conference is purged in one transaction under an advisory
lock (PostgreSQL; SQLite's IMMEDIATE transactions already run one at a time), so two runs at
once purge it one after the other, the second finding nothing left: the same result."""

import datetime
import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session as BrowserSession
from django.db import connection, transaction
from django.db.models import CharField, Exists, OuterRef, Q, Value
from django.db.models.functions import Cast, Coalesce, Concat
from django.utils import timezone

from conference.models import Conference
from registrations.collation import name_sort_key
from registrations.models import (
    Answer,
    CheckIn,
    Delegation,
    ExportJob,
    ManagementLink,
    OutboundEmail,
    PurgeRecord,
    Registration,
    RetiredAgendaFeed,
    WebhookDelivery,
)
from registrations.network.data import network_data_erase
from registrations.organiser.exports.build import EXPORT_FILE_RETENTION, export_jobs_purge
from registrations.privacy.export_jobs import export_jobs_delete, export_jobs_holding
from registrations.privacy.figures import conference_figures_keep
from registrations.privacy.schedule import retention_deadlines, retention_schedule_for
from registrations.privacy.travel_purge import (
    travel_data_erase,
    visa_passport_data_purge,
    visit_identity_purge,
)
from registrations.questions.answers import answers_delete
from registrations.webhooks.erasure import webhook_deliveries_scrub

logger = logging.getLogger(__name__)

Kind = PurgeRecord.Kind

# The keys under which a browser session ties itself to a delegate (their personal link) or a
# coordinator (the delegation just registered): registrations.views.self_service and
# .delegations, which this layer cannot import (a test checks they agree).
DELEGATE_SESSION_KEYS = ("manage_link",)
COORDINATOR_SESSION_KEYS = ("delegation_done",)

# The first argument of PostgreSQL's two-key advisory lock: this purge's own namespace, so that
# its lock on conference N is no one else's.
PURGE_LOCK_NAMESPACE = 13_01

# Emails whose recipient ends so were already emptied (erasure or purge).
ERASED_ADDRESS_DOMAIN = "@invalid"


@dataclass
class PurgeOutcome:
    """What one run removed, or would remove (dry run), per conference and kind."""

    dry_run: bool
    counts: dict[int | None, Counter[str]] = field(default_factory=dict)
    # Emails an earlier step of this run empties (or, dry, would): later steps skip them, so
    # that a dry run counts each once, as the real run does.
    claimed_emails: set[int] = field(default_factory=set)
    # Likewise the answers the needs' step deletes (special-category ones).
    claimed_answers: set[int] = field(default_factory=set)

    def add(self, conference: Conference | None, kind: str, count: int) -> None:
        if count:
            self.counts.setdefault(conference.pk if conference else None, Counter())[kind] += count

    def total(self) -> int:
        return sum(sum(kinds.values()) for kinds in self.counts.values())


def _purge_lock(conference: Conference) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, %s)", [PURGE_LOCK_NAMESPACE, conference.pk]
            )


def _erased_address(prefix: str, pk_field: str = "pk"):
    return Concat(
        Value(f"erased-{prefix}"), Cast(pk_field, CharField()), Value(ERASED_ADDRESS_DOMAIN)
    )


@dataclass
class BrowserSessionIndex:
    """The Django sessions (expired ones too, until clearsessions) that tie a browser to a
    personal link or a delegation. Their data are signed and encoded: each is decoded, which
    takes a while with many, so they are read once, before the purge locks the conference (a
    session made meanwhile names a link the purge deletes: it leads nowhere)."""

    by_link: dict[int, list[str]] = field(default_factory=dict)
    by_delegation: dict[int, list[str]] = field(default_factory=dict)

    @classmethod
    def read(cls) -> "BrowserSessionIndex":
        index = cls()
        for session in BrowserSession.objects.iterator():
            data = session.get_decoded()
            for keys, by_id in (
                (DELEGATE_SESSION_KEYS, index.by_link),
                (COORDINATOR_SESSION_KEYS, index.by_delegation),
            ):
                for key in keys:
                    if isinstance(data.get(key), int):
                        by_id.setdefault(data[key], []).append(session.session_key)
        return index

    def keys_of(self, *, link_ids: Iterable[int], delegation_ids: Iterable[int]) -> list[str]:
        return [key for pk in link_ids for key in self.by_link.get(pk, ())] + [
            key for pk in delegation_ids for key in self.by_delegation.get(pk, ())
        ]


def _admin_log_entries_naming(registration: Registration):
    """The admin's history entries about the registration and its emails, or that quote its
    address or name."""
    about = Q(
        content_type=ContentType.objects.get_for_model(Registration),
        object_id=str(registration.pk),
    ) | Q(
        content_type=ContentType.objects.get_for_model(OutboundEmail),
        object_id__in=[str(pk) for pk in registration.emails.values_list("pk", flat=True)],
    )
    for text in (registration.email, registration.full_name.strip()):
        if text and not text.endswith(ERASED_ADDRESS_DOMAIN):
            about |= Q(object_repr__icontains=text) | Q(change_message__icontains=text)
    # Already scrubbed entries say the reference and nothing else.
    return LogEntry.objects.filter(about).exclude(
        object_repr=registration.reference, change_message=""
    )


def registrations_anonymise(
    registrations: Iterable[Registration],
    *,
    now: datetime.datetime,
    outcome: PurgeOutcome,
    kind: str,
    sessions: BrowserSessionIndex,
    keep_names_of: frozenset[int] = frozenset(),
) -> None:
    """Remove the personal data of these registrations wherever they are, keeping the rows the
    figures count (status, category, authority, dates, bookings, check-ins, consents). The
    names of `keep_names_of` stay (certificates of attendance the organiser must prove).
    `sessions`: the browser sessions, read before the locks."""
    registrations = list(registrations)
    conference = registrations[0].conference if registrations else None
    if not registrations:
        return
    ids = [r.pk for r in registrations]
    links = ManagementLink.objects.filter(registration__in=ids)
    history = Registration.history.model.objects.filter(id__in=ids)
    emails = OutboundEmail.objects.filter(registration__in=ids).exclude(
        recipient__endswith=ERASED_ADDRESS_DOMAIN, last_error=""
    )
    # The export jobs that list them go with their files (other conferences' stay). Older
    # ones are the daily export purge's (personal_data_purge), counted there.
    jobs = export_jobs_holding(
        ids,
        since=max(min(r.created_at for r in registrations), now - EXPORT_FILE_RETENTION),
    )
    log_entries = {r.pk: _admin_log_entries_naming(r) for r in registrations}
    # Webhook payloads name the delegate; the receivers' answers may quote them.
    deliveries = WebhookDelivery.objects.filter(registration__in=ids).exclude(payload={})
    delivery_ids = list(deliveries.values_list("pk", flat=True))
    session_keys = sessions.keys_of(
        link_ids=set(links.values_list("pk", flat=True)), delegation_ids=()
    )
    outcome.add(conference, kind, len(ids))
    outcome.add(conference, Kind.LINKS, links.count())
    outcome.add(conference, Kind.HISTORY, history.count())
    email_ids = set(emails.values_list("pk", flat=True))
    outcome.claimed_emails |= email_ids
    outcome.add(conference, Kind.EMAILS, len(email_ids))
    outcome.add(conference, Kind.EXPORTS, len(jobs))
    outcome.add(conference, Kind.ADMIN_LOG, sum(e.count() for e in log_entries.values()))
    outcome.add(conference, Kind.SESSIONS, len(session_keys))
    outcome.add(conference, Kind.WEBHOOKS, len(delivery_ids))
    # The answers to the conference's questions, their files too.
    answers = Answer.objects.filter(registration__in=ids).exclude(pk__in=outcome.claimed_answers)
    outcome.add(conference, Kind.ANSWERS, answers.count())
    if outcome.dry_run:
        return
    answers_delete(answers)
    webhook_deliveries_scrub(WebhookDelivery.objects.filter(pk__in=delivery_ids))
    for registration in registrations:
        log_entries[registration.pk].update(object_repr=registration.reference, change_message="")
    export_jobs_delete(jobs)
    BrowserSession.objects.filter(session_key__in=session_keys).delete()
    links.delete()
    blank = {
        "email": _erased_address(""),
        "job_title": "",
        "organisation": "",
        "badge_name": "",
        "phone": "",
        "dietary_needs": "",
        "accessibility_needs": "",
        "erased_at": now,
        # An incremental sync (the API's updated_since) learns of the erasure.
        "updated_at": now,
    }
    # update(), not save(): a save would write one more history row, with the data.
    Registration.objects.filter(pk__in=ids).exclude(pk__in=keep_names_of).update(
        # The names' keys too: the search text spells the names out.
        first_name="",
        last_name="",
        sort_name=name_sort_key("", ""),
        search_name="",
        **blank,
    )
    Registration.objects.filter(pk__in=ids).filter(pk__in=keep_names_of).update(**blank)
    history.delete()
    OutboundEmail.objects.filter(
        registration__in=ids,
        status__in=[
            OutboundEmail.Status.SCHEDULED,
            OutboundEmail.Status.QUEUED,
            OutboundEmail.Status.SENDING,
        ],
    ).update(status=OutboundEmail.Status.WITHDRAWN, next_attempt_at=None)
    OutboundEmail.objects.filter(registration__in=ids).update(
        recipient=_erased_address("", "registration_id"), last_error=""
    )
    for registration in registrations:
        travel_data_erase(registration)
        # The directory entry and the meeting requests go with the personal data.
        network_data_erase(registration)


def _needs_purge(conference, registrations, *, now, outcome) -> None:
    """Dietary and accessibility needs, once the days after the conference have passed: the
    fields, and the answers to the special-category questions (diet, health, access)."""
    with_needs = registrations.filter(~Q(dietary_needs="") | ~Q(accessibility_needs=""))
    outcome.add(conference, Kind.NEEDS, with_needs.count())
    special_answers = Answer.objects.filter(
        registration__in=registrations, question__special_category=True
    )
    if outcome.dry_run:
        outcome.claimed_answers |= set(special_answers.values_list("pk", flat=True))
    outcome.add(conference, Kind.ANSWERS, special_answers.count())
    if not outcome.dry_run:
        # The history leaves the needs out (Registration.history): no copy there.
        with_needs.update(dietary_needs="", accessibility_needs="", updated_at=now)
        answers_delete(special_answers)


def _emails_purge(conference, *, cutoff, outcome) -> None:
    """Emails sent (or given up) before the cutoff keep their row, without recipient or error.
    The body is never stored: it is composed when sending."""
    done = [
        OutboundEmail.Status.SENT,
        OutboundEmail.Status.FAILED,
        OutboundEmail.Status.WITHDRAWN,
    ]
    emails = (
        OutboundEmail.objects.filter(
            Q(registration__conference=conference) | Q(delegation__conference=conference),
            status__in=done,
        )
        .alias(finished_at=Coalesce("sent_at", "created_at"))
        .filter(finished_at__lte=cutoff)
        .exclude(recipient__endswith=ERASED_ADDRESS_DOMAIN, last_error="")
        .exclude(pk__in=outcome.claimed_emails)
    )
    outcome.add(conference, Kind.EMAILS, emails.count())
    if not outcome.dry_run:
        emails.update(recipient=_erased_address("email-"), last_error="")


def _coordinators_purge(conference, *, outcome, sessions: BrowserSessionIndex) -> None:
    delegations = Delegation.objects.filter(conference=conference).exclude(
        coordinator_email__endswith=ERASED_ADDRESS_DOMAIN
    )
    ids = set(delegations.values_list("pk", flat=True))
    session_keys = sessions.keys_of(link_ids=(), delegation_ids=ids)
    links = ManagementLink.objects.filter(delegation__in=ids)
    emails = OutboundEmail.objects.filter(delegation__in=ids, registration=None).exclude(
        recipient__endswith=ERASED_ADDRESS_DOMAIN, last_error=""
    )
    email_ids = set(emails.values_list("pk", flat=True))
    outcome.claimed_emails |= email_ids
    outcome.add(conference, Kind.EMAILS, len(email_ids))
    outcome.add(conference, Kind.COORDINATORS, len(ids))
    outcome.add(conference, Kind.SESSIONS, len(session_keys))
    outcome.add(conference, Kind.LINKS, links.count())
    if outcome.dry_run:
        return
    BrowserSession.objects.filter(session_key__in=session_keys).delete()
    links.delete()
    Delegation.objects.filter(pk__in=ids).update(
        coordinator_first_name="",
        coordinator_last_name="",
        coordinator_email=_erased_address("delegation-"),
    )
    OutboundEmail.objects.filter(pk__in=email_ids).update(
        recipient=_erased_address("delegation-", "delegation_id"), last_error=""
    )


def conference_purge(
    *, conference: Conference, now: datetime.datetime, outcome: PurgeOutcome
) -> None:
    """Apply the conference's schedule as of `now`, in one transaction."""
    with transaction.atomic():
        _purge_lock(conference)
        schedule = retention_schedule_for(conference)
        deadlines = retention_deadlines(conference)
        registrations = conference.registrations.filter(erased_at=None)
        cancelled_cutoff = now - datetime.timedelta(days=schedule.cancelled_days)
        inactive = (
            registrations.filter(status__in=Registration.INACTIVE_STATUSES)
            .alias(ended_at=Coalesce("cancelled_at", "decided_at", "updated_at"))
            .filter(ended_at__lte=cancelled_cutoff)
            .order_by("pk")
        )
        needs_due = now >= deadlines.needs
        final_due = now >= deadlines.identifying
        anonymising = final_due or inactive.exists()
        sessions = BrowserSessionIndex.read() if anonymising else BrowserSessionIndex()
        if needs_due or anonymising:
            # Registrations are locked (the needs' update, the anonymisation): the conference
            # row first (places.locking's order), or a sign-up or change waiting for it while
            # holding a registration would deadlock with this. Only then: it holds sign-ups
            # back while it is held.
            Conference.objects.select_for_update(no_key=True).filter(pk=conference.pk).first()
        if needs_due:
            # Before anything they are counted from goes.
            conference_figures_keep(conference=conference, now=now, dry_run=outcome.dry_run)
            _needs_purge(conference, registrations, now=now, outcome=outcome)
        outcome.add(
            conference,
            Kind.VISIT_IDENTITY,
            visit_identity_purge(conference=conference, now=now, dry_run=outcome.dry_run),
        )
        outcome.add(
            conference,
            Kind.VISA_PASSPORT,
            visa_passport_data_purge(conference=conference, now=now, dry_run=outcome.dry_run),
        )
        inactive = inactive.select_for_update(of=("self",))
        registrations_anonymise(
            inactive, now=now, outcome=outcome, kind=Kind.CANCELLED, sessions=sessions
        )
        if final_due:
            conference_figures_keep(conference=conference, now=now, dry_run=outcome.dry_run)
            remaining = registrations.select_for_update(of=("self",)).order_by("pk")
            keep_names_of: frozenset[int] = frozenset()
            if schedule.keep_certificate_names:
                attended = CheckIn.objects.filter(
                    registration=OuterRef("pk"), session=None, undone_at=None
                )
                keep_names_of = frozenset(
                    remaining.filter(Exists(attended)).values_list("pk", flat=True)
                )
            if outcome.dry_run:
                # The cancelled ones above are counted there already.
                remaining = remaining.exclude(pk__in=[r.pk for r in inactive])
            registrations_anonymise(
                remaining,
                now=now,
                outcome=outcome,
                kind=Kind.IDENTIFYING,
                sessions=sessions,
                keep_names_of=keep_names_of,
            )
            _coordinators_purge(conference, outcome=outcome, sessions=sessions)
            feeds = RetiredAgendaFeed.objects.filter(registration__conference=conference)
            outcome.add(conference, Kind.LINKS, feeds.count())
            if not outcome.dry_run:
                feeds.delete()
        _emails_purge(
            conference,
            cutoff=now - datetime.timedelta(days=schedule.outbox_body_days_after_sent),
            outcome=outcome,
        )
        if not outcome.dry_run:
            PurgeRecord.objects.bulk_create(
                PurgeRecord(
                    conference=conference,
                    kind=kind,
                    count=count,
                    schedule_version=schedule.version,
                    purged_at=now,
                )
                for kind, count in sorted(outcome.counts.get(conference.pk, Counter()).items())
            )


def personal_data_purge(
    *,
    conferences: Iterable[Conference] | None = None,
    now: datetime.datetime | None = None,
    dry_run: bool = False,
) -> PurgeOutcome:
    """Apply every conference's schedule (or these conferences'), as of `now`."""
    now = now or timezone.now()
    outcome = PurgeOutcome(dry_run=dry_run)
    for conference in conferences if conferences is not None else Conference.objects.all():
        conference_purge(conference=conference, now=now, outcome=outcome)
    # Export files belong to no conference; they hold delegates, needs too, and go a couple of
    # days after they were made (the hourly task does the same; this keeps the promise when
    # the purge runs with a later clock, or alone).
    if dry_run:
        expired = ExportJob.objects.filter(created_at__lt=now - EXPORT_FILE_RETENTION).count()
    else:
        expired = export_jobs_purge(now=now)
    outcome.add(None, Kind.EXPORTS, expired)
    if expired and not dry_run:
        PurgeRecord.objects.create(kind=Kind.EXPORTS, count=expired, purged_at=now)
    if not dry_run and outcome.total():
        logger.info("personal data purge: %s rows", outcome.total())
    return outcome
