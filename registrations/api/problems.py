"""Errors as RFC 9457 problem details (`application/problem+json`), with one entry per invalid
field, whatever raised them: DRF's own exceptions, a service's refusal, a model's validation."""

from http import HTTPStatus
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from registrations.errors import RegistrationError

PROBLEM_CONTENT_TYPE = "application/problem+json"


class FieldErrorSerializer(serializers.Serializer):
    # A JSON pointer into the request body (RFC 6901), e.g. "#/email"; "#" for the whole body.
    pointer = serializers.CharField()
    detail = serializers.CharField()


class ProblemSerializer(serializers.Serializer):
    """The body of every error response."""

    type = serializers.CharField(default="about:blank")
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField(required=False)
    errors = FieldErrorSerializer(many=True, required=False)


class RefusedError(exceptions.APIException):
    """A rule of the services refused the change (registration closed, no places left for the
    authority, a clash of sessions, a cancelled delegate at the door)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = _("The request conflicts with the current state of the registration.")
    default_code = "refused"


def _field_errors(detail: Any, pointer: str = "#") -> list[dict[str, str]]:
    if isinstance(detail, dict):
        return [
            error
            for field, value in detail.items()
            for error in _field_errors(
                value, pointer if field == "non_field_errors" else f"{pointer}/{field}"
            )
        ]
    if isinstance(detail, list):
        if all(isinstance(item, str) for item in detail):
            return [{"pointer": pointer, "detail": str(item)} for item in detail]
        return [
            error
            for index, item in enumerate(detail)
            for error in _field_errors(item, f"{pointer}/{index}")
        ]
    return [{"pointer": pointer, "detail": str(detail)}]


def problem_response(
    status_code: int, *, detail: str | None = None, errors: list | None = None, headers=None
) -> Response:
    body: dict[str, Any] = {
        "type": "about:blank",
        # RFC 9457: with type about:blank, the title is the status's phrase.
        "title": status_title(status_code),
        "status": status_code,
    }
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
    return Response(body, status=status_code, headers=headers, content_type=PROBLEM_CONTENT_TYPE)


def status_title(status_code: int) -> str:
    return HTTPStatus(status_code).phrase


def problem_exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, RegistrationError):
        exc = RefusedError(exc.message)
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response
    headers = {
        name: value
        for name, value in response.items()
        if name in ("WWW-Authenticate", "Retry-After", "Allow")
    }
    if isinstance(exc, exceptions.ValidationError):
        return problem_response(
            response.status_code,
            detail=str(_("The request is not valid.")),
            errors=_field_errors(exc.detail),
            headers=headers,
        )
    return problem_response(response.status_code, detail=str(exc.detail), headers=headers)
