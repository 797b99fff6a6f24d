"""Trigram indexes for the admin's registration search, on PostgreSQL only.

The admin searches with `icontains`, which Django writes on PostgreSQL as
`UPPER("field"::text) LIKE UPPER('%term%')`: a GIN index of UPPER(field) with pg_trgm's
operator class answers it without reading the table (registrations.organiser.search keeps the
authority's name in the same shape). SQLite, the embedded default, has neither GIN nor
pg_trgm: there the migration does nothing, and the models do not declare the indexes, so that
makemigrations never asks for them elsewhere. Built CONCURRENTLY (outside a transaction), so
that registering is not blocked while a large table is indexed."""

from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations
from django.db.models.functions import Upper

SEARCH_INDEXES = [
    ("registration", "reference", "registration_reference_trgm"),
    ("registration", "first_name", "registration_first_name_trgm"),
    ("registration", "last_name", "registration_last_name_trgm"),
    ("registration", "email", "registration_email_trgm"),
    ("authority", "name", "authority_name_trgm"),
]


def _indexes(apps):
    for model_name, field, name in SEARCH_INDEXES:
        model = apps.get_model("registrations", model_name)
        yield model, GinIndex(OpClass(Upper(field), name="gin_trgm_ops"), name=name)


def add_search_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for model, index in _indexes(apps):
        schema_editor.add_index(model, index, concurrently=True)


def remove_search_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for model, index in _indexes(apps):
        schema_editor.remove_index(model, index, concurrently=True)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("registrations", "0030_place_counters"),
    ]

    operations = [
        # A no-op on databases other than PostgreSQL, as every CreateExtension.
        TrigramExtension(),
        migrations.RunPython(add_search_indexes, remove_search_indexes, elidable=False),
    ]
