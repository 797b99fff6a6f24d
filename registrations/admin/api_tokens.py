"""The admin of API tokens: made here with their secret shown once, on the page that follows
the form (never stored, never in a message or a cookie), revoked by an action."""

from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from registrations.api.tokens import api_token_issue, api_token_revoke
from registrations.models import ApiScope, ApiToken

DEFAULT_LIFETIME = timedelta(days=90)


class ApiTokenForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label=_("scopes"),
        choices=ApiScope.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The token's user's permissions apply on top of these."),
    )

    class Meta:
        model = ApiToken
        fields = ["user", "name", "scopes", "expires_at"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    form = ApiTokenForm
    list_display = ["name", "prefix", "user", "scopes", "expires_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    list_select_related = ["user"]
    search_fields = ["name", "prefix", "user__username"]
    readonly_fields = ["prefix", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def get_queryset(self, request: HttpRequest):
        tokens = super().get_queryset(request)
        # A token acts with its user's permissions: organisers see and manage their own.
        if not request.user.is_superuser:
            tokens = tokens.filter(user=request.user)
        return tokens

    def get_fields(self, request: HttpRequest, obj=None):
        fields = ["name", "scopes", "expires_at"]
        if request.user.is_superuser:
            fields = ["user", *fields]
        return fields if obj is None else [*fields, *self.readonly_fields]

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        if obj is None:
            return []
        return (
            ["user", *self.readonly_fields] if request.user.is_superuser else self.readonly_fields
        )

    def get_changeform_initial_data(self, request: HttpRequest) -> dict:
        return {"expires_at": timezone.now() + DEFAULT_LIFETIME, "user": request.user.pk}

    def save_model(self, request: HttpRequest, obj: ApiToken, form, change: bool) -> None:
        if change:
            obj.full_clean()
            super().save_model(request, obj, form, change)
            return
        issued = api_token_issue(
            user=obj.user if request.user.is_superuser else request.user,
            name=obj.name,
            scopes=form.cleaned_data["scopes"],
            expires_at=obj.expires_at,
        )
        obj.pk, obj.user = issued.token.pk, issued.token.user
        obj.prefix, obj.created_at = issued.token.prefix, issued.token.created_at
        # For response_add, on this request only.
        request._issued_api_secret = issued.secret  # type: ignore[attr-defined]

    def response_add(self, request: HttpRequest, obj: ApiToken, post_url_continue=None):
        context = {
            **self.admin_site.each_context(request),
            "title": _("API token created"),
            "token": obj,
            "secret": request._issued_api_secret,  # type: ignore[attr-defined]
            "opts": self.opts,
        }
        return TemplateResponse(request, "admin/registrations/apitoken/issued.html", context)

    @admin.action(description=_("Revoke the selected tokens"), permissions=["change"])
    def revoke(self, request: HttpRequest, queryset) -> None:
        tokens = list(queryset.filter(revoked_at__isnull=True))
        for token in tokens:
            api_token_revoke(token=token)
        self.message_user(
            request,
            ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", len(tokens))
            % {"count": len(tokens)},
            messages.SUCCESS,
        )
