"""Check-ins at the desk and at session doors."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from conference.models import Session
from registrations.models.registrations import Registration


class CheckIn(models.Model):
    """A delegate's arrival at the conference desk (no session), or at a session's door.
    Undoing keeps the record, marked undone, so the desk's history stays whole."""

    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="check_ins"
    )
    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="check_ins", null=True, blank=True
    )
    checked_in_at = models.DateTimeField(_("checked in at"))
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("checked in by"),
    )
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("undone by"),
    )

    class Meta:
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        ordering = ["-checked_in_at"]
        constraints = [
            # Checking in twice changes nothing: one standing check-in per delegate and place.
            models.UniqueConstraint(
                fields=["registration"],
                condition=Q(session__isnull=True, undone_at__isnull=True),
                name="check_in_once_at_the_desk",
            ),
            models.UniqueConstraint(
                fields=["registration", "session"],
                condition=Q(session__isnull=False, undone_at__isnull=True),
                name="check_in_once_per_session",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.registration.reference} {self.checked_in_at:%Y-%m-%d %H:%M}"
