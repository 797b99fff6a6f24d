from django.db import migrations, models
from django.db.models import Count, Q


def session_places_booked_fill(apps, schema_editor):
    """The counters start from the bookings there are; the booking services keep them after.
    The registrations app holds the bookings: read through the historical models, without
    importing it (the conference app never does)."""
    Session = apps.get_model("conference", "Session")
    sessions = (
        Session.objects.annotate(
            booked=Count("bookings", filter=Q(bookings__status="booked"))
        )
        .filter(booked__gt=0)
        .values_list("pk", "booked")
    )
    for pk, booked in list(sessions):
        Session.objects.filter(pk=pk).update(places_booked=booked)


class Migration(migrations.Migration):
    dependencies = [
        ("conference", "0009_session_change_meeting_point"),
        # The bookings' table, which the counters are filled from.
        ("registrations", "0041_name_sort_keys_by_level"),
    ]

    operations = [
        migrations.AddField(
            model_name="session",
            name="places_booked",
            field=models.PositiveIntegerField(
                default=0, editable=False, verbose_name="places booked"
            ),
        ),
        migrations.RunPython(
            session_places_booked_fill, migrations.RunPython.noop, elidable=True
        ),
    ]
