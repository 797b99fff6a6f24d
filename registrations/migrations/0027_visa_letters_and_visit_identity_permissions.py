"""Visa letter requests and site-visit identity data join the Organisers group of 0012, who may
review the requests and see the identity data. Viewers get neither: passport and identity
document numbers are for those who handle them."""

from django.db import migrations

from registrations.migrations._group_permissions import group_permissions

MODELS = ["visaletterrequest", "sitevisitidentity"]


grant, revoke = group_permissions(MODELS)


class Migration(migrations.Migration):

    dependencies = [
        ("registrations", "0026_visa_letters_and_visit_identity"),
        ("registrations", "0012_organiser_and_viewer_groups"),
    ]

    operations = [
        migrations.RunPython(grant, revoke),
    ]
