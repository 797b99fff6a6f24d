import datetime
import zoneinfo

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

# Languages a session can be held or interpreted in. The interface itself is English and French;
# sessions at a European conference may use more.
SESSION_LANGUAGES = [
    ("en", _("English")),
    ("fr", _("French")),
    ("de", _("German")),
    ("es", _("Spanish")),
    ("it", _("Italian")),
    ("pt", _("Portuguese")),
    ("nl", _("Dutch")),
    ("pl", _("Polish")),
]


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("“%(value)s” is not a known time zone."), params={"value": value})


class Venue(models.Model):
    name = models.CharField(_("name"), max_length=200)
    street_address = models.CharField(_("street address"), max_length=200)
    postal_code = models.CharField(_("postal code"), max_length=20)
    city = models.CharField(_("city"), max_length=100)
    country = CountryField(verbose_name=_("country"))
    website = models.URLField(_("website"), blank=True)

    class Meta:
        verbose_name = _("venue")
        verbose_name_plural = _("venues")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["name", "city"], name="venue_unique_name_city"),
        ]

    def __str__(self) -> str:
        return f"{self.name}, {self.city}"

    @property
    def full_address(self) -> str:
        return (
            f"{self.name}, {self.street_address}, {self.postal_code} {self.city}, "
            f"{self.country.name}"
        )


class Room(models.Model):
    venue = models.ForeignKey(Venue, on_delete=models.CASCADE, related_name="rooms")
    name = models.CharField(_("name"), max_length=100)
    capacity = models.PositiveIntegerField(_("capacity"), help_text=_("Seats in the room."))
    position = models.PositiveSmallIntegerField(
        _("position"), default=0, help_text=_("Order of the room in the timetable.")
    )

    class Meta:
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        ordering = ["venue", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["venue", "name"], name="room_unique_name_per_venue"),
        ]

    def __str__(self) -> str:
        return self.name


class PlaceCountersKept(models.Model):
    """A model whose PLACE_COUNTER_FIELDS are written only by the services that hold its row's
    lock, naming them: a save of a copy read before the lock (the admin's form, a service's
    instance) writes every other column and leaves the counters as they are. A new row is
    inserted whole; a save that names its update_fields writes those."""

    PLACE_COUNTER_FIELDS: tuple[str, ...] = ()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key and field.name not in self.PLACE_COUNTER_FIELDS
            ]
        super().save(*args, **kwargs)


class ConferenceQuerySet(models.QuerySet):
    def published(self):
        # Its SQL is compiled once and kept (conference.views.published_conference_id, the
        # registration form's lookup): no condition here may take a value that changes with
        # the time or the request.
        return self.filter(is_published=True)


class Conference(PlaceCountersKept):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(
        _("slug"), unique=True, help_text=_("Used in the address of its pages.")
    )
    tagline = models.CharField(_("tagline"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    organiser = models.CharField(_("organiser"), max_length=200, blank=True)
    website = models.URLField(_("website"), blank=True)
    start_date = models.DateField(_("first day"))
    end_date = models.DateField(_("last day"))
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Europe/Paris", validators=[validate_time_zone]
    )
    venue = models.ForeignKey(
        Venue, on_delete=models.PROTECT, related_name="conferences", verbose_name=_("venue")
    )
    registration_opens_at = models.DateTimeField(_("registration opens at"))
    registration_closes_at = models.DateTimeField(_("registration closes at"))
    capacity = models.PositiveIntegerField(
        _("capacity"),
        help_text=_("Delegates who can be confirmed; the others join the waiting list."),
    )
    changes_close_at = models.DateTimeField(
        _("delegates' changes close at"),
        null=True,
        blank=True,
        help_text=_(
            "Until then delegates can change their details and sessions themselves; "
            "empty means until the conference starts. Cancelling stays possible."
        ),
    )
    default_allotment = models.PositiveSmallIntegerField(
        _("places per authority"),
        null=True,
        blank=True,
        help_text=_(
            "How many delegates each city or region may register; empty means no limit. "
            "Can be set otherwise for an authority."
        ),
    )
    approval_for_non_members = models.BooleanField(
        _("approve non-members"),
        default=True,
        help_text=_(
            "Delegates of member authorities are confirmed directly; those of other or "
            "unreviewed authorities wait for an organiser's approval."
        ),
    )
    reminder_days_before = models.PositiveSmallIntegerField(
        _("reminder, days before"),
        default=7,
        help_text=_("Delegates get a reminder with their agenda this many days before; 0: none."),
    )
    contact_email = models.EmailField(_("contact email"))
    # Who signs the visa invitation letters, printed under their text.
    letter_signatory_name = models.CharField(
        _("signatory of visa letters"),
        max_length=200,
        blank=True,
        help_text=_("The person who signs the visa invitation letters, e.g. Jane Doe."),
    )
    letter_signatory_title = models.CharField(
        _("signatory's title"),
        max_length=200,
        blank=True,
        help_text=_("Printed under the signatory's name, e.g. Executive Director."),
    )
    reference_prefix = models.CharField(
        _("reference prefix"),
        max_length=4,
        validators=[RegexValidator(r"^[A-Z]{2,4}$", _("Use two to four capital letters."))],
        help_text=_("Starts every registration reference, e.g. NCE in NCE-7K3Q9."),
    )
    is_published = models.BooleanField(_("published"), default=False)
    # Kept by the registrations' services under this row's lock, in the transaction that
    # changes a status, so that deciding a place counts nothing that grows with the data.
    confirmed_count = models.PositiveIntegerField(
        _("confirmed registrations"), default=0, editable=False
    )
    waitlisted_count = models.PositiveIntegerField(
        _("registrations on the waiting list"), default=0, editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ConferenceQuerySet.as_manager()

    # Written only by the services that change a registration's status, under this row's lock.
    PLACE_COUNTER_FIELDS = ("confirmed_count", "waitlisted_count")

    class Meta:
        verbose_name = _("conference")
        verbose_name_plural = _("conferences")
        ordering = ["-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="conference_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(registration_closes_at__gt=F("registration_opens_at")),
                name="conference_registration_closes_after_opening",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("conference:detail", kwargs={"slug": self.slug})

    def clean(self) -> None:
        errors = {}
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = _("The last day cannot be before the first day.")
        if (
            self.registration_opens_at
            and self.registration_closes_at
            and self.registration_closes_at <= self.registration_opens_at
        ):
            errors["registration_closes_at"] = _("Registration must close after it opens.")
        if errors:
            raise ValidationError(errors)

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    def registration_is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.registration_opens_at <= now < self.registration_closes_at

    @property
    def starts_at(self):
        """Midnight of the first day, in the conference's time zone."""
        return datetime.datetime.combine(self.start_date, datetime.time(), self.tzinfo)

    @property
    def ends_at(self):
        """Midnight after the last day, in the conference's time zone."""
        return datetime.datetime.combine(
            self.end_date + datetime.timedelta(days=1), datetime.time(), self.tzinfo
        )

    def changes_are_open(self, now=None) -> bool:
        """May delegates still change their own details and sessions?"""
        now = now or timezone.now()
        return now < (self.changes_close_at or self.starts_at)


class Speaker(models.Model):
    conference = models.ForeignKey(
        Conference, on_delete=models.CASCADE, related_name="speakers", verbose_name=_("conference")
    )
    full_name = models.CharField(_("full name"), max_length=200)
    role = models.CharField(_("role"), max_length=200, blank=True, help_text=_("e.g. Mayor"))
    organisation = models.CharField(
        _("authority or organisation"),
        max_length=200,
        blank=True,
        help_text=_("e.g. City of Liège"),
    )
    country = CountryField(verbose_name=_("country"), blank=True)
    biography = models.TextField(_("biography"), blank=True)

    class Meta:
        verbose_name = _("speaker")
        verbose_name_plural = _("speakers")
        ordering = ["full_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["conference", "full_name"], name="speaker_unique_name_per_conference"
            ),
        ]

    def __str__(self) -> str:
        return self.full_name


class Theme(models.Model):
    """A thread running through the programme, to filter it by (e.g. "Drugs and nightlife")."""

    conference = models.ForeignKey(
        Conference, on_delete=models.CASCADE, related_name="themes", verbose_name=_("conference")
    )
    name = models.CharField(_("name"), max_length=150)
    slug = models.SlugField(_("slug"))

    class Meta:
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["conference", "slug"], name="theme_unique_per_conference"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Session(PlaceCountersKept):
    # Kinds with limited places, which delegates sign up for; everyone may attend the others.
    SIGN_UP_KINDS = ("workshop", "focus", "site_visit")

    class Kind(models.TextChoices):
        PLENARY = "plenary", _("Plenary")
        WORKSHOP = "workshop", _("Workshop")
        FOCUS = "focus", _("Focus session")
        SITE_VISIT = "site_visit", _("Site visit")
        SOCIAL = "social", _("Social event")
        BREAK = "break", _("Break")

    conference = models.ForeignKey(
        Conference, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("conference")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=250)
    description = models.TextField(_("description"), blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    room = models.ForeignKey(
        Room,
        on_delete=models.PROTECT,
        related_name="sessions",
        null=True,
        blank=True,
        verbose_name=_("room"),
        help_text=_("Leave empty for sessions away from the venue, such as site visits."),
    )
    location = models.CharField(
        _("location"),
        max_length=200,
        blank=True,
        help_text=_("Where a session outside the venue meets."),
    )
    capacity = models.PositiveIntegerField(
        _("capacity"),
        null=True,
        blank=True,
        help_text=_("Places for sessions that need sign-up; empty means the room's capacity."),
    )
    # Where and when the delegates of a site visit gather before leaving (the coach), printed
    # on its roster; empty for sessions that start where they are held.
    meeting_point = models.CharField(
        _("meeting point"),
        max_length=200,
        blank=True,
        help_text=_("Where delegates gather before leaving, e.g. the coach at the main entrance."),
    )
    meeting_time = models.TimeField(
        _("meeting time"),
        null=True,
        blank=True,
        help_text=_("When delegates gather there, on the day of the session."),
    )
    language = models.CharField(
        _("language"), max_length=5, choices=SESSION_LANGUAGES, default="en"
    )
    interpretation_languages = models.JSONField(
        _("interpretation into"),
        default=list,
        blank=True,
        help_text=_("Languages into which the session is interpreted."),
    )
    speakers = models.ManyToManyField(
        Speaker, related_name="sessions", blank=True, verbose_name=_("speakers")
    )
    # Annotated: the stubs plugin cannot infer this field once page_cache reads its through model.
    themes: "models.ManyToManyField[Theme, models.Model]" = models.ManyToManyField(
        Theme, related_name="sessions", blank=True, verbose_name=_("themes")
    )
    # iCalendar SEQUENCE: raised whenever the time or place changes, so that calendar apps
    # replace the event they hold instead of keeping the old one.
    sequence = models.PositiveIntegerField(_("revision"), default=0, editable=False)
    # What the host of a site visit needs for security clearance: delegates who book it are
    # asked for these only, and they are deleted a few days after the visit.
    identity_full_name_required = models.BooleanField(
        _("asks for the full name as on the identity document"), default=False
    )
    identity_nationality_required = models.BooleanField(
        _("asks for the nationality"), default=False
    )
    identity_number_required = models.BooleanField(
        _("asks for the identity document number"), default=False
    )
    identity_date_of_birth_required = models.BooleanField(
        _("asks for the date of birth"), default=False
    )
    # The places held by bookings, kept by the booking services under this row's lock, in the
    # transaction that changes a booking, so that deciding a place counts no bookings.
    places_booked = models.PositiveIntegerField(_("places booked"), default=0, editable=False)

    # Written only by the booking services, under this row's lock.
    PLACE_COUNTER_FIELDS = ("places_booked",)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["starts_at", "room__position", "title"]
        indexes = [models.Index(fields=["conference", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="session_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("A session must end after it starts.")})
        if self.requires_identity_data and not self.requires_sign_up:
            # Identity data are asked of those who book; nobody books the other kinds.
            raise ValidationError(
                {"kind": _("Only sessions that delegates sign up for can ask for identity data.")}
            )
        known = {code for code, _label in SESSION_LANGUAGES}
        unknown = set(self.interpretation_languages or []) - known
        if unknown:
            message = gettext("Unknown language: %(codes)s") % {"codes": ", ".join(sorted(unknown))}
            raise ValidationError({"interpretation_languages": message})

    @property
    def requires_sign_up(self) -> bool:
        return self.kind in self.SIGN_UP_KINDS

    @property
    def requires_identity_data(self) -> bool:
        return (
            self.identity_full_name_required
            or self.identity_nationality_required
            or self.identity_number_required
            or self.identity_date_of_birth_required
        )

    def overlaps(self, other: "Session") -> bool:
        return self.starts_at < other.ends_at and other.starts_at < self.ends_at

    @property
    def effective_capacity(self) -> int | None:
        if self.capacity is not None:
            return self.capacity
        room = self.room  # None, without a query, when there is no room
        return room.capacity if room is not None else None

    def interpretation_summary(self) -> str:
        """Words for the delegate: "In English, no interpretation", or, when interpreters work,
        the spoken language and those it is interpreted into by code, e.g. "EN ⇄ FR
        interpretation", as conference programmes print it."""
        if not self.interpretation_languages:
            spoken = dict(SESSION_LANGUAGES).get(self.language, self.language)
            return gettext("In %(language)s, no interpretation") % {"language": spoken}
        targets = ", ".join(code.upper() for code in self.interpretation_languages)
        return gettext("%(language)s ⇄ %(targets)s interpretation") % {
            "language": self.language.upper(),
            "targets": targets,
        }


class SessionChange(models.Model):
    """A change of a session's time or place, with what it was and what it became: the delegates
    concerned are told of each once (the emails refer to it)."""

    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="changes", verbose_name=_("session")
    )
    # The session's calendar revision this change produced: one change per revision.
    sequence = models.PositiveIntegerField(_("revision"))
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)
    previous_starts_at = models.DateTimeField(_("previous start"))
    previous_ends_at = models.DateTimeField(_("previous end"))
    previous_room = models.ForeignKey(
        Room,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("previous room"),
    )
    previous_location = models.CharField(_("previous location"), max_length=200, blank=True)
    previous_meeting_point = models.CharField(
        _("previous meeting point"), max_length=200, blank=True
    )
    previous_meeting_time = models.TimeField(_("previous meeting time"), null=True, blank=True)
    new_starts_at = models.DateTimeField(_("new start"))
    new_ends_at = models.DateTimeField(_("new end"))
    new_room = models.ForeignKey(
        Room,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("new room"),
    )
    new_location = models.CharField(_("new location"), max_length=200, blank=True)
    new_meeting_point = models.CharField(_("new meeting point"), max_length=200, blank=True)
    new_meeting_time = models.TimeField(_("new meeting time"), null=True, blank=True)

    class Meta:
        verbose_name = _("session change")
        verbose_name_plural = _("session changes")
        ordering = ["session", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "sequence"], name="session_change_one_per_revision"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session} #{self.sequence}"
