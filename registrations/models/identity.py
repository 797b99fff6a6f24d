"""Identity data that a site visit's host needs for security clearance, given by the delegates
who book it. Only the fields the session asks for are filled; they are deleted a few days after
the visit (the conference's retention schedule)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from conference.models import Session
from registrations.models.registrations import Registration

# The identity fields a session can ask for, by the name of the Session flag that asks for
# each and the name of the field that holds it here.
IDENTITY_FIELDS = {
    "identity_full_name_required": "full_name",
    "identity_nationality_required": "nationality",
    "identity_number_required": "id_number",
    "identity_date_of_birth_required": "date_of_birth",
}


def sessions_asking_identity_data() -> models.Q:
    """The condition on Session of asking for at least one identity field."""
    return models.Q(*(models.Q(**{flag: True}) for flag in IDENTITY_FIELDS), _connector=models.Q.OR)


def identity_fields_required(session: Session) -> list[str]:
    """The fields of SiteVisitIdentity that this session asks for, in a stable order."""
    return [field for flag, field in IDENTITY_FIELDS.items() if getattr(session, flag)]


class SiteVisitIdentity(models.Model):
    """One delegate's identity data for one visit. No history is kept of it (a history table
    would keep copies past the purge)."""

    registration = models.ForeignKey(
        Registration,
        on_delete=models.CASCADE,
        related_name="visit_identities",
        verbose_name=_("registration"),
    )
    session = models.ForeignKey(
        Session,
        on_delete=models.CASCADE,
        related_name="visit_identities",
        verbose_name=_("session"),
    )
    full_name = models.CharField(
        _("full name as on the identity document"), max_length=200, blank=True
    )
    nationality = CountryField(verbose_name=_("nationality"), blank=True)
    id_number = models.CharField(_("identity document number"), max_length=50, blank=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    given_at = models.DateTimeField(_("given at"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("site-visit identity data")
        verbose_name_plural = _("site-visit identity data")
        ordering = ["session__starts_at", "registration__last_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "session"], name="visit_identity_one_per_session"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.registration.reference} – {self.session}"
