"""How long personal data are kept, per conference, and the record of what the purge removed.

The privacy notice is rendered from the schedule and the purge applies it: one set of numbers
for what delegates are told and what the code does."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from conference.models import Conference

# Fields of the schedule whose change changes what the notice promises: each change raises the
# version recorded in the consents given afterwards.
RETENTION_PERIOD_FIELDS = (
    "needs_days_after_end",
    "identity_days_after_visit",
    "visa_days_after_letter",
    "outbox_body_days_after_sent",
    "cancelled_days",
    "identifying_months_after_end",
    "keep_certificate_names",
)


def _days_field(verbose_name, default: int, help_text) -> models.PositiveIntegerField:
    # At most ten years: a longer period is a typing mistake, not a retention policy.
    return models.PositiveIntegerField(
        verbose_name,
        default=default,
        validators=[MinValueValidator(0), MaxValueValidator(3650)],
        help_text=help_text,
    )


class RetentionSchedule(models.Model):
    """How long each kind of personal data is kept for one conference."""

    conference = models.OneToOneField(
        Conference,
        on_delete=models.CASCADE,
        related_name="retention_schedule",
        verbose_name=_("conference"),
    )
    needs_days_after_end = _days_field(
        _("dietary and accessibility needs: days after the conference ends"),
        7,
        _("They are deleted this many days after the last day of the conference."),
    )
    identity_days_after_visit = _days_field(
        _("identity data for site visits: days after the visit"),
        7,
        _("Identity data asked for a site visit's security clearance go this long after it."),
    )
    visa_days_after_letter = _days_field(
        _("passport data of visa letters: days after the letter is sent"),
        30,
        _("The passport data of a visa invitation request go this long after its letter."),
    )
    outbox_body_days_after_sent = _days_field(
        _("emails: days after sending"),
        90,
        _("The outbox keeps the row (kind, status, dates) without its recipient or content."),
    )
    cancelled_days = _days_field(
        _("cancelled or rejected registrations: days"),
        30,
        _("Their personal data go this many days after the cancellation or the refusal."),
    )
    identifying_months_after_end = models.PositiveIntegerField(
        _("everything that identifies a delegate: months after the conference ends"),
        default=12,
        validators=[MinValueValidator(0), MaxValueValidator(120)],
        help_text=_(
            "After this, only anonymous figures remain (and the names on certificates of "
            "attendance, if kept below)."
        ),
    )
    keep_certificate_names = models.BooleanField(
        _("keep the names and references of certificates of attendance"),
        default=False,
        help_text=_(
            "Tick if a legal basis obliges you to prove who attended (for example, training "
            "funded by public money): the name and reference of delegates who attended stay "
            "after the final purge, nothing else."
        ),
    )
    version = models.PositiveIntegerField(
        _("notice version"),
        default=1,
        editable=False,
        validators=[MinValueValidator(1)],
        help_text=_("Raised on every change; consents record the version they accepted."),
    )
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)
    # When organisers were told of the final purge, so that they are told once.
    final_purge_reminded_at = models.DateTimeField(
        _("final purge reminder sent at"), null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("retention schedule")
        verbose_name_plural = _("retention schedules")

    def __str__(self) -> str:
        return str(self.conference)


class PurgeRecord(models.Model):
    """That the purge removed or anonymised some rows or files: what kind, how many, when. It
    names no one."""

    class Kind(models.TextChoices):
        NEEDS = "needs", _("Dietary and accessibility needs")
        CANCELLED = "cancelled", _("Cancelled or rejected registrations")
        IDENTIFYING = "identifying", _("Registrations after the conference")
        COORDINATORS = "coordinators", _("Delegation coordinators")
        EMAILS = "emails", _("Email recipients and content")
        HISTORY = "history", _("History of changes")
        LINKS = "links", _("Personal links and agenda feeds")
        SESSIONS = "sessions", _("Browser sessions of delegates")
        EXPORTS = "exports", _("Export files")
        ADMIN_LOG = "admin_log", _("Admin history entries")
        WEBHOOKS = "webhooks", _("Webhook deliveries' contents")
        VISIT_IDENTITY = "visit_identity", _("Identity data for site visits")
        VISA_PASSPORT = "visa_passport", _("Passport data of visa letters")
        ANSWERS = "answers", _("Answers to the conference's questions")

    conference = models.ForeignKey(
        Conference,
        on_delete=models.CASCADE,
        related_name="purge_records",
        verbose_name=_("conference"),
        null=True,
        blank=True,
        help_text=_("Empty for data that belong to no conference (export files)."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    count = models.PositiveIntegerField(_("rows or files"))
    schedule_version = models.PositiveIntegerField(_("schedule version"), null=True, blank=True)
    purged_at = models.DateTimeField(_("purged at"))

    class Meta:
        verbose_name = _("purge record")
        verbose_name_plural = _("purge records")
        ordering = ["-purged_at", "kind"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.count} ({self.purged_at:%Y-%m-%d})"


class RetainedFigures(models.Model):
    """The dashboard's figures of a conference, counts only, taken before the purge removes
    what some of them are counted from (the needs, then the people), so that the numbers
    survive it."""

    conference = models.OneToOneField(
        Conference,
        on_delete=models.CASCADE,
        related_name="retained_figures",
        verbose_name=_("conference"),
    )
    figures = models.JSONField(_("figures"))
    taken_at = models.DateTimeField(_("taken at"))

    class Meta:
        verbose_name = _("retained figures")
        verbose_name_plural = _("retained figures")

    def __str__(self) -> str:
        return f"{self.conference} ({self.taken_at:%Y-%m-%d})"
