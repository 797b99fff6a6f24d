"""The admin of webhooks: organisers register endpoints (the secret shown once), turn them off
and on, send a test event; the delivery log, read-only, with each attempt and "retry now"."""

import json

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from registrations.models import (
    WEBHOOK_SUBSCRIBABLE_EVENTS,
    WebhookDelivery,
    WebhookDeliveryAttempt,
    WebhookEndpoint,
)
from registrations.permissions import CHANGE_WEBHOOK_DELIVERY
from registrations.webhooks.addresses import webhook_target_resolve
from registrations.webhooks.endpoints import (
    webhook_endpoint_change,
    webhook_endpoint_create,
    webhook_endpoint_set_active,
    webhook_events_clean,
    webhook_secret_check,
    webhook_test_event_send,
)
from registrations.webhooks.queue import webhook_delivery_retry


class WebhookEndpointForm(forms.ModelForm):
    url = forms.URLField(label=_("URL"), max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=[(event.value, event.label) for event in WEBHOOK_SUBSCRIBABLE_EVENTS],
        widget=forms.CheckboxSelectMultiple,
    )
    # Not the model's field (which the form must not edit): the secret the organiser chose, if any.
    chosen_secret = forms.CharField(
        label=_("Secret"),
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False),
        help_text=_(
            "Leave empty to have one made for you. It is shown once, after saving: copy it into "
            "the receiver's configuration."
        ),
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["conference", "url", "description", "events"]

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        webhook_target_resolve(url)
        return url

    def clean_events(self) -> list[str]:
        try:
            return webhook_events_clean(self.cleaned_data["events"])
        except ValidationError as error:
            raise ValidationError(error.message_dict["events"]) from error

    def clean_chosen_secret(self) -> str:
        secret = self.cleaned_data["chosen_secret"]
        if secret:
            try:
                webhook_secret_check(secret)
            except ValidationError as error:
                raise ValidationError(error.message_dict["secret"]) from error
        return secret


class WebhookEndpointChangeForm(WebhookEndpointForm):
    """Once made, an endpoint keeps its conference and secret (a new secret: a new endpoint)."""

    class Meta(WebhookEndpointForm.Meta):
        fields = ["url", "description", "events"]


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "conference",
        "is_active",
        "events_list",
        "consecutive_failures",
        "disabled_at",
    ]
    list_filter = ["is_active", "conference"]
    search_fields = ["url", "description"]
    actions = ["send_test_event", "turn_on", "turn_off"]
    readonly_fields = [
        "conference",
        "is_active",
        "created_by",
        "created_at",
        "consecutive_failures",
        "disabled_at",
        "disabled_reason",
    ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = WebhookEndpointChangeForm if obj is not None else WebhookEndpointForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["conference", "url", "description", "events", "chosen_secret"]
        return ["url", "description", "events", *self.readonly_fields]

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else []

    @admin.display(description=_("events"))
    def events_list(self, obj: WebhookEndpoint) -> str:
        return ", ".join(obj.events)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            webhook_endpoint_change(
                endpoint=obj,
                url=data["url"],
                events=data["events"],
                description=data["description"],
            )
            return
        endpoint, secret = webhook_endpoint_create(
            conference=data["conference"],
            url=data["url"],
            events=data["events"],
            description=data["description"],
            secret=data["chosen_secret"],
            by=request.user,
        )
        # The admin goes on with `obj` (its history entry, the page that follows).
        obj.pk = endpoint.pk
        obj._state.adding = False
        # For response_add, on this request only: not in a message, which the cookie or the
        # session would keep.
        request._webhook_secret = secret

    def response_add(self, request, obj, post_url_continue=None):
        context = {
            **self.admin_site.each_context(request),
            "title": _("Webhook endpoint created"),
            "endpoint": obj,
            "secret": request._webhook_secret,
            "opts": self.opts,
        }
        return TemplateResponse(
            request, "admin/registrations/webhookendpoint/created.html", context
        )

    @admin.action(description=_("Send a test event"), permissions=["change"])
    def send_test_event(self, request, queryset):
        sent = 0
        for endpoint in queryset.filter(is_active=True):
            webhook_test_event_send(endpoint=endpoint)
            sent += 1
        self.message_user(
            request,
            ngettext(
                "%(count)d test event queued (see the delivery log).",
                "%(count)d test events queued (see the delivery log).",
                sent,
            )
            % {"count": sent},
            messages.SUCCESS if sent else messages.WARNING,
        )

    @admin.action(description=_("Turn on (failures counted afresh)"), permissions=["change"])
    def turn_on(self, request, queryset):
        for endpoint in queryset:
            webhook_endpoint_set_active(endpoint=endpoint, active=True)
        self.message_user(request, _("The selected endpoints are on."), messages.SUCCESS)

    @admin.action(description=_("Turn off (waiting deliveries withdrawn)"), permissions=["change"])
    def turn_off(self, request, queryset):
        for endpoint in queryset:
            webhook_endpoint_set_active(endpoint=endpoint, active=False)
        self.message_user(request, _("The selected endpoints are off."), messages.SUCCESS)


class WebhookDeliveryAttemptInline(admin.TabularInline):
    model = WebhookDeliveryAttempt
    fields = readonly_fields = [
        "number",
        "started_at",
        "duration_ms",
        "status_code",
        "error",
        "response_body",
    ]
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "event",
        "endpoint",
        "status",
        "attempts",
        "delivered_at",
        "short_error",
    ]
    list_filter = ["status", "event", "endpoint__conference", "endpoint"]
    list_select_related = ["endpoint"]
    search_fields = ["=delivery_id", "registration__reference"]
    date_hierarchy = "created_at"
    actions = ["retry_now"]
    fields = readonly_fields = [
        "delivery_id",
        "endpoint",
        "event",
        "registration",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "next_attempt_at",
        "sending_started_at",
        "delivered_at",
        "payload_shown",
    ]
    inlines = [WebhookDeliveryAttemptInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("error"))
    def short_error(self, obj: WebhookDelivery) -> str:
        return obj.last_error[:80]

    @admin.display(description=_("payload"))
    def payload_shown(self, obj: WebhookDelivery):
        return format_html("<pre>{}</pre>", json.dumps(obj.payload, indent=2, ensure_ascii=False))

    def has_retry_now_permission(self, request) -> bool:
        # The log is read-only in the admin, so "change" cannot gate this action.
        return request.user.has_perm(CHANGE_WEBHOOK_DELIVERY)

    @admin.action(description=_("Retry now"), permissions=["retry_now"])
    def retry_now(self, request, queryset):
        retried = sum(webhook_delivery_retry(delivery=delivery) for delivery in queryset)
        self.message_user(
            request,
            ngettext(
                "%(count)d delivery queued again.", "%(count)d deliveries queued again.", retried
            )
            % {"count": retried},
            messages.SUCCESS if retried else messages.WARNING,
        )
