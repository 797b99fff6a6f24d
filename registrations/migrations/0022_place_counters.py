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
        ("conference", "0006_place_counters"),
        ("registrations", "0021_bulk_email_translations"),
    ]

    operations = [
        migrations.RunPython(place_counters_fill, migrations.RunPython.noop, elidable=True),
    ]
