"""Registrations' sort keys recomputed level by level (registrations.collation.name_sort_key):
both names' letters decide before any accent or case does, so López Anna sorts before Lopez
Zoe. The key is frozen here as it was when this migration was written; going back writes the
former key, the last name's whole key then the first name's. Authorities' keys (one text) do
not change."""

from functools import cache
from itertools import zip_longest

import pyuca
from django.db import migrations

BATCH_SIZE = 1000

# Below every weight: pyuca's weights are never 0, 0 only separates the levels.
SEPARATOR = "0000"


@cache
def _collator() -> pyuca.Collator:
    return pyuca.Collator()


def _levels(text: str) -> list[str]:
    levels: list[list[int]] = [[]]
    for weight in _collator().sort_key(" ".join(text.split())):
        if weight:
            levels[-1].append(weight)
        else:
            levels.append([])
    return ["".join(f"{weight:04x}" for weight in level) for level in levels]


def name_sort_key(last_name: str, first_name: str) -> str:
    return SEPARATOR.join(
        f"{last}{SEPARATOR}{first}"
        for last, first in zip_longest(_levels(last_name), _levels(first_name), fillvalue="")
    )


def former_name_sort_key(last_name: str, first_name: str) -> str:
    last, first = SEPARATOR.join(_levels(last_name)), SEPARATOR.join(_levels(first_name))
    return f"{last}{SEPARATOR}{first}"


def _recompute(apps, key) -> None:
    Registration = apps.get_model("registrations", "Registration")
    # By pk: the order does not depend on the key being written.
    registrations = Registration.objects.only(
        "pk", "first_name", "last_name", "sort_name"
    ).order_by("pk")
    batch = []
    for registration in registrations.iterator(chunk_size=BATCH_SIZE):
        sort_name = key(registration.last_name, registration.first_name)
        if sort_name == registration.sort_name:
            continue
        registration.sort_name = sort_name
        batch.append(registration)
        if len(batch) == BATCH_SIZE:
            Registration.objects.bulk_update(batch, ["sort_name"])
            batch = []
    Registration.objects.bulk_update(batch, ["sort_name"])


def fill_keys(apps, schema_editor):
    _recompute(apps, name_sort_key)


def restore_former_keys(apps, schema_editor):
    _recompute(apps, former_name_sort_key)


class Migration(migrations.Migration):
    dependencies = [
        ("registrations", "0040_meeting_report_emails"),
    ]

    operations = [
        migrations.RunPython(fill_keys, restore_former_keys, elidable=False),
    ]
