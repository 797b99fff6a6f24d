"""The public, read-only part: the conference, its programme, speakers and the authorities
taking part, in English or French, with ETag and Last-Modified so that a website polls cheaply.
No token, CORS open (settings.CORS_URLS_REGEX)."""

import hashlib
from datetime import UTC, datetime

from django.core.cache import cache
from django.http import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.utils import translation
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.functional import cached_property
from django.utils.http import http_date, quote_etag
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from conference.models import Conference
from conference.selectors import conference_speakers, programme_sessions
from config.cache_safety import without_cache_if_down
from registrations.api.public_serializers import (
    AuthoritySerializer,
    ConferenceSerializer,
    ConferenceSummarySerializer,
    SessionSerializer,
    SpeakerSerializer,
)
from registrations.api.throttles import PublicRateThrottle
from registrations.authorities.selectors import authorities_listed_publicly
from registrations.places.selectors import registration_availability, session_availability

API_LANGUAGES = ("en", "fr")
# How long a client may use a response before asking again (with If-None-Match): places left
# change with every registration.
PUBLIC_MAX_AGE = 60
# When a representation was first served is remembered this long (its Last-Modified).
FIRST_SEEN_TIMEOUT = 60 * 60 * 24 * 30

LANG_PARAMETER = OpenApiParameter(
    "lang",
    OpenApiTypes.STR,
    enum=list(API_LANGUAGES),
    description="Language of the texts; without it, Accept-Language decides (English by default).",
)


def first_served_at(path: str, etag: str) -> datetime:
    """When this exact representation was first served: its Last-Modified. The programme's
    rows keep no modification time, but their representation's digest says when it changed.
    Should the cache forget it, the date only moves later, which makes clients fetch once more."""
    key = "api-first-served:" + hashlib.sha256(f"{path} {etag}".encode()).hexdigest()
    now = datetime.now(UTC).replace(microsecond=0)
    return datetime.fromtimestamp(_first_seen(key, now.timestamp()), UTC)


def _now_timestamp() -> float:
    # With the cache down: served now, as if the representation had just changed.
    return datetime.now(UTC).replace(microsecond=0).timestamp()


@without_cache_if_down("API representations dated", default=_now_timestamp)
def _first_seen(key: str, now: float) -> float:
    cache.add(key, now, FIRST_SEEN_TIMEOUT)
    return cache.get(key, now)


class PublicView(APIView):
    """Anyone may read; the language is `?lang=`, else Accept-Language; answers carry an ETag
    and a Last-Modified, and a conditional GET that matches gets 304 with no body."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [PublicRateThrottle]

    def initial(self, request: Request, *args, **kwargs) -> None:
        language = request.query_params.get("lang")
        if language in API_LANGUAGES:
            translation.activate(language)
            request._request.LANGUAGE_CODE = language
        elif translation.get_language() not in API_LANGUAGES:
            translation.activate("en")
        super().initial(request, *args, **kwargs)

    @cached_property
    def conference(self) -> Conference:
        return get_object_or_404(Conference.objects.published(), slug=self.kwargs["slug"])

    def conditional(self, request: Request, data) -> HttpResponseBase:
        language = translation.get_language()
        body = JSONRenderer().render(data)
        etag = quote_etag(hashlib.sha256(language.encode() + b" " + body).hexdigest()[:40])
        last_modified = first_served_at(request.path, etag)
        response: HttpResponseBase = Response(data)
        not_modified = get_conditional_response(
            request._request, etag=etag, last_modified=int(last_modified.timestamp())
        )
        if not_modified is not None:
            response = not_modified
        response["ETag"] = etag
        response["Last-Modified"] = http_date(last_modified.timestamp())
        response["Content-Language"] = language
        response["Cache-Control"] = f"public, max-age={PUBLIC_MAX_AGE}"
        patch_vary_headers(response, ["Accept-Language"])
        return response


class ConferenceListView(PublicView):
    @extend_schema(
        operation_id="conferences_list",
        summary="Published conferences",
        parameters=[LANG_PARAMETER],
        responses={200: ConferenceSummarySerializer(many=True)},
    )
    def get(self, request: Request) -> HttpResponseBase:
        conferences = (
            Conference.objects.published().select_related("venue").order_by("-start_date", "pk")
        )
        data = ConferenceSummarySerializer(
            conferences, many=True, context={"request": request}
        ).data
        return self.conditional(request, data)


class ConferenceDetailView(PublicView):
    @extend_schema(
        operation_id="conference_read",
        summary="A conference: dates, venue, where registration stands, places left",
        parameters=[LANG_PARAMETER],
        responses={200: ConferenceSerializer},
    )
    def get(self, request: Request, slug: str) -> HttpResponseBase:
        conference = self.conference
        data = ConferenceSerializer(
            conference,
            context={
                "request": request,
                "availability": registration_availability(conference=conference),
            },
        ).data
        return self.conditional(request, data)


class SessionListView(PublicView):
    @extend_schema(
        operation_id="programme_list",
        summary="The programme: sessions in order, with rooms, speakers and places left",
        parameters=[LANG_PARAMETER],
        responses={200: SessionSerializer(many=True)},
    )
    def get(self, request: Request, slug: str) -> HttpResponseBase:
        sessions = programme_sessions(self.conference)
        context = {
            "request": request,
            "conference": self.conference,
            "availability": session_availability(sessions),
        }
        data = SessionSerializer(sessions, many=True, context=context).data
        return self.conditional(request, data)


class SpeakerListView(PublicView):
    @extend_schema(
        operation_id="speakers_list",
        summary="The conference's speakers, alphabetical",
        parameters=[LANG_PARAMETER],
        responses={200: SpeakerSerializer(many=True)},
    )
    def get(self, request: Request, slug: str) -> HttpResponseBase:
        speakers = conference_speakers(self.conference)
        data = SpeakerSerializer(speakers, many=True, context={"request": request}).data
        return self.conditional(request, data)


class AuthorityListView(PublicView):
    @extend_schema(
        operation_id="authorities_list",
        summary="Authorities taking part (members of the network with a confirmed delegate)",
        parameters=[LANG_PARAMETER],
        responses={200: AuthoritySerializer(many=True)},
    )
    def get(self, request: Request, slug: str) -> HttpResponseBase:
        authorities = authorities_listed_publicly(self.conference)
        data = AuthoritySerializer(authorities, many=True, context={"request": request}).data
        return self.conditional(request, data)
