"""Retired agenda feeds join the groups of 0012: Organisers may do everything with them,
Viewers may look at them (they hold no personal data)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MODEL = "retiredagendafeed"


def grant(apps, schema_editor):
    db = schema_editor.connection.alias
    app_config = apps.get_app_config("registrations")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0, using=db)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.using(db).filter(
        content_type__app_label="registrations", content_type__model=MODEL
    )
    for group in Group.objects.using(db).filter(name="Organisers"):
        group.permissions.add(*permissions)
    for group in Group.objects.using(db).filter(name="Viewers"):
        group.permissions.add(*permissions.filter(codename=f"view_{MODEL}"))


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    permissions = Permission.objects.using(schema_editor.connection.alias).filter(
        content_type__app_label="registrations", content_type__model=MODEL
    )
    for group in Group.objects.filter(name__in=["Organisers", "Viewers"]):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):

    dependencies = [
        ("registrations", "0012_organiser_and_viewer_groups"),
        ("registrations", "0018_retired_agenda_feed"),
    ]

    operations = [
        migrations.RunPython(grant, revoke),
    ]
