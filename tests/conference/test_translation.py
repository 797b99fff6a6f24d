import importlib

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.utils import translation

from conference.models import Session, Theme
from tests.factories import ConferenceFactory, SessionFactory, ThemeFactory

pytestmark = pytest.mark.django_db

translations_migration = importlib.import_module("conference.migrations.0005_translations")


def test_empty_french_text_shows_the_english():
    session = SessionFactory(title_en="Youth, sport and prevention", title_fr="")

    with translation.override("fr"):
        assert Session.objects.get(pk=session.pk).title == "Youth, sport and prevention"


def test_empty_english_text_shows_the_french():
    session = SessionFactory(
        title_en="Workshop", description_en="", description_fr="Le sport et le travail de rue."
    )

    with translation.override("en"):
        assert Session.objects.get(pk=session.pk).description == "Le sport et le travail de rue."


def test_each_language_reads_its_own_text():
    conference = ConferenceFactory(
        name_en="Security, Democracy and Cities", name_fr="Sécurité, démocratie et villes"
    )

    with translation.override("fr"):
        assert str(conference) == "Sécurité, démocratie et villes"
    with translation.override("en"):
        assert str(conference) == "Security, Democracy and Cities"


def test_ordering_by_name_follows_the_active_language():
    conference = ConferenceFactory()
    ThemeFactory(conference=conference, name_en="Youth", name_fr="Jeunesse")
    ThemeFactory(conference=conference, name_en="Policing", name_fr="Police")
    ThemeFactory(conference=conference, name_en="Crises", name_fr="Résilience")

    with translation.override("en"):
        assert [theme.name for theme in Theme.objects.all()] == ["Crises", "Policing", "Youth"]
    with translation.override("fr"):
        assert [theme.name for theme in Theme.objects.all()] == ["Jeunesse", "Police", "Résilience"]


def test_migration_copies_the_single_language_texts_into_english():
    session = SessionFactory(title="Opening ceremony", location="Foyer Apollon")
    # As the columns were before the migration: the texts in the original column only.
    Session.objects.filter(pk=session.pk).update(title_en=None, location_en=None)

    # The models as the migration sees them (plain managers, which rewrite no field name).
    state = MigrationLoader(connection).project_state(("conference", "0005_translations"))
    translations_migration.copy_to_english(state.apps, None)

    copied = Session.objects.values("title_en", "location_en", "title_fr").get(pk=session.pk)
    assert copied == {
        "title_en": "Opening ceremony",
        "location_en": "Foyer Apollon",
        "title_fr": None,
    }
