"""Personal links and the record of consents."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registrations.models.authorities import Delegation
from registrations.models.registrations import Registration

# Bump when the privacy notice changes, so each consent record says which text was accepted.
PRIVACY_NOTICE_VERSION = "2026-11-28"


class ManagementLink(models.Model):
    """A delegate's personal link to manage their registration. Only a hash of its token is
    stored, so the table leaks no usable link; each email carries a fresh one."""

    # A link opens either a delegate's own registration or a coordinator's delegation.
    registration = models.ForeignKey(
        Registration,
        on_delete=models.CASCADE,
        related_name="management_links",
        null=True,
        blank=True,
    )
    delegation = models.ForeignKey(
        Delegation,
        on_delete=models.CASCADE,
        related_name="management_links",
        null=True,
        blank=True,
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("management link")
        verbose_name_plural = _("management links")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(registration__isnull=False, delegation__isnull=True)
                | Q(registration__isnull=True, delegation__isnull=False),
                name="management_link_opens_one_thing",
            ),
        ]

    def __str__(self) -> str:
        registration = self.registration  # None, without a query, for a delegation's link
        opens = registration.reference if registration is not None else str(self.delegation)
        return f"{opens} ({self.created_at:%Y-%m-%d})"

    def is_valid(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and now < self.expires_at


class ConsentRecord(models.Model):
    """What a delegate agreed to, when, and to which version of the notice."""

    class Kind(models.TextChoices):
        PRIVACY_NOTICE = "privacy_notice", _("Privacy notice")
        SPECIAL_NEEDS = "special_needs", _("Use of dietary and accessibility needs")
        COORDINATOR_NOTICE = (
            "coordinator_notice",
            _("Privacy notice, accepted on their behalf by the delegation's coordinator"),
        )
        VISIT_IDENTITY = "visit_identity", _("Use of identity data for a site visit's clearance")
        VISA_LETTER = "visa_letter", _("Use of passport data for a visa invitation letter")
        DIRECTORY = "directory", _("Listing in the delegate directory")

    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="consents"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    notice_version = models.CharField(_("notice version"), max_length=20)
    given_at = models.DateTimeField(_("given at"))

    class Meta:
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")
        ordering = ["given_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.notice_version})"


class RetiredAgendaFeed(models.Model):
    """An agenda feed address that no longer opens the delegate's agenda: its token changed
    with their email address, or the registration was cancelled or erased. Calendar apps still
    fetch it, so it answers 410 Gone with the events it held, cancelled, and they drop them.
    Only a hash of the token is kept, and which events it held (no personal data)."""

    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="retired_agenda_feeds"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    session_ids = models.JSONField(default=list, blank=True)
    had_conference = models.BooleanField(default=False)
    retired_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("retired agenda feed")
        verbose_name_plural = _("retired agenda feeds")

    def __str__(self) -> str:
        return f"{self.registration_id} ({self.retired_at:%Y-%m-%d})"
