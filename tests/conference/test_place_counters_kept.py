"""conference.models.PlaceCountersKept, on both models that keep place counters: a save of a copy
read before the lock leaves the counters alone, a new row and a save naming its update_fields
write what they hold, a deleted row is not brought back."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext

from conference.models import Conference, PlaceCountersKept, Session
from tests.factories import ConferenceFactory, SessionFactory

pytestmark = pytest.mark.django_db

# The model, its factory, a counter and a column that is not one.
MODELS = [
    pytest.param(Conference, ConferenceFactory, "confirmed_count", "name", id="conference"),
    pytest.param(Session, SessionFactory, "places_booked", "title", id="session"),
]


def stored(model, pk: int, column: str):
    return model.objects.values_list(column, flat=True).get(pk=pk)


def test_both_models_name_their_counters():
    assert issubclass(Conference, PlaceCountersKept)
    assert issubclass(Session, PlaceCountersKept)
    assert Conference.PLACE_COUNTER_FIELDS == ("confirmed_count", "waitlisted_count")
    assert Session.PLACE_COUNTER_FIELDS == ("places_booked",)


@pytest.mark.parametrize(("model", "factory", "counter", "column"), MODELS)
def test_a_copy_read_before_a_count_changed_saves_all_but_the_counters(
    model, factory, counter, column
):
    row = factory()
    stale = model.objects.get(pk=row.pk)
    # A service, under the row's lock, counts one more meanwhile.
    model.objects.filter(pk=row.pk).update(**{counter: 4})

    setattr(stale, column, "Renamed from a stale copy")
    with CaptureQueriesContext(connection) as queries:
        stale.save()

    assert stored(model, row.pk, counter) == 4
    assert stored(model, row.pk, column) == "Renamed from a stale copy"
    (update,) = [query["sql"] for query in queries if query["sql"].startswith("UPDATE")]
    for name in model.PLACE_COUNTER_FIELDS:
        assert f'"{name}"' not in update


@pytest.mark.parametrize(("model", "factory", "counter", "column"), MODELS)
def test_a_new_row_is_inserted_with_its_counters(model, factory, counter, column):
    row = factory(**{counter: 3})

    assert stored(model, row.pk, counter) == 3


@pytest.mark.parametrize(("model", "factory", "counter", "column"), MODELS)
def test_a_save_naming_its_fields_writes_them_counters_included(model, factory, counter, column):
    row = factory()
    setattr(row, counter, 2)
    setattr(row, column, "Not written")

    row.save(update_fields=[counter])

    assert stored(model, row.pk, counter) == 2
    assert stored(model, row.pk, column) != "Not written"


@pytest.mark.parametrize(("model", "factory", "counter", "column"), MODELS)
def test_a_deleted_row_saved_from_a_copy_is_not_inserted_again(model, factory, counter, column):
    row = factory()
    stale = model.objects.get(pk=row.pk)
    model.objects.filter(pk=row.pk).delete()

    # An update of every column but the counters finds no row; a plain save would insert one.
    with pytest.raises(DatabaseError, match="did not affect any rows"), transaction.atomic():
        stale.save()

    assert not model.objects.filter(pk=row.pk).exists()
