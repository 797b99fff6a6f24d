"""What organisers' systems read and send about registrations. Special needs appear only for a
token whose user holds the permission to see them; otherwise `special_needs` is null."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from conference.models import SESSION_LANGUAGES
from registrations.models import Authority, CheckIn, Registration, SessionBooking
from registrations.onsite.certificates import registration_attended
from registrations.permissions import VIEW_SPECIAL_NEEDS

# The largest id any of our databases stores (a signed 64-bit integer): a larger number is
# refused as invalid rather than reaching the database (SQLite cannot even bind it).
MAX_ID = 2**63 - 1


class RegistrationAuthoritySerializer(serializers.ModelSerializer):
    country = serializers.CharField(source="country.code")

    class Meta:
        model = Authority
        fields = ["id", "name", "kind", "country", "is_member"]


class BookingSerializer(serializers.ModelSerializer):
    session = serializers.IntegerField(source="session_id")
    session_title = serializers.CharField(source="session.title")

    class Meta:
        model = SessionBooking
        fields = ["session", "session_title", "status", "created_at", "booked_at"]


class SpecialNeedsSerializer(serializers.Serializer):
    dietary_needs = serializers.CharField(allow_blank=True)
    accessibility_needs = serializers.CharField(allow_blank=True)


class RegistrationSerializer(serializers.ModelSerializer):
    conference = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    authority = RegistrationAuthoritySerializer()
    phone = serializers.CharField()
    name_on_badge = serializers.CharField()
    checked_in = serializers.SerializerMethodField()
    bookings = BookingSerializer(many=True)
    special_needs = serializers.SerializerMethodField()

    class Meta:
        model = Registration
        fields = [
            "reference",
            "conference",
            "status",
            "authority",
            "first_name",
            "last_name",
            "badge_name",
            "name_on_badge",
            "email",
            "job_title",
            "organisation",
            "phone",
            "category",
            "preferred_language",
            "interpretation_language",
            "created_at",
            "updated_at",
            "confirmed_at",
            "waitlisted_at",
            "cancelled_at",
            "checked_in",
            "bookings",
            "special_needs",
        ]

    def get_checked_in(self, registration: Registration) -> bool:
        """Checked in at the conference desk (a check-in that was not undone)."""
        annotated = getattr(registration, "is_checked_in", None)
        if annotated is not None:
            return annotated
        return registration_attended(registration)

    @extend_schema_field(SpecialNeedsSerializer(allow_null=True))
    def get_special_needs(self, registration: Registration) -> dict | None:
        if not self.context["request"].user.has_perm(VIEW_SPECIAL_NEEDS):
            return None
        return SpecialNeedsSerializer(registration).data


class RegistrationFilterSerializer(serializers.Serializer):
    """The list's filters, all optional; `updated_since` for an incremental sync."""

    status = serializers.ChoiceField(choices=Registration.Status.choices, required=False)
    authority = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)
    country = serializers.RegexField(r"^[A-Z]{2}$", required=False)
    category = serializers.ChoiceField(choices=Registration.Category.choices, required=False)
    session = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)
    updated_since = serializers.DateTimeField(required=False)


class RegistrationCreateSerializer(serializers.Serializer):
    """The public registration form's fields, validated by that form (registrations.forms)."""

    authority = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        required=False,
        help_text="An authority's id; or name a new one.",
    )
    new_authority_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    new_authority_country = serializers.RegexField(r"^[A-Z]{2}$", required=False)
    new_authority_kind = serializers.ChoiceField(choices=Authority.Kind.choices, required=False)
    first_name = serializers.CharField(max_length=100)
    last_name = serializers.CharField(max_length=100)
    email = serializers.EmailField(max_length=254)
    badge_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    job_title = serializers.CharField(max_length=150)
    organisation = serializers.CharField(max_length=200, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    category = serializers.ChoiceField(
        choices=[c for c in Registration.Category.choices if c[0] != Registration.Category.STAFF],
        default=Registration.Category.DELEGATE,
    )
    preferred_language = serializers.ChoiceField(
        choices=Registration.Language.choices, default=Registration.Language.ENGLISH
    )
    interpretation_language = serializers.ChoiceField(
        choices=SESSION_LANGUAGES, required=False, allow_blank=True
    )
    dietary_needs = serializers.CharField(max_length=500, required=False, allow_blank=True)
    accessibility_needs = serializers.CharField(max_length=500, required=False, allow_blank=True)
    special_needs_consent = serializers.BooleanField(required=False, default=False)
    privacy_consent = serializers.BooleanField(
        help_text="The delegate accepted the privacy notice (required, as on the form)."
    )
    sessions = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID), required=False, max_length=50
    )

    def form_data(self) -> dict[str, Any]:
        """The validated body as the registration form reads its fields."""
        data = dict(self.validated_data)
        if "authority" in data:
            data["authority"] = str(data["authority"])
        data["sessions"] = [str(pk) for pk in data.get("sessions", [])]
        return data


class BookingCreateSerializer(serializers.Serializer):
    session = serializers.IntegerField(min_value=1, max_value=MAX_ID)


class CheckInRequestSerializer(serializers.Serializer):
    """The delegate, by the token their badge's QR code carries or by their reference; at the
    desk (no session) or at the door of a session that needs sign-up."""

    badge_token = serializers.CharField(max_length=300, required=False)
    reference = serializers.RegexField(r"^[A-Z0-9-]{1,12}$", required=False)
    session = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, required=False, allow_null=True
    )

    def validate(self, attrs: dict) -> dict:
        if bool(attrs.get("badge_token")) == bool(attrs.get("reference")):
            raise serializers.ValidationError(_("Give either badge_token or reference."))
        return attrs


class CheckInSerializer(serializers.ModelSerializer):
    registration = serializers.CharField(source="registration.reference")
    session = serializers.IntegerField(source="session_id", allow_null=True)
    checked_in_by = serializers.CharField(source="checked_in_by.username", allow_null=True)
    undone_by = serializers.CharField(source="undone_by.username", allow_null=True)

    class Meta:
        model = CheckIn
        fields = [
            "id",
            "registration",
            "session",
            "checked_in_at",
            "checked_in_by",
            "undone_at",
            "undone_by",
        ]


class CheckInResultSerializer(serializers.Serializer):
    check_in = CheckInSerializer()
    # True when the delegate already was checked in there: nothing new was written.
    already = serializers.BooleanField()
