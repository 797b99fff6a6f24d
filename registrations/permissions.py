"""The permissions of registrations, by the names Django checks them with (`user.has_perm`).
Views, the admin and tests use these constants; templates spell them as `perms.registrations.…`.
The groups that hold them are made by migrations (Organisers, Viewers, Registration desk)."""

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

if TYPE_CHECKING:
    # For the type only: the constants stay importable before the apps are loaded.
    from django.contrib.auth.models import AnonymousUser, User

VIEW_REGISTRATION = "registrations.view_registration"
CHANGE_REGISTRATION = "registrations.change_registration"
# Custom permissions, declared in Registration.Meta.permissions.
EXPORT_REGISTRATIONS = "registrations.export_registrations"
VIEW_SPECIAL_NEEDS = "registrations.view_special_needs"
CHECK_IN = "registrations.check_in"
# Organisers and the registration desk print badges; Viewers do not.
PRINT_BADGES = "registrations.print_badges"
# Booking beyond a session's places, or a room or capacity change that leaves it overbooked.
BOOK_OVER_CAPACITY = "registrations.book_over_capacity"
CHANGE_OUTBOUND_EMAIL = "registrations.change_outboundemail"
CHANGE_WEBHOOK_DELIVERY = "registrations.change_webhookdelivery"
# Site-visit identity data (on the visits' rosters and their export) and visa letter requests
# (their review); the Organisers group holds them, Viewers do not.
VIEW_VISIT_IDENTITY = "registrations.view_sitevisitidentity"
REVIEW_VISA_LETTERS = "registrations.change_visaletterrequest"


# Staff holding any of these must pass a second factor (two-factor authentication) to use the
# admin: they reach delegates' health-related needs, or can change or take away personal data.
TWO_FACTOR_PERMISSIONS = (
    VIEW_SPECIAL_NEEDS,
    CHANGE_REGISTRATION,
    EXPORT_REGISTRATIONS,
    VIEW_VISIT_IDENTITY,
    REVIEW_VISA_LETTERS,
)


def two_factor_required(user: "User | AnonymousUser") -> bool:
    """Whether this user must be verified with a second factor before using the admin
    (superusers hold every permission, so they must too; inactive users hold none)."""
    return any(user.has_perm(permission) for permission in TWO_FACTOR_PERMISSIONS)


def permitted_user(request: HttpRequest) -> "User":
    """The user of a request that passed a permission check (a view's PermissionRequiredMixin):
    never anonymous, since Django grants an anonymous visitor no permission. Should one get
    this far all the same, they are refused."""
    user = request.user
    if not user.is_authenticated:
        raise PermissionDenied
    return user
