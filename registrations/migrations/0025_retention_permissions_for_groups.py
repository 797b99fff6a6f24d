"""The retention schedule, the purge records and the retained figures join the groups of 0012:
Organisers hold every permission of them (the admin itself refuses deleting a schedule or
changing a record), Viewers may look at the schedule and the records."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MODELS = ["retentionschedule", "purgerecord", "retainedfigures"]
VIEWERS = ["view_retentionschedule", "view_purgerecord"]


def grant(apps, schema_editor):
    db = schema_editor.connection.alias
    app_config = apps.get_app_config("registrations")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0, using=db)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ours = Permission.objects.using(db).filter(
        content_type__app_label="registrations", content_type__model__in=MODELS
    )
    for group in Group.objects.using(db).filter(name="Organisers"):
        group.permissions.add(*ours)
    for group in Group.objects.using(db).filter(name="Viewers"):
        group.permissions.add(*ours.filter(codename__in=VIEWERS))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ours = Permission.objects.using(schema_editor.connection.alias).filter(
        content_type__app_label="registrations", content_type__model__in=MODELS
    )
    for group in Group.objects.filter(name__in=["Organisers", "Viewers"]):
        group.permissions.remove(*ours)


class Migration(migrations.Migration):

    dependencies = [
        ("registrations", "0024_retention_schedule"),
        ("registrations", "0012_organiser_and_viewer_groups"),
    ]

    operations = [
        migrations.RunPython(grant, revoke),
    ]
