"""Staff accounts in the admin: Django's user admin, with an action for superusers that lifts
the login lockout (django-axes, whose counters live in the cache, so axes's own admin pages,
made for its database handler, would list nothing)."""

from axes.utils import reset as axes_reset
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

admin.site.unregister(User)


@admin.register(User)
class StaffUserAdmin(UserAdmin):
    actions = ["unlock_login"]

    @admin.action(
        description=_("Unlock sign-in (after too many failed attempts)"), permissions=["unlock"]
    )
    def unlock_login(self, request, queryset):
        users = list(queryset)
        for user in users:
            axes_reset(username=user.get_username())
        self.message_user(
            request,
            ngettext(
                "Sign-in unlocked for %(count)d account.",
                "Sign-in unlocked for %(count)d accounts.",
                len(users),
            )
            % {"count": len(users)},
            messages.SUCCESS,
        )

    def has_unlock_permission(self, request) -> bool:
        return request.user.is_superuser
