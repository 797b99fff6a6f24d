"""The delegate directory and meeting requests in the admin: for organisers to look at (Viewers
read them too), with the reported requests a filter away. What delegates wrote is theirs: the
admin changes nothing, it may only delete (organisers) an entry or a request."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from registrations.models import DirectoryListing, MeetingRequest


class _ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ListedFilter(admin.SimpleListFilter):
    title = _("listed")
    parameter_name = "listed"

    def lookups(self, request, model_admin):
        return [("yes", _("Listed")), ("no", _("Withdrawn"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(withdrawn_at=None)
        if self.value() == "no":
            return queryset.exclude(withdrawn_at=None)
        return queryset


class ReportedFilter(admin.SimpleListFilter):
    title = _("reported")
    parameter_name = "reported"

    def lookups(self, request, model_admin):
        return [("yes", _("Reported")), ("no", _("Not reported"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.exclude(reported_at=None)
        if self.value() == "no":
            return queryset.filter(reported_at=None)
        return queryset


@admin.register(DirectoryListing)
class DirectoryListingAdmin(_ReadOnlyAdmin):
    list_display = ["registration", "delegate", "listed_at", "withdrawn_at"]
    list_filter = [ListedFilter, "registration__conference"]
    search_fields = ["registration__reference", "registration__last_name"]
    list_select_related = ["registration"]
    fields = ["registration", "listed_at", "withdrawn_at", "languages", "themes", "updated_at"]

    @admin.display(description=_("delegate"))
    def delegate(self, obj: DirectoryListing) -> str:
        return obj.registration.full_name


@admin.register(MeetingRequest)
class MeetingRequestAdmin(_ReadOnlyAdmin):
    list_display = ["__str__", "status", "slot", "created_at", "reported_at"]
    list_filter = [ReportedFilter, "status", "conference"]
    search_fields = [
        "sender__reference",
        "sender__last_name",
        "recipient__reference",
        "recipient__last_name",
    ]
    list_select_related = ["sender", "recipient", "slot"]
    date_hierarchy = "created_at"
    fields = [
        "conference",
        "sender",
        "recipient",
        "message",
        "slot",
        "status",
        "created_at",
        "answered_at",
        "cancelled_at",
        "reported_at",
        "report_reason",
    ]
