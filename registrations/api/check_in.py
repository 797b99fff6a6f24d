"""Check-in through a token, as the desk does it: by the badge's token or the reference, at the
desk or at a session's door; checking in twice, or undoing twice, changes nothing."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from conference.models import Session
from registrations.api.registration_serializers import (
    CheckInRequestSerializer,
    CheckInResultSerializer,
)
from registrations.api.registrations import TokenView
from registrations.documents.tokens import reference_from_badge_token
from registrations.models import ApiScope, CheckIn, Registration
from registrations.onsite.check_in import check_in, check_in_undo, check_ins_standing
from registrations.permissions import CHECK_IN
from registrations.places.selectors import sessions_for_sign_up


class CheckInView(TokenView):
    required_scope = ApiScope.CHECK_IN
    required_permission = CHECK_IN

    def target(self, request: Request) -> tuple[Registration, Session | None]:
        body = CheckInRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        reference = body.validated_data.get("reference") or reference_from_badge_token(
            body.validated_data.get("badge_token", "")
        )
        registration = get_object_or_404(
            self.conference.registrations.select_related("conference"), reference=reference
        )
        session = None
        if body.validated_data.get("session") is not None:
            # The doors checked are those of sessions that need sign-up, as at the desk.
            session = get_object_or_404(
                sessions_for_sign_up(self.conference), pk=body.validated_data["session"]
            )
        return registration, session

    @extend_schema(
        operation_id="check_in_create",
        summary="Check a delegate in at the desk or at a session's door (idempotent)",
        request=CheckInRequestSerializer,
        responses={201: CheckInResultSerializer, 200: CheckInResultSerializer},
    )
    def post(self, request: Request, slug: str) -> Response:
        registration, session = self.target(request)
        result = check_in(registration=registration, by=request.user, session=session)
        return Response(
            CheckInResultSerializer(result).data,
            status=status.HTTP_200_OK if result.already else status.HTTP_201_CREATED,
        )


class CheckInUndoView(CheckInView):
    @extend_schema(
        operation_id="check_in_undo",
        summary="Undo the delegate's check-in there (idempotent: undone stays undone)",
        request=CheckInRequestSerializer,
        responses={200: CheckInResultSerializer},
    )
    def post(self, request: Request, slug: str) -> Response:
        registration, session = self.target(request)
        standing = check_ins_standing(session).filter(registration=registration).first()
        if standing is None:
            # Already undone: the latest check-in there, as it stands.
            latest = get_object_or_404(
                CheckIn.objects.filter(registration=registration, session=session).order_by(
                    "-checked_in_at", "-pk"
                )[:1]
            )
            return Response(CheckInResultSerializer({"check_in": latest, "already": True}).data)
        undone = check_in_undo(check_in=standing, by=request.user)
        return Response(CheckInResultSerializer({"check_in": undone, "already": False}).data)
