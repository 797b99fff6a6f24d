"""Visa invitation letters: a delegate's request, the organisers' review and the letter."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from registrations.models.registrations import Registration

# Letters and digits that cannot be mistaken for one another when read out to an embassy.
_REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_visa_letter_reference() -> str:
    """16 random characters of 32 kinds (80 bits), in groups of four: unguessable, since the
    verification page answers to it without any login."""
    characters = "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(16))
    return "-".join(characters[i : i + 4] for i in range(0, 16, 4))


class VisaLetterRequest(models.Model):
    """No history is kept of it: a history table would keep copies of passport data past the
    purge. The stay dates, the reference and the status outlive the passport data, so that the
    verification page can still confirm the letter."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Awaiting review")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")

    class Language(models.TextChoices):
        ENGLISH = "en", _("English")
        FRENCH = "fr", _("French")

    registration = models.ForeignKey(
        Registration,
        on_delete=models.CASCADE,
        related_name="visa_requests",
        verbose_name=_("registration"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.REQUESTED
    )
    passport_name = models.CharField(_("name as in the passport"), max_length=200, blank=True)
    nationality = CountryField(verbose_name=_("nationality"), blank=True)
    passport_number = models.CharField(_("passport number"), max_length=30, blank=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    consulate_city = models.CharField(
        _("city of the embassy or consulate"), max_length=100, blank=True
    )
    stay_from = models.DateField(_("arrival"))
    stay_until = models.DateField(_("departure"))
    letter_language = models.CharField(
        _("language of the letter"), max_length=2, choices=Language.choices
    )
    reference = models.CharField(
        _("verification reference"),
        max_length=19,
        unique=True,
        editable=False,
        default=new_visa_letter_reference,
    )
    review_note = models.TextField(
        _("note to the delegate"),
        blank=True,
        help_text=_("Sent to the delegate with the decision; required when refusing."),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True, editable=False)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    letter = models.FileField(_("letter"), upload_to="visa-letters/", blank=True, editable=False)
    letter_sent_at = models.DateTimeField(
        _("letter sent at"), null=True, blank=True, editable=False
    )
    passport_data_purged_at = models.DateTimeField(
        _("passport data deleted at"), null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)

    class Meta:
        verbose_name = _("visa letter request")
        verbose_name_plural = _("visa letter requests")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(stay_until__gte=F("stay_from")), name="visa_stay_ends_after_start"
            ),
            # A delegate has one request under review or approved at a time; after a refusal
            # they may ask again.
            models.UniqueConstraint(
                fields=["registration"],
                condition=Q(status__in=["requested", "approved"]),
                name="visa_one_open_request_per_registration",
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.registration.reference} – {self.reference}"
