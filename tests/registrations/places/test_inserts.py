"""A new registration inserted under the conference lock (registration_insert_locked) is the row,
and the history row, that saving it writes (registration_save_with_reference); a reference
already taken is drawn again."""

import itertools
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Value
from django.db.models.functions import Upper
from django.test.utils import CaptureQueriesContext
from simple_history.manager import HistoryManager
from simple_history.models import HistoricalRecords
from simple_history.signals import post_create_historical_record, pre_create_historical_record

from registrations.models import Registration
from registrations.places import inserts
from registrations.places.inserts import (
    registration_insert_locked,
    registration_save_with_reference,
)
from registrations.places.registrations import RegistrationData, registration_create
from tests.factories import AuthorityFactory, ConferenceFactory

# What differs between two rows of two delegates written one after the other.
DIFFERENT = {
    "id",
    "reference",
    "email",
    "agenda_token",
    "created_at",
    "updated_at",
    "history_id",
    "history_date",
}


def new_registration(conference, authority, index: int) -> Registration:
    return Registration(
        conference=conference,
        authority=authority,
        status=Registration.Status.CONFIRMED,
        first_name="Élodie",
        last_name="Saved",
        email=f"saved{index}@example.org",
        job_title="Adviser",
        badge_name="Élo",
        dietary_needs="Vegetarian",
    )


def rows(registration: Registration) -> tuple[dict, list[dict]]:
    def kept(row: dict) -> dict:
        return {key: value for key, value in row.items() if key not in DIFFERENT}

    row = Registration.objects.filter(pk=registration.pk).values().get()
    history = Registration.history.filter(id=registration.pk).values()
    return kept(row), [kept(entry) for entry in history]


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "organiser"])
@pytest.mark.django_db
def test_the_rows_inserted_are_those_a_save_writes(signed_in, monkeypatch):
    conference = ConferenceFactory()
    authority = AuthorityFactory()
    if signed_in:
        # As HistoryRequestMiddleware leaves it during an organiser's request.
        request = SimpleNamespace(user=get_user_model().objects.create_user("organiser"))
        monkeypatch.setattr(HistoricalRecords.context, "request", request, raising=False)
    saved = new_registration(conference, authority, 1)
    inserted = new_registration(conference, authority, 2)

    with transaction.atomic():
        registration_save_with_reference(saved, "NCE")
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        registration_insert_locked(inserted, "NCE")

    # The row and its history row, no savepoint.
    assert [query["sql"].split()[0] for query in queries.captured_queries] == [
        "INSERT",
        "INSERT",
    ]
    assert rows(inserted) == rows(saved)
    row, [history] = rows(inserted)
    assert history["history_type"] == "+"
    assert history["history_user_id"] == (request.user.pk if signed_in else None)
    assert "dietary_needs" not in history
    assert row["sort_name"] and row["search_name"]
    assert not inserted._state.adding
    assert inserted.reference.startswith("NCE-")
    assert Registration.objects.get(pk=inserted.pk).reference == inserted.reference


@pytest.mark.django_db
def test_the_history_date_and_change_reason_given_are_kept():
    registration = new_registration(ConferenceFactory(), AuthorityFactory(), 1)
    registration._history_date = registration_date = ConferenceFactory().registration_opens_at
    registration._change_reason = "Imported"

    with transaction.atomic():
        registration_insert_locked(registration, "NCE")

    [history] = Registration.history.filter(id=registration.pk)
    assert history.history_date == registration_date
    assert history.history_change_reason == "Imported"


@pytest.mark.parametrize(
    "insert", [registration_insert_locked, registration_save_with_reference], ids=["insert", "save"]
)
@pytest.mark.django_db
def test_a_reference_taken_is_drawn_again(insert, monkeypatch):
    conference = ConferenceFactory()
    authority = AuthorityFactory()
    first = new_registration(conference, authority, 1)
    with transaction.atomic():
        registration_save_with_reference(first, "NCE")
    drawn = itertools.chain([first.reference, first.reference], ["NCE-FREE2"])
    monkeypatch.setattr(inserts, "registration_reference_new", lambda prefix: next(drawn))
    second = new_registration(conference, authority, 2)

    with transaction.atomic():
        insert(second, "NCE")
        # The transaction goes on after the clash.
        assert Registration.objects.filter(conference=conference).count() == 2

    assert Registration.objects.get(pk=second.pk).reference == "NCE-FREE2"
    assert Registration.history.filter(id=second.pk).count() == 1


@pytest.mark.django_db
def test_a_value_the_statement_cannot_take_is_saved_as_before():
    """An expression among the values: the registration is saved, once, with its history
    row, rather than reported as finding no free reference."""
    registration = new_registration(ConferenceFactory(), AuthorityFactory(), 1)
    registration.badge_name = Upper(Value("élo"))

    with transaction.atomic():
        registration_insert_locked(registration, "NCE")

    saved = Registration.objects.get(pk=registration.pk)
    assert saved.badge_name == "ÉLO"
    assert saved.reference.startswith("NCE-")
    assert Registration.history.filter(id=registration.pk).count() == 1


@pytest.mark.django_db
def test_a_history_tracking_many_to_many_fields_is_left_to_simple_history(monkeypatch):
    model = inserts.registration_history_model()
    monkeypatch.setattr(model, "_history_m2m_fields", [object()])
    saved = []
    monkeypatch.setattr(
        inserts, "registration_save_with_reference", lambda *args: saved.append(args)
    )
    registration = new_registration(ConferenceFactory(), AuthorityFactory(), 1)

    with transaction.atomic():
        registration_insert_locked(registration, "NCE")

    assert saved == [(registration, "NCE")]


@pytest.mark.parametrize(
    "insert", [registration_insert_locked, registration_save_with_reference], ids=["insert", "save"]
)
@pytest.mark.django_db
def test_the_history_signals_are_sent_as_simple_history_sends_them(insert):
    sent = []

    def record(signal_name):
        def receiver(sender, **arguments):
            arguments.pop("signal")
            history = arguments.pop("history_instance")
            sent.append((signal_name, sender, history.history_type, sorted(arguments)))
            assert arguments["instance"] is registration

        return receiver

    receivers = {
        pre_create_historical_record: record("pre"),
        post_create_historical_record: record("post"),
    }
    for signal, receiver in receivers.items():
        signal.connect(receiver)
    registration = new_registration(ConferenceFactory(), AuthorityFactory(), 1)
    try:
        with transaction.atomic():
            insert(registration, "NCE")
    finally:
        for signal, receiver in receivers.items():
            signal.disconnect(receiver)

    model = inserts.registration_history_model()
    names = ["history_change_reason", "history_date", "history_user", "instance", "using"]
    assert sent == [("pre", model, "+", names), ("post", model, "+", names)]


@pytest.mark.django_db
def test_a_registration_saved_without_history_gets_none_as_with_a_save():
    registration = new_registration(ConferenceFactory(), AuthorityFactory(), 1)
    registration.skip_history_when_saving = True

    with transaction.atomic():
        registration_insert_locked(registration, "NCE")

    assert not Registration.history.filter(id=registration.pk).exists()
    assert registration.skip_history_when_saving is True


@pytest.mark.django_db
def test_the_history_row_is_written_without_building_a_history_manager(monkeypatch):
    # Registration.history builds a manager class on every access (~0.3 ms under the lock);
    # the history model is read from the descriptor instead, and it is the same model.
    built = []
    original = HistoryManager.from_queryset.__func__

    def counted(cls, queryset_class, class_name=None):
        built.append(queryset_class)
        return original(cls, queryset_class, class_name)

    assert inserts.registration_history_model() is Registration.history.model
    monkeypatch.setattr(HistoryManager, "from_queryset", classmethod(counted))
    registration = new_registration(ConferenceFactory(), AuthorityFactory(), 1)
    with transaction.atomic():
        registration_insert_locked(registration, "NCE")
    assert built == []
    assert Registration.history.filter(id=registration.pk).count() == 1
    assert built != []


@pytest.mark.django_db
def test_a_registration_created_has_the_name_keys_a_save_gives():
    # registration_create sets them before the lock, registration_insert_locked does not again.
    conference = ConferenceFactory()
    authority = AuthorityFactory()
    created = registration_create(
        conference=conference,
        authority=authority,
        data=RegistrationData(
            first_name=" Émile ", last_name="d'Ørsted-Ñúñez", email="e@example.org", job_title="A"
        ),
    ).registration
    saved = new_registration(conference, authority, 3)
    saved.first_name, saved.last_name = "Émile", "d'Ørsted-Ñúñez"
    saved.save()

    keys = ("sort_name", "search_name")
    stored = Registration.objects.filter(pk__in=[created.pk, saved.pk]).values_list(*keys)
    assert stored.get(pk=created.pk) == stored.get(pk=saved.pk)
    assert stored.get(pk=created.pk)[0] and stored.get(pk=created.pk)[1]
