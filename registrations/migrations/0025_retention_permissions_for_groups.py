"""The retention schedule, the purge records and the retained figures join the groups of 0012:
Organisers hold every permission of them (the admin itself refuses deleting a schedule or
changing a record), Viewers may look at the schedule and the records."""

from django.db import migrations

from registrations.migrations._group_permissions import group_permissions

MODELS = ["retentionschedule", "purgerecord", "retainedfigures"]
VIEWERS = ["view_retentionschedule", "view_purgerecord"]


grant, revoke = group_permissions(MODELS, VIEWERS)


class Migration(migrations.Migration):

    dependencies = [
        ("registrations", "0024_retention_schedule"),
        ("registrations", "0012_organiser_and_viewer_groups"),
    ]

    operations = [
        migrations.RunPython(grant, revoke),
    ]
