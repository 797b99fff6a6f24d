import re
import secrets
import unicodedata

import pycountry
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from phonenumber_field.modelfields import PhoneNumberField
from simple_history.models import HistoricalRecords

from conference.models import SESSION_LANGUAGES, Conference, Session

# Bump when the privacy notice changes, so each consent record says which text was accepted.
PRIVACY_NOTICE_VERSION = "2026-11-28"


def authority_name_key(name: str) -> str:
    """Case-, accent- and spacing-insensitive form of a name: "Liège" and "LIEGE " match."""
    decomposed = unicodedata.normalize("NFKD", name)
    without_marks = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(without_marks.casefold().split())


def new_agenda_token() -> str:
    return secrets.token_urlsafe(32)


# NUTS codes begin with the country's code, except Greece's (EL); pycountry ships ISO 3166-2 but
# not NUTS, so NUTS codes are checked by their form and country.
NUTS_CODE = re.compile(r"^(?P<country>[A-Z]{2})[0-9A-Z]{1,3}$")
NUTS_COUNTRY_EXCEPTIONS = {"EL": "GR"}


def validate_region_code(code: str, country: str) -> None:
    """A regional code must be an ISO 3166-2 subdivision of the country, or a NUTS code in it."""
    subdivision = pycountry.subdivisions.get(code=code)
    if subdivision is not None:
        if subdivision.country_code != country:
            raise ValidationError(
                _("%(code)s is a subdivision of another country."), params={"code": code}
            )
        return
    match = NUTS_CODE.match(code)
    if match and NUTS_COUNTRY_EXCEPTIONS.get(match["country"], match["country"]) == country:
        return
    raise ValidationError(
        _("Enter an ISO 3166-2 code (e.g. FR-06) or a NUTS code (e.g. FRL03) of this country."),
        code="invalid_region_code",
    )


class Authority(models.Model):
    """A local or regional authority that sends a delegation: a city, a region, a province…"""

    class Kind(models.TextChoices):
        MUNICIPALITY = "municipality", _("Municipality")
        INTERCOMMUNAL = "intercommunal", _("Intercommunal body")
        PROVINCE = "province", _("Province or département")
        REGION = "region", _("Region")
        NATIONAL = "national", _("National body")
        INTERNATIONAL = "international", _("International organisation")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=200)
    name_key = models.CharField(max_length=200, editable=False, db_index=True)
    kind = models.CharField(
        _("kind"), max_length=20, choices=Kind.choices, default=Kind.MUNICIPALITY
    )
    country = CountryField(_("country"))
    region_code = models.CharField(
        _("regional code"),
        max_length=10,
        blank=True,
        help_text=_("Optional: ISO 3166-2 (e.g. FR-06) or NUTS (e.g. FRL03)."),
    )
    is_member = models.BooleanField(_("member of the network"), default=False)
    needs_review = models.BooleanField(
        _("needs review"),
        default=False,
        help_text=_("Named by a delegate; an organiser has not checked it yet."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("authority")
        verbose_name_plural = _("authorities")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["country", "name_key"], name="authority_unique_name_per_country"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.country.code})" if self.country else self.name

    def save(self, *args, **kwargs) -> None:
        self.name = " ".join(self.name.split())
        self.name_key = authority_name_key(self.name)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        self.region_code = self.region_code.strip().upper()
        if self.region_code and self.country:
            try:
                validate_region_code(self.region_code, self.country.code)
            except ValidationError as error:
                raise ValidationError({"region_code": error.messages}) from error


class RegistrationQuerySet(models.QuerySet):
    def active(self):
        """Registrations that still count: not cancelled, not rejected."""
        return self.exclude(status__in=Registration.INACTIVE_STATUSES)


class AuthorityAllotment(models.Model):
    """Places of one authority at one conference, instead of the conference's default."""

    conference = models.ForeignKey(
        Conference,
        on_delete=models.CASCADE,
        related_name="allotments",
        verbose_name=_("conference"),
    )
    authority = models.ForeignKey(
        Authority, on_delete=models.CASCADE, related_name="allotments", verbose_name=_("authority")
    )
    places = models.PositiveSmallIntegerField(_("places"))

    class Meta:
        verbose_name = _("places of an authority")
        verbose_name_plural = _("places of authorities")
        constraints = [
            models.UniqueConstraint(
                fields=["conference", "authority"], name="allotment_one_per_authority"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.authority}: {self.places}"


class Delegation(models.Model):
    """The people an authority sends to a conference, registered and looked after by a
    coordinator, who may or may not attend."""

    conference = models.ForeignKey(
        Conference,
        on_delete=models.PROTECT,
        related_name="delegations",
        verbose_name=_("conference"),
    )
    authority = models.ForeignKey(
        Authority, on_delete=models.PROTECT, related_name="delegations", verbose_name=_("authority")
    )
    coordinator_first_name = models.CharField(_("coordinator's first name"), max_length=100)
    coordinator_last_name = models.CharField(_("coordinator's last name"), max_length=100)
    coordinator_email = models.EmailField(_("coordinator's email"))
    coordinator_language = models.CharField(
        _("coordinator's language"),
        max_length=2,
        choices=[("en", _("English")), ("fr", _("French"))],
    )
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)

    class Meta:
        verbose_name = _("delegation")
        verbose_name_plural = _("delegations")
        ordering = ["authority__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["conference", "authority"], name="delegation_one_per_authority"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.authority} – {self.conference}"

    @property
    def coordinator_name(self) -> str:
        return f"{self.coordinator_first_name} {self.coordinator_last_name}"


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

    objects = RegistrationQuerySet.as_manager()
    # Who changed what, when. Dietary and accessibility needs are left out, so that the history
    # never shows them to someone without the permission to see them; the secret of the agenda
    # feed is left out too.
    history = HistoricalRecords(
        excluded_fields=["dietary_needs", "accessibility_needs", "agenda_token"],
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
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.first_name} {self.last_name}"

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
        opens = self.registration.reference if self.registration_id else str(self.delegation)
        return f"{opens} ({self.created_at:%Y-%m-%d})"

    def is_valid(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and now < self.expires_at


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


class ConsentRecord(models.Model):
    """What a delegate agreed to, when, and to which version of the notice."""

    class Kind(models.TextChoices):
        PRIVACY_NOTICE = "privacy_notice", _("Privacy notice")
        SPECIAL_NEEDS = "special_needs", _("Use of dietary and accessibility needs")
        COORDINATOR_NOTICE = (
            "coordinator_notice",
            _("Privacy notice, accepted on their behalf by the delegation's coordinator"),
        )

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

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    # An email is about a delegate's registration, or (to its coordinator) a delegation.
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
    bulk_email = models.ForeignKey(
        BulkEmail,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="emails",
        verbose_name=_("message to delegates"),
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

    class Meta:
        verbose_name = _("email")
        verbose_name_plural = _("email outbox")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(registration__isnull=False) | Q(delegation__isnull=False),
                name="outbound_email_has_a_subject",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.recipient}"


# --- Exports --------------------------------------------------------------------------------------


class ExportKind(models.TextChoices):
    ATTENDEES = "attendees", _("Attendee list")
    SESSION_ATTENDEES = "session_attendees", _("Attendees of a session")
    DELEGATIONS = "delegations", _("Delegations by country and authority")
    LOGISTICS = "logistics", _("Logistics figures")


class ExportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "XLSX"


# The changelist's free-text search may hold a delegate's name: it is never stored.
EXPORT_FILTER_HELP = _(
    "The list's filters as in its address, without the search text, which may hold a name."
)


class ExportJob(models.Model):
    """An XLSX file too large to build during a request, built by a Celery task. Only its owner
    may download it; the file is deleted some days later (exports.EXPORT_FILE_RETENTION)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("requested by"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ExportKind.choices)
    format = models.CharField(_("format"), max_length=4, choices=ExportFormat.choices)
    filter = models.TextField(_("filter"), blank=True, help_text=EXPORT_FILTER_HELP)
    searched = models.BooleanField(_("searched"), default=False)
    special_needs = models.BooleanField(_("with dietary and accessibility needs"), default=False)
    # The requester's language at the time, for the file's headers and labels.
    language = models.CharField(_("language"), max_length=10, default="en", editable=False)
    # The rows, in export order, as the list showed them when the job was requested: the task
    # cannot repeat the search, which is not stored. Emptied once the file is built.
    registration_ids = models.JSONField(null=True, blank=True, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    rows_done = models.PositiveIntegerField(_("rows done"), default=0)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    file = models.FileField(_("file"), upload_to="exports/", blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("export job")
        verbose_name_plural = _("export jobs")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.format}, {self.created_at:%Y-%m-%d %H:%M})"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


class ExportRecord(models.Model):
    """That an export of delegates' data was made: by whom, when, of what. It holds no
    personal data of delegates, hence no search text."""

    class Source(models.TextChoices):
        ADMIN = "admin", _("Admin")
        COMMAND = "command", _("Command")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("exported by"),
    )
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    kind = models.CharField(_("kind"), max_length=20, choices=ExportKind.choices)
    format = models.CharField(_("format"), max_length=4, choices=ExportFormat.choices)
    conferences = models.ManyToManyField(
        Conference, related_name="+", blank=True, verbose_name=_("conferences")
    )
    filter = models.TextField(_("filter"), blank=True, help_text=EXPORT_FILTER_HELP)
    searched = models.BooleanField(
        _("searched"), default=False, help_text=_("The list was also narrowed by a search.")
    )
    special_needs = models.BooleanField(_("with dietary and accessibility needs"), default=False)
    rows = models.PositiveIntegerField(_("rows"))
    created_at = models.DateTimeField(_("exported at"), auto_now_add=True)

    class Meta:
        verbose_name = _("export record")
        verbose_name_plural = _("export records")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.format}, {self.created_at:%Y-%m-%d %H:%M})"
