"""The permissions of the sessions' changes (conference.SessionChange, migration conference
0008) for the staff groups: Organisers hold every permission of both apps, Viewers may look.
No migration gave them: a database whose groups were made before that model existed lacked
them, and a new one had them only when migrate happened to run conference 0008 before the
groups' migration (0012)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MODEL = "sessionchange"


def grant(apps, schema_editor):
    db = schema_editor.connection.alias
    # Permissions are created after migrate by default; these are needed now.
    app_config = apps.get_app_config("conference")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0, using=db)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.using(db).filter(
        content_type__app_label="conference", content_type__model=MODEL
    )
    for group in Group.objects.using(db).filter(name="Organisers"):
        group.permissions.add(*permissions)
    for group in Group.objects.using(db).filter(name="Viewers"):
        group.permissions.add(*permissions.filter(codename=f"view_{MODEL}"))


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("conference", "0009_session_change_meeting_point"),
        ("registrations", "0041_name_sort_keys_by_level"),
    ]

    operations = [
        # Not undone: where the groups held these before (conference 0008 ran first), taking them
        # away would leave the groups with less than they had.
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
