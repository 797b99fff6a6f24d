from django.db import migrations
from django.db.models import Count, Q


def place_counters_fill(apps, schema_editor):
    """The counters start from the registrations there are; the services keep them after."""
    Conference = apps.get_model("conference", "Conference")
    for conference in Conference.objects.annotate(
        confirmed=Count("registrations", filter=Q(registrations__status="confirmed")),
        waitlisted=Count("registrations", filter=Q(registrations__status="waitlisted")),
    ):
        Conference.objects.filter(pk=conference.pk).update(
            confirmed_count=conference.confirmed, waitlisted_count=conference.waitlisted
        )


class Migration(migrations.Migration):
    dependencies = [
        ("registrations", "0029_retention_final_purge_reminder"),
        ("conference", "0007_place_counters"),
    ]

    operations = [
        migrations.RunPython(place_counters_fill, migrations.RunPython.noop, elidable=True),
    ]
