"""The email outbox and organisers' messages to many delegates."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from conference.models import Conference, Session, SessionChange
from registrations.models.authorities import Delegation
from registrations.models.registrations import Registration


class BulkEmail(models.Model):
    """A message organisers wrote for many delegates at once; each copy is an outbox row."""

    conference = models.ForeignKey(
        Conference,
        on_delete=models.CASCADE,
        related_name="bulk_emails",
        verbose_name=_("conference"),
    )
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sent by"),
    )
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    recipient_count = models.PositiveIntegerField(_("recipients"), default=0)

    class Meta:
        verbose_name = _("message to delegates")
        verbose_name_plural = _("messages to delegates")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.subject


class OutboundEmail(models.Model):
    """The outbox: every email is a row written in the transaction that causes it, then sent by a
    Celery task. The row is the source of truth, so a broker or mail server outage delays an
    email but never loses it."""

    class Kind(models.TextChoices):
        CONFIRMED = "confirmed", _("Registration confirmed")
        WAITLISTED = "waitlisted", _("Placed on the waiting list")
        PROMOTED = "promoted", _("Promoted from the waiting list")
        CANCELLED = "cancelled", _("Registration cancelled")
        ALREADY_REGISTERED = "already_registered", _("Already registered")
        SESSION_PROMOTED = "session_promoted", _("Place in a session freed up")
        SESSION_MOVED = "session_moved", _("Session moved")
        DETAILS_CHANGED = "details_changed", _("Details changed")
        SESSIONS_CHANGED = "sessions_changed", _("Sessions changed")
        MANAGEMENT_LINK = "management_link", _("Personal link")
        REMINDER = "reminder", _("Reminder before the conference")
        BULK = "bulk", _("Message from the organisers")
        PENDING = "pending", _("Received, pending approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Not accepted")
        SUBSTITUTED = "substituted", _("Replaced by a colleague")
        DELEGATION = "delegation", _("Delegation registered")
        CERTIFICATE = "certificate", _("Certificate of attendance")
        VISA_RECEIVED = "visa_received", _("Visa letter request received")
        VISA_APPROVED = "visa_approved", _("Visa letter sent")
        VISA_REFUSED = "visa_refused", _("Visa letter refused")
        WEBHOOK_DISABLED = "webhook_disabled", _("Webhook endpoint disabled")
        FINAL_PURGE_REMINDER = "final_purge_reminder", _("Final purge of personal data ahead")
        MEETING_REQUESTED = "meeting_requested", _("Meeting request received")
        MEETING_ACCEPTED = "meeting_accepted", _("Meeting request accepted")
        MEETING_DECLINED = "meeting_declined", _("Meeting request declined")
        MEETING_CANCELLED = "meeting_cancelled", _("Meeting cancelled")
        MEETING_REPORTED = "meeting_reported", _("Meeting request reported")

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        QUEUED = "queued", _("Queued")
        # Handed to the mail server, no result recorded yet: the worker may have died after the
        # server accepted it. The beat task hands it over again after EMAIL_SENDING_LEASE_SECONDS.
        SENDING = "sending", _("Sending (unconfirmed)")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    # An email is about a delegate's registration, or (to its coordinator) a delegation, or (to
    # an organiser) a webhook endpoint.
    registration = models.ForeignKey(
        Registration,
        on_delete=models.CASCADE,
        related_name="emails",
        verbose_name=_("registration"),
        null=True,
        blank=True,
    )
    delegation = models.ForeignKey(
        Delegation,
        on_delete=models.CASCADE,
        related_name="emails",
        verbose_name=_("delegation"),
        null=True,
        blank=True,
    )
    webhook_endpoint = models.ForeignKey(
        "registrations.WebhookEndpoint",
        on_delete=models.CASCADE,
        related_name="emails",
        verbose_name=_("webhook endpoint"),
        null=True,
        blank=True,
    )
    # To the organisers: a conference's final purge is near (registrations.privacy.reminder).
    retention_schedule = models.ForeignKey(
        "registrations.RetentionSchedule",
        on_delete=models.CASCADE,
        related_name="emails",
        verbose_name=_("retention schedule"),
        null=True,
        blank=True,
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    session = models.ForeignKey(
        Session,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("session"),
        help_text=_("The session the email is about, if any."),
    )
    # A session's move, told to each delegate concerned once (the constraint below).
    session_change = models.ForeignKey(
        SessionChange,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="emails",
        verbose_name=_("session change"),
    )
    bulk_email = models.ForeignKey(
        BulkEmail,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="emails",
        verbose_name=_("message to delegates"),
    )
    visa_request = models.ForeignKey(
        "registrations.VisaLetterRequest",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="emails",
        verbose_name=_("visa letter request"),
        help_text=_("The visa letter request the email is about, if any."),
    )
    meeting_request = models.ForeignKey(
        "registrations.MeetingRequest",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="emails",
        verbose_name=_("meeting request"),
        help_text=_("The meeting request the email is about, if any."),
    )
    recipient = models.EmailField(_("recipient"))
    language = models.CharField(_("language"), max_length=2, choices=Registration.Language.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    next_attempt_at = models.DateTimeField(
        _("next attempt at"),
        null=True,
        blank=True,
        help_text=_("When the worker should send it; the beat task hands it over again if not."),
    )
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    sending_started_at = models.DateTimeField(
        _("sending started at"),
        null=True,
        blank=True,
        help_text=_("When the last attempt was handed to the mail server."),
    )
    # Made at the first attempt and kept for every later one, so that a repeated delivery can be
    # recognised as the same message.
    message_id = models.CharField(_("Message-ID"), max_length=320, blank=True, editable=False)

    class Meta:
        verbose_name = _("email")
        verbose_name_plural = _("email outbox")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(registration__isnull=False)
                | Q(delegation__isnull=False)
                | Q(webhook_endpoint__isnull=False)
                | Q(retention_schedule__isnull=False)
                # To the organisers: a delegate reported a meeting request.
                | Q(meeting_request__isnull=False),
                name="outbound_email_has_a_subject",
            ),
            models.UniqueConstraint(
                fields=["session_change", "registration"],
                condition=Q(session_change__isnull=False),
                name="outbound_email_one_per_session_change",
            ),
            models.UniqueConstraint(
                fields=["message_id"],
                condition=~Q(message_id=""),
                name="outbound_email_message_id_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.recipient}"
