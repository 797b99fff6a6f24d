"""The "Organisers" and "Viewers" groups, beside the "Registration desk" of 0009.

Organisers hold every permission of the registrations and conference apps, including seeing
dietary and accessibility needs and exporting. Viewers may look at everything in those apps
except delegates' special needs, and may export nothing: not even the list of exports or
export jobs. Permissions of models added later join no group by themselves: a later migration
adds them where they belong."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ORGANISERS = "Organisers"
VIEWERS = "Viewers"
APPS = ["registrations", "conference"]
# Viewing permissions that Viewers do not get.
NOT_FOR_VIEWERS = ["view_special_needs", "view_exportjob", "view_exportrecord"]


def create_groups(apps, schema_editor):
    db = schema_editor.connection.alias
    # Permissions are created by post_migrate, after every migration has run: on a new database
    # they do not exist yet when this runs, so create them now (the command skips existing ones).
    for app_label in APPS:
        app_config = apps.get_app_config(app_label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0, using=db)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.using(db).filter(content_type__app_label__in=APPS)

    organisers, _created = Group.objects.using(db).get_or_create(name=ORGANISERS)
    organisers.permissions.add(*permissions)

    viewers, _created = Group.objects.using(db).get_or_create(name=VIEWERS)
    viewers.permissions.add(
        *permissions.filter(codename__startswith="view_").exclude(codename__in=NOT_FOR_VIEWERS)
    )


def remove_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.using(schema_editor.connection.alias).filter(
        name__in=[ORGANISERS, VIEWERS]
    ).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("conference", "0004_delegations"),
        ("registrations", "0011_exports"),
    ]

    operations = [
        migrations.RunPython(create_groups, remove_groups),
    ]
