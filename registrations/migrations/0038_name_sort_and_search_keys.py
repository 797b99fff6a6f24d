"""Names sorted by the Unicode Collation Algorithm and searched folded to ASCII
(registrations.collation): the keys kept on registrations and authorities, filled for the rows
there are, and, on PostgreSQL, trigram indexes of the folded names, built CONCURRENTLY as in
0031_search_trigram_indexes (the searches use `contains` on text folded to lower case, which
such an index of the column itself answers). The export formats gain the semicolon CSV."""

from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import migrations, models

from registrations.collation import name_sort_key, search_text, sort_key

SEARCH_INDEXES = [
    ("registration", "search_name", "registration_search_name_trgm"),
    ("authority", "search_name", "authority_search_name_trgm"),
]

BATCH_SIZE = 2000


def fill_keys(apps, schema_editor):
    Registration = apps.get_model("registrations", "Registration")
    Authority = apps.get_model("registrations", "Authority")
    authorities = []
    for authority in Authority.objects.only("pk", "name").iterator(chunk_size=BATCH_SIZE):
        authority.sort_name = sort_key(authority.name)
        authority.search_name = search_text(authority.name)
        authorities.append(authority)
    Authority.objects.bulk_update(authorities, ["sort_name", "search_name"], batch_size=BATCH_SIZE)
    batch = []
    registrations = Registration.objects.only("pk", "first_name", "last_name")
    for registration in registrations.iterator(chunk_size=BATCH_SIZE):
        registration.sort_name = name_sort_key(registration.last_name, registration.first_name)
        registration.search_name = search_text(registration.last_name, registration.first_name)
        batch.append(registration)
        if len(batch) == BATCH_SIZE:
            Registration.objects.bulk_update(batch, ["sort_name", "search_name"])
            batch = []
    Registration.objects.bulk_update(batch, ["sort_name", "search_name"])


def _indexes(apps):
    for model_name, field, name in SEARCH_INDEXES:
        model = apps.get_model("registrations", model_name)
        yield model, GinIndex(OpClass(field, name="gin_trgm_ops"), name=name)


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
        ('registrations', '0037_authority_coordinates'),
    ]

    operations = [
        migrations.AddField(
            model_name='authority',
            name='search_name',
            field=models.TextField(default='', editable=False),
        ),
        migrations.AddField(
            model_name='authority',
            name='sort_name',
            field=models.TextField(default='', editable=False),
        ),
        migrations.AddField(
            model_name='registration',
            name='search_name',
            field=models.TextField(default='', editable=False),
        ),
        migrations.AddField(
            model_name='registration',
            name='sort_name',
            field=models.TextField(default='', editable=False),
        ),
        migrations.AlterField(
            model_name='exportjob',
            name='format',
            field=models.CharField(choices=[('csv', 'CSV (comma, UTF-8)'), ('csv_excel', 'CSV for Excel (semicolon)'), ('xlsx', 'XLSX')], max_length=10, verbose_name='format'),
        ),
        migrations.AlterField(
            model_name='exportrecord',
            name='format',
            field=models.CharField(choices=[('csv', 'CSV (comma, UTF-8)'), ('csv_excel', 'CSV for Excel (semicolon)'), ('xlsx', 'XLSX')], max_length=10, verbose_name='format'),
        ),
        migrations.RunPython(fill_keys, migrations.RunPython.noop, atomic=True, elidable=False),
        migrations.RunPython(add_search_indexes, remove_search_indexes, elidable=False),
    ]
