"""What the public part of the API shows of the conference and its programme. Texts are in the
active language (django-modeltranslation's fields, with their fallback)."""

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from conference.models import SESSION_LANGUAGES, Conference, Room, Session, Speaker, Theme, Venue
from registrations.models import Authority
from registrations.places.selectors import RegistrationState

LANGUAGE_CODES = [code for code, _label in SESSION_LANGUAGES]


class ConferenceDateTimeField(serializers.DateTimeField):
    """ISO 8601 with the offset of the conference's time zone (`2021-10-20T09:30:00+02:00`), as
    the programme prints its times."""

    def to_representation(self, value):
        conference = self.context.get("conference")
        if conference is not None:
            value = timezone.localtime(value, conference.tzinfo)
        return value.isoformat()


@extend_schema_field(OpenApiTypes.URI)
class AbsoluteUrlField(serializers.Field):
    def __init__(self, **kwargs):
        kwargs["source"] = "*"
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value) -> str:
        return self.context["request"].build_absolute_uri(value.get_absolute_url())


class VenueSerializer(serializers.ModelSerializer):
    country = serializers.CharField(source="country.code")

    class Meta:
        model = Venue
        fields = ["name", "street_address", "postal_code", "city", "country", "website"]


class RegistrationStandingSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=[state.value for state in RegistrationState])
    opens_at = ConferenceDateTimeField()
    closes_at = ConferenceDateTimeField()
    places_left = serializers.IntegerField(min_value=0)
    waiting = serializers.IntegerField(min_value=0)


class ConferenceSummarySerializer(serializers.ModelSerializer):
    url = AbsoluteUrlField()

    class Meta:
        model = Conference
        fields = ["slug", "name", "tagline", "start_date", "end_date", "time_zone", "url"]


class ConferenceSerializer(serializers.ModelSerializer):
    venue = VenueSerializer()
    registration = serializers.SerializerMethodField()
    url = AbsoluteUrlField()

    class Meta:
        model = Conference
        fields = [
            "slug",
            "name",
            "tagline",
            "description",
            "organiser",
            "website",
            "start_date",
            "end_date",
            "time_zone",
            "venue",
            "capacity",
            "registration",
            "contact_email",
            "url",
        ]

    @extend_schema_field(RegistrationStandingSerializer)
    def get_registration(self, conference: Conference) -> dict:
        availability = self.context["availability"]
        return RegistrationStandingSerializer(
            {
                "state": availability.state.value,
                "opens_at": conference.registration_opens_at,
                "closes_at": conference.registration_closes_at,
                "places_left": availability.places_left,
                "waiting": availability.waiting,
            },
            context={"conference": conference},
        ).data


class RoomSerializer(serializers.ModelSerializer):
    class Meta:
        model = Room
        fields = ["name", "capacity"]


class ThemeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Theme
        fields = ["slug", "name"]


class SessionSpeakerSerializer(serializers.ModelSerializer):
    country = serializers.CharField(source="country.code", allow_blank=True)

    class Meta:
        model = Speaker
        fields = ["id", "full_name", "role", "organisation", "country"]


class SessionSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display")
    starts_at = ConferenceDateTimeField()
    ends_at = ConferenceDateTimeField()
    room = RoomSerializer(allow_null=True)
    themes = ThemeSerializer(many=True)
    speakers = SessionSpeakerSerializer(many=True)
    interpretation_languages = serializers.ListField(
        child=serializers.ChoiceField(choices=LANGUAGE_CODES)
    )
    requires_sign_up = serializers.BooleanField()
    requires_identity_data = serializers.BooleanField(
        help_text=(
            "A site visit whose hosts need identity data: delegates book it on their "
            "personal page, not through the API."
        )
    )
    capacity = serializers.IntegerField(source="effective_capacity", allow_null=True)
    places_left = serializers.SerializerMethodField()

    class Meta:
        model = Session
        fields = [
            "id",
            "kind",
            "kind_label",
            "title",
            "description",
            "starts_at",
            "ends_at",
            "room",
            "location",
            "language",
            "interpretation_languages",
            "themes",
            "speakers",
            "requires_sign_up",
            "requires_identity_data",
            "capacity",
            "places_left",
        ]

    @extend_schema_field(serializers.IntegerField(allow_null=True, min_value=0))
    def get_places_left(self, session: Session) -> int | None:
        """None for sessions everyone may attend, and for sign-up without a limit."""
        availability = self.context["availability"].get(session.pk)
        return availability.places_left if availability is not None else None


class SpeakerSerializer(serializers.ModelSerializer):
    country = serializers.CharField(source="country.code", allow_blank=True)
    sessions = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Speaker
        fields = ["id", "full_name", "role", "organisation", "country", "biography", "sessions"]


class AuthoritySerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display")
    country = serializers.CharField(source="country.code")
    country_name = serializers.CharField(source="country.name")

    class Meta:
        model = Authority
        fields = ["name", "kind", "kind_label", "country", "country_name"]
