"""Organisers' API tokens, and the idempotency keys of the requests made with them."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from registrations.models.registrations import Registration


class ApiScope(models.TextChoices):
    """What a token may do; its user's permissions apply on top (registrations/api/)."""

    READ_REGISTRATIONS = "registrations:read", _("Read registrations")
    CHECK_IN = "check-in", _("Check delegates in")
    WRITE_REGISTRATIONS = "registrations:write", _("Write registrations")


class ApiToken(models.Model):
    """A secret an organiser's system sends as `Authorization: Bearer <secret>`. Only the
    SHA-256 of the secret is kept: it is shown once, when the token is made."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("user"),
        help_text=_("The token acts with this user's permissions, within its scopes."),
    )
    name = models.CharField(
        _("name"), max_length=100, help_text=_("What uses it, e.g. “CRM sync” or “Door scanner”.")
    )
    # The start of the secret, to recognise a token in the list and in logs without the secret.
    prefix = models.CharField(_("starts with"), max_length=16, editable=False)
    secret_hash = models.CharField(max_length=64, unique=True, editable=False)
    scopes = models.JSONField(_("scopes"), default=list)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def clean(self) -> None:
        if not isinstance(self.scopes, list) or set(self.scopes) - set(ApiScope.values):
            raise ValidationError({"scopes": _("Unknown scope.")})

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes


class ApiIdempotencyKey(models.Model):
    """An `Idempotency-Key` a token sent with a POST that created a registration: the same key
    again answers with that registration instead of creating another. The unique constraint
    makes a retry that races its first attempt wait for it, then find its row."""

    token = models.ForeignKey(ApiToken, on_delete=models.CASCADE, related_name="idempotency_keys")
    key = models.CharField(max_length=255)
    # SHA-256 of the request body: the same key with another body is refused, not replayed.
    request_digest = models.CharField(max_length=64)
    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="+", null=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("API idempotency key")
        verbose_name_plural = _("API idempotency keys")
        constraints = [
            models.UniqueConstraint(fields=["token", "key"], name="idempotency_key_once_per_token"),
        ]

    def __str__(self) -> str:
        return self.key
