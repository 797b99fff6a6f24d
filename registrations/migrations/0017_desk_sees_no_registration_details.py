"""The Registration desk finds delegates and checks them in from the desk page, which shows
names, authority and category only. It no longer opens the registrations in the admin, where
email addresses, phone numbers and job titles are."""

from django.db import migrations


def narrow(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    db = schema_editor.connection.alias
    for group in Group.objects.using(db).filter(name="Registration desk"):
        group.permissions.remove(
            *Permission.objects.using(db).filter(
                content_type__app_label="registrations", codename="view_registration"
            )
        )


def widen(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    db = schema_editor.connection.alias
    for group in Group.objects.using(db).filter(name="Registration desk"):
        group.permissions.add(
            *Permission.objects.using(db).filter(
                content_type__app_label="registrations", codename="view_registration"
            )
        )


class Migration(migrations.Migration):

    dependencies = [("registrations", "0016_logistics_export_kind")]

    operations = [migrations.RunPython(narrow, widen)]
