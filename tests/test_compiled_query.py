"""A lookup compiled once (config/compiled_query.py): the instance the ORM would give, with
the joined rows, in one query and no compilation after the first."""

import pytest
from django.db.models.sql.compiler import SQLCompiler
from django.utils import translation

from conference.models import Conference
from config.compiled_query import CompiledLookup
from registrations.models import RetentionSchedule
from tests.factories import ConferenceFactory

pytestmark = pytest.mark.django_db


def by_slug(slug: str):
    return (
        Conference.objects.published()
        .select_related("venue", "retention_schedule")
        .filter(slug=slug)
        .order_by()
    )


def fields(instance) -> dict:
    return {
        field.attname: getattr(instance, field.attname) for field in instance._meta.concrete_fields
    }


def test_the_instance_is_the_orms_with_its_joined_rows(django_assert_num_queries):
    lookup = CompiledLookup(by_slug)
    first, second = ConferenceFactory(), ConferenceFactory(tagline="Another")
    RetentionSchedule.objects.get_or_create(conference=second)

    for conference in (first, second):
        expected = by_slug(conference.slug).get()
        with django_assert_num_queries(1):
            found = lookup.get(conference.slug)
            # Read with it, as select_related reads them: no query of their own.
            assert fields(found.venue) == fields(expected.venue)
            if hasattr(expected, "retention_schedule"):
                assert fields(found.retention_schedule) == fields(expected.retention_schedule)
            else:
                assert not hasattr(found, "retention_schedule")
        assert fields(found) == fields(expected)
        assert found.name == expected.name
        assert found._state.adding is False and found._state.db == "default"


def test_none_for_a_slug_unknown_or_unpublished():
    lookup = CompiledLookup(by_slug)
    hidden = ConferenceFactory(is_published=False)

    assert lookup.get(hidden.slug) is None
    assert lookup.get("no-such-conference") is None


def test_compiled_once_per_language(monkeypatch):
    lookup = CompiledLookup(by_slug)
    conferences = [ConferenceFactory(), ConferenceFactory()]
    compiled = []
    real = SQLCompiler.as_sql
    monkeypatch.setattr(
        SQLCompiler, "as_sql", lambda self, *a, **k: compiled.append(1) or real(self, *a, **k)
    )

    for language in ("en", "fr", "en"):
        with translation.override(language):
            for conference in conferences * 2:
                assert lookup.get(conference.slug).pk == conference.pk

    assert len(compiled) == 2


def test_a_mark_not_found_once_falls_back_to_the_orm():
    # The value is not a parameter (lower-cased first): the SQL cannot be kept.
    lookup = CompiledLookup(lambda slug: by_slug(slug.lower()).filter(tagline__contains=slug))
    conference = ConferenceFactory(slug="tram", tagline="tram safety")

    assert lookup.get("tram").pk == conference.pk
    assert lookup.get("bus") is None
