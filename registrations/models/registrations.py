"""Registrations and their session bookings."""

import secrets
from typing import Self, TypeVar

from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField
from simple_history.models import HistoricalRecords

from conference.models import SESSION_LANGUAGES, Conference, Session
from registrations.collation import name_sort_key, search_text
from registrations.models.authorities import Authority, Delegation


def new_agenda_token() -> str:
    return secrets.token_urlsafe(32)


# Generic, so that a queryset annotated on the way keeps its rows' types (django-stubs).
_R = TypeVar("_R", bound=models.Model)


class RegistrationQuerySet(models.QuerySet[_R]):
    def active(self) -> Self:
        """Registrations that still count: not cancelled, not rejected."""
        return self.exclude(status__in=Registration.INACTIVE_STATUSES)


# The names the keys are made of, and the keys.
NAME_FIELDS = frozenset({"first_name", "last_name"})
NAME_KEY_FIELDS = frozenset({"sort_name", "search_name"})


class Registration(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending approval")
        CONFIRMED = "confirmed", _("Confirmed")
        WAITLISTED = "waitlisted", _("Waiting list")
        CANCELLED = "cancelled", _("Cancelled")
        REJECTED = "rejected", _("Rejected")

    INACTIVE_STATUSES = (Status.CANCELLED, Status.REJECTED)

    class Category(models.TextChoices):
        DELEGATE = "delegate", _("Delegate")
        ELECTED_OFFICIAL = "elected", _("Elected official")
        SPEAKER = "speaker", _("Speaker")
        PRESS = "press", _("Press")
        EXHIBITOR = "exhibitor", _("Exhibitor")
        STAFF = "staff", _("Organiser staff")

    class Language(models.TextChoices):
        ENGLISH = "en", _("English")
        FRENCH = "fr", _("French")

    conference = models.ForeignKey(
        Conference,
        on_delete=models.PROTECT,
        related_name="registrations",
        verbose_name=_("conference"),
    )
    authority = models.ForeignKey(
        Authority,
        on_delete=models.PROTECT,
        related_name="registrations",
        verbose_name=_("city or region"),
    )
    delegation = models.ForeignKey(
        Delegation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("delegation"),
    )
    reference = models.CharField(_("reference"), max_length=12, unique=True, editable=False)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    email = models.EmailField(_("email"))
    job_title = models.CharField(_("job title"), max_length=150)
    badge_name = models.CharField(
        _("name on the badge"),
        max_length=100,
        blank=True,
        help_text=_("As the delegate wants it shown; empty means first and last name."),
    )
    organisation = models.CharField(_("department or organisation"), max_length=200, blank=True)
    phone = PhoneNumberField(_("phone"), blank=True)
    category = models.CharField(
        _("participant category"),
        max_length=20,
        choices=Category.choices,
        default=Category.DELEGATE,
    )
    preferred_language = models.CharField(
        _("preferred language"), max_length=2, choices=Language.choices, default=Language.ENGLISH
    )
    interpretation_language = models.CharField(
        _("interpretation language"), max_length=5, choices=SESSION_LANGUAGES, blank=True
    )
    dietary_needs = models.TextField(_("dietary needs"), max_length=500, blank=True)
    accessibility_needs = models.TextField(_("accessibility needs"), max_length=500, blank=True)
    # The secret in the address of the delegate's personal agenda feed, which calendar apps
    # fetch without logging in. Random and replaceable: a new one cuts off the old address.
    agenda_token = models.CharField(
        max_length=43, unique=True, editable=False, default=new_agenda_token
    )
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    # The waiting list is served in this order: the moment the delegate joined it, which for a
    # registration approved later is the approval, not the registration.
    waitlisted_at = models.DateTimeField(_("joined the waiting list at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    decided_at = models.DateTimeField(
        _("approved or rejected at"), null=True, blank=True, editable=False
    )
    erased_at = models.DateTimeField(
        _("personal data erased at"),
        null=True,
        blank=True,
        help_text=_("The delegate asked for their personal data to be erased."),
    )
    # Kept from the names by save() (registrations.collation): the order of lists sorted by
    # name, and the folded text the desk and admin searches look into.
    sort_name = models.TextField(editable=False, default="")
    search_name = models.TextField(editable=False, default="")

    objects = RegistrationQuerySet.as_manager()
    # Who changed what, when. Dietary and accessibility needs are left out, so that the history
    # never shows them to someone without the permission to see them; the secret of the agenda
    # feed is left out too.
    history = HistoricalRecords(
        excluded_fields=[
            "dietary_needs",
            "accessibility_needs",
            "agenda_token",
            "sort_name",
            "search_name",
        ],
        verbose_name=_("historical registration"),
    )

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["-created_at"]
        constraints = [
            # One active registration per person and conference, whatever the case of the email.
            models.UniqueConstraint(
                Lower("email"),
                "conference",
                condition=~Q(status__in=["cancelled", "rejected"]),
                name="registration_one_active_per_email",
                violation_error_message=_("This email address is already registered."),
            ),
        ]
        indexes = [
            # The waiting list is read in order of arrival, per conference.
            models.Index(fields=["conference", "status", "waitlisted_at"]),
            # The admin's list is sorted by this, newest first.
            models.Index(fields=["created_at", "id"]),
        ]
        permissions = [
            ("check_in", _("Can check delegates in")),
            ("view_special_needs", _("Can see dietary and accessibility needs")),
            ("export_registrations", _("Can export lists of delegates")),
            ("print_badges", _("Can print badges")),
            # Booking a delegate into a full session, or shrinking a session below its
            # bookings: the exception organisers make on purpose, recorded in the history.
            ("book_over_capacity", _("Can book sessions over their capacity")),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.first_name} {self.last_name}"

    def save(self, *args, **kwargs) -> None:
        self.set_name_keys()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and NAME_FIELDS.intersection(update_fields):
            kwargs["update_fields"] = {*update_fields, *NAME_KEY_FIELDS}
        super().save(*args, **kwargs)

    def set_name_keys(self) -> None:
        """The sort and search keys from the names; save() calls it, bulk_create() does not."""
        self.sort_name = name_sort_key(self.last_name, self.first_name)
        self.search_name = search_text(self.last_name, self.first_name)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def name_on_badge(self) -> str:
        return self.badge_name or self.full_name

    @property
    def is_active(self) -> bool:
        return self.status not in self.INACTIVE_STATUSES


class SessionBooking(models.Model):
    """A delegate's place in a session that needs sign-up, or their place in its waiting list.
    The waiting list is served in order of `created_at`, to confirmed delegates only."""

    class Status(models.TextChoices):
        BOOKED = "booked", _("Booked")
        WAITING = "waiting", _("Waiting list")

    registration = models.ForeignKey(
        Registration,
        on_delete=models.CASCADE,
        related_name="bookings",
        verbose_name=_("registration"),
    )
    session = models.ForeignKey(
        Session, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("session")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    created_at = models.DateTimeField(_("chosen at"), auto_now_add=True)
    booked_at = models.DateTimeField(_("booked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("session booking")
        verbose_name_plural = _("session bookings")
        ordering = ["session__starts_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "session"], name="booking_one_per_session"
            ),
        ]
        indexes = [models.Index(fields=["session", "status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.registration.reference} – {self.session}"
