"""Webhooks: addresses organisers register to be told of registrations and check-ins, and the
outbox of their deliveries, with a record of every attempt."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from conference.models import Conference
from registrations.models.registrations import Registration


class WebhookEvent(models.TextChoices):
    REGISTRATION_CREATED = "registration.created", _("Registration created")
    REGISTRATION_CONFIRMED = "registration.confirmed", _("Registration confirmed")
    REGISTRATION_WAITLISTED = "registration.waitlisted", _("Registration on the waiting list")
    REGISTRATION_CANCELLED = "registration.cancelled", _("Registration cancelled")
    REGISTRATION_UPDATED = "registration.updated", _("Registration updated")
    CHECKIN_CREATED = "checkin.created", _("Delegate checked in")
    # Sent only when an organiser asks for it in the admin, to check an endpoint works.
    TEST = "webhook.test", _("Test event")


# What an endpoint may subscribe to: every event but the test, which is sent on demand.
WEBHOOK_SUBSCRIBABLE_EVENTS = [event for event in WebhookEvent if event != WebhookEvent.TEST]


class WebhookEndpoint(models.Model):
    """An address of the organisers' own systems (their CRM, a badge printer) that is sent the
    events it subscribed to, signed with its secret."""

    conference = models.ForeignKey(
        Conference,
        on_delete=models.CASCADE,
        related_name="webhook_endpoints",
        verbose_name=_("conference"),
    )
    url = models.URLField(_("URL"), max_length=500)
    description = models.CharField(_("description"), max_length=200, blank=True)
    # Kept as written: the signature needs the secret itself, so it cannot be hashed. The admin
    # shows it once, when it is made.
    secret = models.CharField(_("secret"), max_length=128, editable=False)
    events = models.JSONField(_("events"), default=list)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    consecutive_failures = models.PositiveIntegerField(
        _("consecutive failed deliveries"), default=0
    )
    disabled_at = models.DateTimeField(_("disabled at"), null=True, blank=True)
    disabled_reason = models.CharField(_("why disabled"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["conference", "url", "pk"]

    def __str__(self) -> str:
        return self.description or self.url


class WebhookDelivery(models.Model):
    """One event for one endpoint: written in the transaction of the change it tells of, then
    sent by a Celery task, as the email outbox does. Its `delivery_id` goes in every attempt's
    headers, so that a receiver can drop a repeated delivery."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        # Sent, no result recorded yet: the worker may have died after the receiver answered.
        SENDING = "sending", _("Sending (unconfirmed)")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")
        # The endpoint was disabled or deleted before this could go.
        WITHDRAWN = "withdrawn", _("Withdrawn")

    delivery_id = models.UUIDField(
        _("delivery id"), default=uuid.uuid4, unique=True, editable=False
    )
    endpoint = models.ForeignKey(
        WebhookEndpoint,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("endpoint"),
    )
    event = models.CharField(_("event"), max_length=40, choices=WebhookEvent.choices)
    # What the receiver is sent: ids, the event and what changed (see webhooks/events.py).
    payload = models.JSONField(_("payload"))
    registration = models.ForeignKey(
        Registration,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="webhook_deliveries",
        verbose_name=_("registration"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    sending_started_at = models.DateTimeField(_("sending started at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint}"


class WebhookDeliveryAttempt(models.Model):
    """What happened at one attempt: the receiver's answer, or the error that stopped it."""

    delivery = models.ForeignKey(
        WebhookDelivery,
        on_delete=models.CASCADE,
        related_name="attempt_log",
        verbose_name=_("delivery"),
    )
    number = models.PositiveSmallIntegerField(_("attempt"))
    started_at = models.DateTimeField(_("started at"))
    duration_ms = models.PositiveIntegerField(_("duration (ms)"))
    status_code = models.PositiveSmallIntegerField(_("status code"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    # The start of the receiver's answer, enough to tell why it refused.
    response_body = models.TextField(_("response (start)"), blank=True)

    class Meta:
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
        ordering = ["delivery", "number"]

    def __str__(self) -> str:
        return f"{self.delivery} #{self.number}"
