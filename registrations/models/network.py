"""The delegate directory, to which confirmed delegates opt in, and the meetings they ask each
other for."""

import secrets

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from conference.models import SESSION_LANGUAGES, Conference, Session, Theme
from registrations.models.registrations import Registration

# A directory entry names at most this many themes of interest.
DIRECTORY_THEMES_MAX = 3

# The languages a delegate may say they speak: those sessions are held or interpreted in.
DIRECTORY_LANGUAGES = SESSION_LANGUAGES

MEETING_MESSAGE_MAX_LENGTH = 500


def new_meeting_nonce() -> str:
    return secrets.token_urlsafe(16)


class DirectoryListing(models.Model):
    """A delegate's entry in the directory of their conference. It shows only while they are
    listed (consent given, not withdrawn), confirmed and not erased; their name, job title and
    authority are read from the registration, never copied."""

    registration = models.OneToOneField(
        Registration,
        on_delete=models.CASCADE,
        related_name="directory_listing",
        verbose_name=_("registration"),
    )
    listed_at = models.DateTimeField(
        _("listed since"), help_text=_("When the delegate agreed to be listed.")
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    languages = models.JSONField(_("languages spoken"), default=list, blank=True)
    themes: "models.ManyToManyField[Theme, models.Model]" = models.ManyToManyField(
        Theme, related_name="+", blank=True, verbose_name=_("themes of interest")
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("directory listing")
        verbose_name_plural = _("directory listings")
        ordering = ["-listed_at"]

    def __str__(self) -> str:
        return self.registration.reference

    @property
    def is_listed(self) -> bool:
        return self.withdrawn_at is None

    def clean(self) -> None:
        known = {code for code, _label in DIRECTORY_LANGUAGES}
        if set(self.languages or []) - known:
            raise ValidationError({"languages": _("Unknown language.")})

    def language_names(self) -> list[str]:
        names = dict(DIRECTORY_LANGUAGES)
        return [str(names[code]) for code in self.languages if code in names]


class MeetingRequest(models.Model):
    """One delegate asks another listed delegate for a meeting at one of the programme's breaks.
    The recipient answers from their email (a signed link, good for one answer) or their
    personal page; either may cancel later. The recipient may report it to the organisers,
    which also stops the sender from asking them again."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        CANCELLED = "cancelled", _("Cancelled")

    conference = models.ForeignKey(
        Conference,
        on_delete=models.CASCADE,
        related_name="meeting_requests",
        verbose_name=_("conference"),
    )
    sender = models.ForeignKey(
        Registration,
        on_delete=models.CASCADE,
        related_name="meeting_requests_sent",
        verbose_name=_("from"),
    )
    recipient = models.ForeignKey(
        Registration,
        on_delete=models.CASCADE,
        related_name="meeting_requests_received",
        verbose_name=_("to"),
    )
    message = models.TextField(_("message"), max_length=MEETING_MESSAGE_MAX_LENGTH)
    slot = models.ForeignKey(
        Session,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"kind": Session.Kind.BREAK},
        verbose_name=_("preferred slot"),
        help_text=_("One of the programme's breaks."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.REQUESTED
    )
    # In the signed answer links: a link answers this request only, and only while it waits.
    nonce = models.CharField(max_length=22, default=new_meeting_nonce, editable=False)
    created_at = models.DateTimeField(_("asked at"), auto_now_add=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    reported_at = models.DateTimeField(_("reported at"), null=True, blank=True)
    report_reason = models.TextField(_("reason given"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("meeting request")
        verbose_name_plural = _("meeting requests")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["sender", "created_at"]),
            models.Index(fields=["recipient", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(sender=F("recipient")), name="meeting_request_not_to_oneself"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sender.reference} → {self.recipient.reference} ({self.get_status_display()})"

    @property
    def is_reported(self) -> bool:
        return self.reported_at is not None
