"""The retention schedule and the purge records join the groups of 0012: Organisers edit the
schedule and read the records; Viewers read both."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ORGANISERS = [
    "add_retentionschedule",
    "change_retentionschedule",
    "view_retentionschedule",
    "view_purgerecord",
]
VIEWERS = ["view_retentionschedule", "view_purgerecord"]


def grant(apps, schema_editor):
    db = schema_editor.connection.alias
    app_config = apps.get_app_config("registrations")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0, using=db)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ours = Permission.objects.using(db).filter(content_type__app_label="registrations")
    for group in Group.objects.using(db).filter(name="Organisers"):
        group.permissions.add(*ours.filter(codename__in=ORGANISERS))
    for group in Group.objects.using(db).filter(name="Viewers"):
        group.permissions.add(*ours.filter(codename__in=VIEWERS))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ours = Permission.objects.using(schema_editor.connection.alias).filter(
        content_type__app_label="registrations", codename__in=ORGANISERS
    )
    for group in Group.objects.filter(name__in=["Organisers", "Viewers"]):
        group.permissions.remove(*ours)


class Migration(migrations.Migration):

    dependencies = [
        ("registrations", "0012_organiser_and_viewer_groups"),
        ("registrations", "0022_retention_schedule"),
    ]

    operations = [
        migrations.RunPython(grant, revoke),
    ]
