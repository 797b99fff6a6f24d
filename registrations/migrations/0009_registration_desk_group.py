"""The "Registration desk" group: staff who check delegates in and may look registrations up,
and nothing more. Organisers add desk staff to it in the admin."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP_NAME = "Registration desk"
PERMISSIONS = [
    ("registrations", "registration", "check_in"),
    ("registrations", "registration", "view_registration"),
]


def create_desk_group(apps, schema_editor):
    # Permissions are created by post_migrate, after every migration has run: on a new database
    # they do not exist yet when this runs, so create them now (the command skips existing ones).
    app_config = apps.get_app_config("registrations")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0, using=schema_editor.connection.alias)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    db = schema_editor.connection.alias
    group, _created = Group.objects.using(db).get_or_create(name=GROUP_NAME)
    for app_label, model, codename in PERMISSIONS:
        permission = Permission.objects.using(db).get(
            content_type__app_label=app_label, content_type__model=model, codename=codename
        )
        group.permissions.add(permission)


def remove_desk_group(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.using(schema_editor.connection.alias).filter(name=GROUP_NAME).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("registrations", "0008_check_in_and_badges"),
    ]

    operations = [
        migrations.RunPython(create_desk_group, remove_desk_group),
    ]
