"""Organisers' API tokens and the idempotency keys of their requests. Organisers hold their
permissions, as they hold every permission of the app (the admin lets them make tokens for
themselves only); Viewers get none of them."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from registrations.migrations._group_permissions import group_permissions


MODELS = ["apitoken", "apiidempotencykey"]


grant, revoke = group_permissions(MODELS)


class Migration(migrations.Migration):

    dependencies = [
        ("registrations", "0021_bulk_email_translations"),
        ("registrations", "0012_organiser_and_viewer_groups"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ApiToken",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(help_text="What uses it, e.g. “CRM sync” or “Door scanner”.", max_length=100, verbose_name="name")),
                ("prefix", models.CharField(editable=False, max_length=16, verbose_name="starts with")),
                ("secret_hash", models.CharField(editable=False, max_length=64, unique=True)),
                ("scopes", models.JSONField(default=list, verbose_name="scopes")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                ("expires_at", models.DateTimeField(verbose_name="expires at")),
                ("revoked_at", models.DateTimeField(blank=True, editable=False, null=True, verbose_name="revoked at")),
                ("last_used_at", models.DateTimeField(blank=True, editable=False, null=True, verbose_name="last used at")),
                ("user", models.ForeignKey(help_text="The token acts with this user's permissions, within its scopes.", on_delete=django.db.models.deletion.CASCADE, related_name="api_tokens", to=settings.AUTH_USER_MODEL, verbose_name="user")),
            ],
            options={
                "verbose_name": "API token",
                "verbose_name_plural": "API tokens",
                "ordering": ["-created_at"],
            },
        ),
        migrations.CreateModel(
            name="ApiIdempotencyKey",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("key", models.CharField(max_length=255)),
                ("request_digest", models.CharField(max_length=64)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("registration", models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="registrations.registration")),
                ("token", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="idempotency_keys", to="registrations.apitoken")),
            ],
            options={
                "verbose_name": "API idempotency key",
                "verbose_name_plural": "API idempotency keys",
                "constraints": [models.UniqueConstraint(fields=("token", "key"), name="idempotency_key_once_per_token")],
            },
        ),
        migrations.RunPython(grant, revoke),
    ]
