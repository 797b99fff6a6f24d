from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect, StreamingHttpResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_countries import countries

from registrations import services
from registrations.exports import attendee_csv
from registrations.models import Authority, ConsentRecord, OutboundEmail, Registration
from registrations.selectors import attendee_list


@admin.register(Authority)
class AuthorityAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "country", "is_member", "needs_review", "created_at"]
    list_filter = ["needs_review", "is_member", "kind", "country"]
    list_editable = ["is_member"]
    search_fields = ["name", "name_key"]
    ordering = ["name"]
    actions = ["mark_reviewed"]

    @admin.action(description=_("Mark the selected authorities as reviewed"))
    def mark_reviewed(self, request, queryset):
        updated = queryset.update(needs_review=False)
        self.message_user(
            request,
            ngettext("%(count)d authority reviewed.", "%(count)d authorities reviewed.", updated)
            % {"count": updated},
            messages.SUCCESS,
        )


class AuthorityCountryFilter(admin.SimpleListFilter):
    title = _("country")
    parameter_name = "country"

    def lookups(self, request, model_admin):
        codes = Authority.objects.values_list("country", flat=True).distinct()
        return sorted(((code, countries.name(code)) for code in codes), key=lambda item: item[1])

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(authority__country=self.value())
        return queryset


class ConsentRecordInline(admin.TabularInline):
    model = ConsentRecord
    extra = 0
    can_delete = False
    fields = readonly_fields = ["kind", "notice_version", "given_at"]

    def has_add_permission(self, request, obj=None):
        return False


class OutboundEmailInline(admin.TabularInline):
    model = OutboundEmail
    extra = 0
    can_delete = False
    verbose_name_plural = _("emails")
    fields = readonly_fields = ["created_at", "kind", "recipient", "status", "attempts", "sent_at"]
    ordering = ["-created_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = [
        "reference",
        "last_name",
        "first_name",
        "authority",
        "category",
        "status",
        "created_at",
    ]
    list_display_links = ["reference", "last_name"]
    list_filter = [
        "status",
        "category",
        AuthorityCountryFilter,
        "authority__is_member",
        "conference",
        "preferred_language",
    ]
    list_select_related = ["authority", "conference"]
    search_fields = [
        "reference",
        "first_name",
        "last_name",
        "email",
        "authority__name",
    ]
    search_help_text = _("Search by reference, name, email or city or region.")
    autocomplete_fields = ["authority"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "reference",
        "conference",
        "status",
        "created_at",
        "updated_at",
        "confirmed_at",
        "cancelled_at",
    ]
    fieldsets = [
        (None, {"fields": ["reference", "conference", "status", "authority"]}),
        (
            _("Delegate"),
            {
                "fields": [
                    "first_name",
                    "last_name",
                    "email",
                    "job_title",
                    "organisation",
                    "phone",
                    "category",
                ]
            },
        ),
        (_("Languages"), {"fields": ["preferred_language", "interpretation_language"]}),
        (_("Needs"), {"fields": ["dietary_needs", "accessibility_needs"]}),
        (
            _("History"),
            {"fields": ["created_at", "updated_at", "confirmed_at", "cancelled_at"]},
        ),
    ]
    inlines = [ConsentRecordInline, OutboundEmailInline]
    actions = ["resend_confirmation", "cancel_registrations"]
    change_list_template = "admin/registrations/registration/change_list.html"

    def has_add_permission(self, request):
        # Registrations are created through the registration service (capacity, reference,
        # consent, confirmation email), i.e. the public form.
        return False

    def has_delete_permission(self, request, obj=None):
        # Cancel instead: deleting would silently free a place without promoting anyone.
        return False

    @admin.action(description=_("Send the confirmation email again"))
    def resend_confirmation(self, request, queryset):
        count = 0
        for registration in queryset:
            services.registration_resend_confirmation(registration=registration)
            count += 1
        self.message_user(
            request,
            ngettext("%(count)d email queued.", "%(count)d emails queued.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Cancel the selected registrations"))
    def cancel_registrations(self, request, queryset):
        count = 0
        for registration in queryset.exclude(status=Registration.Status.CANCELLED):
            services.registration_cancel(registration=registration)
            count += 1
        self.message_user(
            request,
            ngettext(
                "%(count)d registration cancelled.", "%(count)d registrations cancelled.", count
            )
            % {"count": count},
            messages.SUCCESS,
        )

    def get_urls(self):
        export = path(
            "export.csv",
            self.admin_site.admin_view(self.export_csv_view),
            name="registrations_registration_export_csv",
        )
        return [export, *super().get_urls()]

    def export_csv_view(self, request):
        """The attendee list for the changelist's current filters and search, as CSV."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            return HttpResponseRedirect(reverse("admin:registrations_registration_changelist"))
        queryset = attendee_list(changelist.get_queryset(request))
        filename = f"attendees-{timezone.localdate():%Y-%m-%d}.csv"
        response = StreamingHttpResponse(
            attendee_csv(queryset), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "kind",
        "recipient",
        "registration",
        "status",
        "attempts",
        "sent_at",
        "short_error",
    ]
    list_filter = ["status", "kind", "language"]
    list_select_related = ["registration"]
    search_fields = ["recipient", "registration__reference"]
    date_hierarchy = "created_at"
    actions = ["send_again"]
    readonly_fields = [
        "registration",
        "kind",
        "recipient",
        "language",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "next_attempt_at",
        "sent_at",
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("error"))
    def short_error(self, obj):
        return obj.last_error[:80]

    @admin.action(description=_("Try sending the selected emails again"), permissions=["view"])
    def send_again(self, request, queryset):
        count = 0
        for email in queryset.exclude(status=OutboundEmail.Status.SENT):
            services.outbound_email_retry(email=email)
            count += 1
        self.message_user(
            request,
            ngettext("%(count)d email queued again.", "%(count)d emails queued again.", count)
            % {"count": count},
            messages.SUCCESS,
        )
