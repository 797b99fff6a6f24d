"""Visa letter requests and site-visit identity data join the Organisers group of 0012, who may
review the requests and see the identity data. Viewers get neither: passport and identity
document numbers are for those who handle them."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MODELS = ["visaletterrequest", "sitevisitidentity"]


def grant(apps, schema_editor):
    db = schema_editor.connection.alias
    app_config = apps.get_app_config("registrations")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0, using=db)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.using(db).filter(
        content_type__app_label="registrations", content_type__model__in=MODELS
    )
    for group in Group.objects.using(db).filter(name="Organisers"):
        group.permissions.add(*permissions)


def revoke(apps, schema_editor):
    db = schema_editor.connection.alias
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.using(db).filter(
        content_type__app_label="registrations", content_type__model__in=MODELS
    )
    for group in Group.objects.using(db).filter(name="Organisers"):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):

    dependencies = [
        ("registrations", "0026_visa_letters_and_visit_identity"),
        ("registrations", "0012_organiser_and_viewer_groups"),
    ]

    operations = [
        migrations.RunPython(grant, revoke),
    ]
