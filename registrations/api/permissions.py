"""What a token may do: the view's scope, and its user's Django permission on top of it."""

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from registrations.models import ApiToken


class TokenScopePermission(BasePermission):
    """The view names `required_scope` and `required_permission`; a token needs the scope and its
    user the permission (a token of a Viewer never writes, whatever its scopes)."""

    message = _("This token’s scopes or its user’s permissions do not allow this.")

    def has_permission(self, request: Request, view) -> bool:
        token = request.auth
        if not isinstance(token, ApiToken):
            return False
        return token.has_scope(view.required_scope) and request.user.has_perm(
            view.required_permission
        )
