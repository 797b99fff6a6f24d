"""The admin of the outbox and of organisers' messages."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import TranslationAdmin

from registrations.models import BulkEmail, OutboundEmail
from registrations.outbox.queue import outbound_email_retry
from registrations.permissions import CHANGE_OUTBOUND_EMAIL


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
        "sending_started_at",
        "sent_at",
        "message_id",
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

    def has_send_again_permission(self, request) -> bool:
        # The outbox is read-only in the admin, so "change" cannot gate this action.
        return request.user.has_perm(CHANGE_OUTBOUND_EMAIL)

    @admin.action(
        description=_("Try sending the selected failed emails again"), permissions=["send_again"]
    )
    def send_again(self, request, queryset):
        count = 0
        for email in queryset.filter(status=OutboundEmail.Status.FAILED):
            outbound_email_retry(email=email)
            count += 1
        self.message_user(
            request,
            ngettext("%(count)d email queued again.", "%(count)d emails queued again.", count)
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(BulkEmail)
class BulkEmailAdmin(TranslationAdmin):
    list_display = ["created_at", "subject", "conference", "recipient_count", "sent_by"]
    list_filter = ["conference"]
    list_select_related = ["conference", "sent_by"]
    search_fields = ["subject_en", "subject_fr", "body_en", "body_fr"]
    readonly_fields = ["conference", "subject", "body", "sent_by", "created_at", "recipient_count"]

    def has_add_permission(self, request):
        # Written from the registrations list: "Write an email to the selected delegates".
        return False

    def has_change_permission(self, request, obj=None):
        return False
