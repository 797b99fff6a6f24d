"""`Authorization: Bearer <secret>` with an organiser's API token."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from registrations.api.tokens import api_token_resolve, api_token_touch
from registrations.models import ApiScope


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """The request's user is the token's user; `request.auth` is the token, whose scopes the
    views' permissions check."""

    keyword = "Bearer"

    def authenticate(self, request: Request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Give the token after “Bearer ”."))
        try:
            secret = header[1].decode()
        except UnicodeDecodeError as error:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from error
        token = api_token_resolve(secret)
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid, expired or revoked token."))
        api_token_touch(token)
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        # Makes DRF answer 401 (with this challenge) rather than 403 to a request without one.
        return f'{self.keyword} realm="api"'


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = ApiTokenAuthentication
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        scopes = "; ".join(f"`{scope.value}`: {scope.label}" for scope in ApiScope)
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "An API token made in the admin (shown once). Scopes: "
                f"{scopes}. The token's user's permissions apply on top of its scopes."
            ),
        }
