"""The admin's registration search: what it finds, how many queries it runs, and, on
PostgreSQL, that its SQL is answered from the trigram indexes."""

import importlib
from types import SimpleNamespace

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from registrations.admin.registrations import RegistrationAdmin
from registrations.models import Registration
from registrations.organiser.search import search_registrations
from tests.factories import AuthorityFactory, ConferenceFactory, RegistrationFactory

pytestmark = pytest.mark.django_db

FIELDS = RegistrationAdmin.search_fields
CHANGELIST = "admin:registrations_registration_changelist"
TRIGRAM_INDEXES = {
    "registration_reference_trgm",
    "registration_first_name_trgm",
    "registration_last_name_trgm",
    "registration_email_trgm",
    "authority_name_trgm",
    # Of the folded names (migration 0038_name_sort_and_search_keys).
    "registration_search_name_trgm",
    "authority_search_name_trgm",
}
FOLDED = ["search_name", "authority__search_name"]

migration = importlib.import_module("registrations.migrations.0031_search_trigram_indexes")


def django_search(term: str) -> set[int]:
    """What the admin's own search finds: every word in one of the fields, any case."""
    queryset = Registration.objects.all()
    for word in term.split():
        queryset = queryset.filter(
            Q(*(Q(**{f"{field}__icontains": word}) for field in FIELDS), _connector=Q.OR)
        )
    return set(queryset.values_list("pk", flat=True))


@pytest.fixture
def delegates():
    gdansk = AuthorityFactory(name="Gdańsk", country="PL")
    liege = AuthorityFactory(name="Liège", country="BE")
    return [
        RegistrationFactory(authority=gdansk, first_name="Łucja", last_name="Żak"),
        RegistrationFactory(authority=gdansk, first_name="Anna", last_name="Nowak"),
        RegistrationFactory(authority=liege, first_name="Anna", last_name="Dubois"),
        RegistrationFactory(
            authority=liege, first_name="Jean", last_name="Dańsk", email="jean@liege.example"
        ),
    ]


@pytest.mark.parametrize(
    "term",
    ["gdańsk", "DAŃSK", "anna", "anna gdańsk", "liege.example", "nowak", "TST-", "zzz", "ann ège"],
)
def test_search_finds_what_the_admins_own_search_finds(delegates, term):
    found = search_registrations(Registration.objects.all(), term, FIELDS)

    assert set(found.values_list("pk", flat=True)) == django_search(term)


def test_search_matches_the_authority_name_and_the_delegate_fields(delegates):
    zak, nowak, dubois, jean = delegates

    def found(term):
        return set(search_registrations(Registration.objects.all(), term, FIELDS))

    assert found("dańsk") == {zak, nowak, jean}  # Jean Dańsk by his last name
    assert found("gdańsk") == {zak, nowak}
    assert found("anna liège") == {dubois}
    assert found(jean.reference.lower()) == {jean}
    assert found('"Anna" "Nowak"') == {nowak}
    assert found("") == {zak, nowak, dubois, jean}


def test_changelist_search_lists_the_matches_in_a_fixed_number_of_queries(admin_client):
    url = reverse(CHANGELIST)
    authority = AuthorityFactory(name="Kraków")
    # One conference: a list of one conference's delegates also reads its questions (the
    # answers filter), once, whatever the number of rows.
    conference = RegistrationFactory(authority=authority, last_name="Wiśniewska").conference

    def search(term):
        with CaptureQueriesContext(connection) as queries:
            response = admin_client.get(url, {"q": term})
        assert response.status_code == 200
        return response, len(queries)

    response, few = search("kraków")
    assert response.context["cl"].result_count == 1
    RegistrationFactory.create_batch(30, authority=authority, conference=conference)
    response, many = search("kraków")
    assert response.context["cl"].result_count == 31
    assert many == few
    response, _count = search("wiśniewska")
    assert [r.last_name for r in response.context["cl"].result_list] == ["Wiśniewska"]


@pytest.mark.parametrize(
    ("term", "last_name"),
    [("aero", "Ærø"), ("djordjevic", "Đorđević"), ("DORDEVIC", "Đorđević"), ("soeren", "Søren")],
)
def test_search_finds_names_by_their_ascii_spellings(delegates, term, last_name):
    wanted = RegistrationFactory(last_name=last_name)

    found = search_registrations(Registration.objects.all(), term, FIELDS, FOLDED)

    assert list(found) == [wanted]
    # Without the folded names, the admin's own search finds nothing.
    assert not search_registrations(Registration.objects.all(), term, FIELDS).exists()


def test_search_finds_an_authority_by_its_ascii_spelling(delegates):
    lodz = AuthorityFactory(name="Łódź", country="PL")
    wanted = RegistrationFactory(authority=lodz, last_name="Nowicka")

    assert list(search_registrations(Registration.objects.all(), "lodz", FIELDS, FOLDED)) == [
        wanted
    ]
    assert set(search_registrations(Registration.objects.all(), "anna gdansk", FIELDS, FOLDED)) == {
        delegates[1]
    }


def test_changelist_folded_search_runs_a_fixed_number_of_queries(admin_client):
    url = reverse(CHANGELIST)
    lodz = AuthorityFactory(name="Łódź", country="PL")
    conference = ConferenceFactory()  # one, as above
    RegistrationFactory(conference=conference, authority=lodz, last_name="Ærø")

    def search(term):
        with CaptureQueriesContext(connection) as queries:
            response = admin_client.get(url, {"q": term})
        return response.context["cl"].result_count, len(queries)

    count, few = search("lodz")
    assert count == 1
    RegistrationFactory.create_batch(30, conference=conference, authority=lodz)
    count, many = search("lodz")
    assert (count, many) == (31, few)
    assert search("aero")[0] == 1


postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="trigram indexes are for PostgreSQL"
)


@postgresql_only
def test_the_search_indexes_exist_on_postgresql():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE indexname = ANY(%s)",
            [list(TRIGRAM_INDEXES)],
        )
        definitions = dict(cursor.fetchall())
    assert set(definitions) == TRIGRAM_INDEXES
    assert all("USING gin" in d and "gin_trgm_ops" in d for d in definitions.values())


@postgresql_only
@pytest.mark.parametrize("term", ["nowak", "gdańsk anna"])
def test_the_search_sql_is_answered_from_the_trigram_indexes(delegates, term):
    """The planner would read so small a table whole: with sequential scans ruled out, a plan
    without them exists only if the indexes match the SQL the search writes. (Unordered, as
    the changelist's count is: ordered, the planner may as well walk the date index.)"""
    queryset = search_registrations(Registration.objects.order_by(), term, FIELDS)
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Seq Scan" not in plan, plan
    assert {"registration_last_name_trgm", "authority_name_trgm"} <= {
        name for name in TRIGRAM_INDEXES if name in plan
    }, plan


@postgresql_only
@pytest.mark.parametrize("term", ["djordjevic", "aero lodz"])
def test_the_folded_search_is_answered_from_the_trigram_indexes(delegates, term):
    queryset = search_registrations(Registration.objects.order_by(), term, FIELDS, FOLDED)
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Seq Scan" not in plan, plan
    assert {"registration_search_name_trgm", "authority_search_name_trgm"} <= {
        name for name in TRIGRAM_INDEXES if name in plan
    }, plan


def test_the_migration_does_nothing_on_other_databases():
    class SchemaEditor:
        connection = SimpleNamespace(vendor="sqlite")

        def add_index(self, *args, **kwargs):
            raise AssertionError("an index added on SQLite")

        remove_index = add_index

    migration.add_search_indexes(None, SchemaEditor())
    migration.remove_search_indexes(None, SchemaEditor())
