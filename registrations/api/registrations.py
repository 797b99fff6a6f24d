"""Registrations through an organiser's token: list (filtered, cursor-paginated), read, create
with the public form's rules, cancel, and their session bookings."""

from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from conference.models import Conference, Session
from registrations.api.idempotency import IDEMPOTENCY_KEY_MAX_LENGTH, idempotent_create
from registrations.api.permissions import TokenScopePermission
from registrations.api.problems import RefusedError
from registrations.api.registration_serializers import (
    BookingCreateSerializer,
    BookingSerializer,
    RegistrationCreateSerializer,
    RegistrationFilterSerializer,
    RegistrationSerializer,
)
from registrations.api.throttles import TokenRateThrottle
from registrations.forms.registration import RegistrationForm
from registrations.models import ApiScope, Registration, SessionBooking
from registrations.onsite.desk import registrations_with_desk_check_in
from registrations.permissions import CHANGE_REGISTRATION, VIEW_REGISTRATION
from registrations.places.bookings import session_booking_add, session_booking_remove
from registrations.places.registrations import registration_create
from registrations.places.selectors import sessions_for_sign_up
from registrations.places.status import registration_cancel

IDEMPOTENCY_KEY_PARAMETER = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    description=(
        "Any unique string (a UUID): a retried request with the same key creates nothing more "
        "and answers with the registration the first attempt made, for "
        f"{settings.API_IDEMPOTENCY_KEY_HOURS} hours after the first attempt; then the key is "
        "forgotten."
    ),
)


class RegistrationCursorPagination(CursorPagination):
    # The id never changes and never repeats: a page boundary cannot skip or repeat a row,
    # whatever is written meanwhile.
    ordering = "pk"
    page_size = 100
    max_page_size = 500
    page_size_query_param = "page_size"


class TokenView(APIView):
    """A conference's data for a token with the view's scope, whose user holds the view's
    permission; the conference is looked up only after that check."""

    permission_classes = [TokenScopePermission]
    throttle_classes = [TokenRateThrottle]
    required_scope = ApiScope.READ_REGISTRATIONS
    required_permission = VIEW_REGISTRATION

    @cached_property
    def conference(self) -> Conference:
        return get_object_or_404(Conference, slug=self.kwargs["slug"])

    def registrations(self) -> QuerySet[Registration]:
        registrations = self.conference.registrations.select_related("conference", "authority")
        return registrations_with_desk_check_in(registrations.prefetch_related("bookings__session"))

    def registration(self) -> Registration:
        return get_object_or_404(self.registrations(), reference=self.kwargs["reference"])

    def serialize(self, registration: Registration) -> dict:
        return RegistrationSerializer(registration, context={"request": self.request}).data


class ReadWriteTokenView(TokenView):
    """GET reads; the other methods of the same address write, with the write scope."""

    def get_permissions(self):
        if self.request.method not in ("GET", "HEAD", "OPTIONS"):
            self.required_scope = ApiScope.WRITE_REGISTRATIONS
            self.required_permission = CHANGE_REGISTRATION
        return super().get_permissions()


class RegistrationListView(ReadWriteTokenView):
    pagination_class = RegistrationCursorPagination

    @extend_schema(
        operation_id="registrations_list",
        summary="Registrations, filtered, oldest first (cursor-paginated)",
        parameters=[RegistrationFilterSerializer],
        responses={200: RegistrationSerializer(many=True)},
    )
    def get(self, request: Request, slug: str) -> Response:
        filters = RegistrationFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        registrations = filtered(self.registrations(), filters.validated_data)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(registrations, request, view=self)
        data = RegistrationSerializer(page, many=True, context={"request": request}).data
        return paginator.get_paginated_response(data)

    @extend_schema(
        operation_id="registration_create",
        summary="Register a delegate, with the public form's rules",
        description=(
            "Confirmed while places remain, on the waiting list after that, or pending an "
            "organiser's approval (non-member authorities), as on the public form. Sessions "
            "that ask for identity data (site visits) are refused with 409: the delegate "
            "books them on their personal page, where they give the data and their consent."
        ),
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        request=RegistrationCreateSerializer,
        responses={201: RegistrationSerializer, 200: RegistrationSerializer},
    )
    def post(self, request: Request, slug: str) -> Response:
        conference = self.conference
        body = RegistrationCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        # Before the form, whose identity fields the body cannot carry, would ask for them.
        refuse_sessions_asking_identity(
            conference.sessions.filter(pk__in=body.validated_data.get("sessions", []))
        )
        form = RegistrationForm(body.form_data(), conference=conference, submit_label="")
        if not form.is_valid():
            raise form_validation_error(form)

        def create() -> Registration:
            outcome = registration_create(
                conference=conference,
                data=form.registration_data(),
                authority=form.cleaned_data.get("authority"),
                new_authority=form.new_authority(),
                special_needs_consent=form.cleaned_data["special_needs_consent"],
                sessions=form.cleaned_data["sessions"],
            )
            if not outcome.created:
                raise RefusedError(_("This email address is already registered."))
            return outcome.registration

        key = request.headers.get("Idempotency-Key", "").strip()
        if len(key) > IDEMPOTENCY_KEY_MAX_LENGTH:
            raise ValidationError(
                {"Idempotency-Key": [_("At most 255 characters.")]}, code="max_length"
            )
        if key:
            result = idempotent_create(
                token=request.auth,
                key=key,
                body=request.body,
                conference=conference,
                create=create,
            )
            registration, created = result.registration, result.created
        else:
            # One transaction either way: a refusal leaves nothing behind.
            with transaction.atomic():
                registration, created = create(), True
        response = Response(
            self.serialize(self.registrations().get(pk=registration.pk)),
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )
        response["Location"] = request.build_absolute_uri(
            f"{request.path}{registration.reference}/"
        )
        return response


def refuse_sessions_asking_identity(sessions: Iterable[Session]) -> None:
    """A site visit that asks for identity data is booked only with the data and the delegate's
    own consent to pass them on, given together (as on the site's forms): an organiser's
    system can give neither, so the delegate books such a visit on their personal page."""
    for session in sessions:
        if session.requires_identity_data:
            raise RefusedError(
                _(
                    "“%(title)s” asks for identity data, which only the delegate can give, "
                    "with their consent: they book this visit themselves on their personal "
                    "page (the link in their confirmation email)."
                )
                % {"title": session.title}
            )


def form_validation_error(form: RegistrationForm) -> ValidationError:
    """The form's errors, by the body's field names (they are the form's)."""
    errors = {
        ("non_field_errors" if field == "__all__" else field): [str(e) for e in messages]
        for field, messages in form.errors.items()
    }
    return ValidationError(errors)


def filtered(registrations: QuerySet[Registration], filters: dict) -> QuerySet[Registration]:
    lookups = {
        "status": "status",
        "authority": "authority_id",
        "country": "authority__country",
        "category": "category",
        "updated_since": "updated_at__gte",
    }
    registrations = registrations.filter(
        **{lookups[name]: value for name, value in filters.items() if name in lookups}
    )
    if "session" in filters:
        registrations = registrations.filter(
            Exists(
                SessionBooking.objects.filter(
                    registration=OuterRef("pk"), session_id=filters["session"]
                )
            )
        )
    return registrations


class RegistrationDetailView(TokenView):
    @extend_schema(
        operation_id="registration_read",
        summary="One registration, by its reference",
        responses={200: RegistrationSerializer},
    )
    def get(self, request: Request, slug: str, reference: str) -> Response:
        return Response(self.serialize(self.registration()))


class RegistrationCancelView(TokenView):
    required_scope = ApiScope.WRITE_REGISTRATIONS
    required_permission = CHANGE_REGISTRATION

    @extend_schema(
        operation_id="registration_cancel",
        summary="Cancel a registration (its place goes to the waiting list); idempotent",
        request=None,
        responses={200: RegistrationSerializer},
    )
    def post(self, request: Request, slug: str, reference: str) -> Response:
        registration_cancel(registration=self.registration())
        return Response(self.serialize(self.registration()))


class BookingListView(ReadWriteTokenView):
    @extend_schema(
        operation_id="bookings_list",
        summary="A delegate's sessions: booked, or in the waiting list",
        responses={200: BookingSerializer(many=True)},
    )
    def get(self, request: Request, slug: str, reference: str) -> Response:
        bookings = self.registration().bookings.select_related("session")
        return Response(BookingSerializer(bookings.order_by("session__starts_at"), many=True).data)

    @extend_schema(
        operation_id="booking_create",
        summary="Book a session: a place while places remain, its waiting list after that",
        description=(
            "A session that asks for identity data (a site visit, `requires_identity_data` in "
            "the programme) is refused with 409: the delegate books it on their personal "
            "page, where they give the data and their consent."
        ),
        request=BookingCreateSerializer,
        responses={201: BookingSerializer, 200: BookingSerializer},
    )
    def post(self, request: Request, slug: str, reference: str) -> Response:
        body = BookingCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        registration = self.registration()
        session = get_object_or_404(
            sessions_for_sign_up(self.conference), pk=body.validated_data["session"]
        )
        # A visit the delegate booked themselves, with their identity data, is simply there.
        if not registration.bookings.filter(session=session).exists():
            refuse_sessions_asking_identity([session])
        booking, created = session_booking_add(registration=registration, session=session)
        return Response(
            BookingSerializer(booking).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class BookingDetailView(TokenView):
    required_scope = ApiScope.WRITE_REGISTRATIONS
    required_permission = CHANGE_REGISTRATION

    @extend_schema(
        operation_id="booking_delete",
        summary="Give up a session (its place goes to its waiting list)",
        responses={204: None},
    )
    def delete(self, request: Request, slug: str, reference: str, session: int) -> Response:
        if not session_booking_remove(registration=self.registration(), session_id=session):
            raise Http404
        return Response(status=status.HTTP_204_NO_CONTENT)
