"""Names sort and search as people expect in every European script: one collation key
(registrations.collation) for badge sheets, exports and the admin's lists, in Python and in the
database alike; searches that find Ærø by "aero" and Đorđević by "djordjevic"."""

import importlib

import pytest
from django.apps import apps as django_apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from registrations.admin.documents import print_badges_by_name, registration_name_key
from registrations.collation import name_sort_key, search_fold, search_text, sort_key
from registrations.models import Authority, Registration
from registrations.onsite.desk import desk_lookup
from registrations.organiser.exports.selectors import attendee_list
from registrations.places.imports import ImportedRegistration, registrations_import
from registrations.places.registrations import RegistrationData
from tests.factories import AuthorityFactory, ConferenceFactory, RegistrationFactory
from tests.registrations.documents.test_badges import (  # noqa: F401 (fixtures)
    BadgeAdmin,
    action_request,
    drawn_order,
)
from tests.staff import staff_login

pytestmark = pytest.mark.django_db

# As an organiser expects them in a list sorted by last name.
IN_ORDER = [
    "Aaron",
    "Ærø",
    "Baker",
    "Dalton",
    "Đorđević",
    "Dupont",
    "Łukasiewicz",
    "Lutz",
    "Sanchez",
    "Šimek",
    "Szabo",
    "Zeta",
    "Żółkiewska",
]

migration = importlib.import_module("registrations.migrations.0038_name_sort_and_search_keys")
by_level = importlib.import_module("registrations.migrations.0041_name_sort_keys_by_level")


def test_the_collation_key_orders_every_script_as_people_expect():
    shuffled = IN_ORDER[7:] + IN_ORDER[:7]
    assert sorted(shuffled, key=sort_key) == IN_ORDER
    assert sort_key("Łukasiewicz") < sort_key("Żółkiewska")
    # Fixed-width hex: the text compares as the weights do.
    assert set(sort_key("Ærø")) <= set("0123456789abcdef")
    assert len(sort_key("Ærø")) % 4 == 0


def test_the_last_name_decides_before_the_first_name():
    assert name_sort_key("Ab", "Zoë") < name_sort_key("Abc", "Anna")
    assert name_sort_key("Nowak", "Adam") < name_sort_key("Nowak", "Anna")
    assert name_sort_key("Nowak", "Zoë") > name_sort_key("Nowak", "Adam")


def test_both_names_letters_decide_before_accents_and_case():
    people = [("López", "Zoe"), ("Lopez", "Zoe"), ("López", "Anna"), ("Lopez", "Anna")]

    ordered = sorted(people, key=lambda person: name_sort_key(*person))

    # As the collation orders "Lopez Anna", "López Anna"…: all the letters first, then accents.
    assert ordered == [("Lopez", "Anna"), ("López", "Anna"), ("Lopez", "Zoe"), ("López", "Zoe")]
    assert name_sort_key("lopez", "Zoe") < name_sort_key("Lopez", "Zoe")
    assert name_sort_key("López", "Anna") < name_sort_key("lopez", "Zoe")


def test_a_name_sorts_before_the_longer_names_it_begins():
    assert name_sort_key("Łukasiewicz", "Zoë") < name_sort_key("Żółkiewska", "Anna")
    assert name_sort_key("Lo", "Zoë") < name_sort_key("Lopez", "Anna")
    assert name_sort_key("Lö", "Żaneta") < name_sort_key("Loa", "Anna")
    assert (
        name_sort_key("Lopez") < name_sort_key("Lopez", "Anna") < name_sort_key("Lopez", "Annabel")
    )
    assert name_sort_key("", "") < name_sort_key("A", "")


def test_the_search_text_holds_the_ascii_spellings():
    assert search_fold("  ÆRØ  Łódź ") == "aero lodz"
    assert search_text("Đorđević", "Søren") == "dordevic djordjevic soren soeren"
    assert search_text("Müller") == "muller mueller"
    assert search_text("Dupont") == "dupont"
    assert search_text("", "") == ""


def test_the_database_orders_the_stored_key_as_python_does():
    conference = ConferenceFactory()
    for last_name in reversed(IN_ORDER):
        RegistrationFactory(conference=conference, last_name=last_name)

    ordered = Registration.objects.order_by("sort_name").values_list("last_name", flat=True)

    assert list(ordered) == IN_ORDER
    assert [r.last_name for r in attendee_list(Registration.objects.all())] == IN_ORDER


def test_save_keeps_the_keys_even_for_some_fields_only():
    registration = RegistrationFactory(last_name="Dupont", first_name="Anna")
    assert registration.search_name == "dupont anna"

    registration.last_name = "Đorđević"
    registration.save(update_fields=["last_name"])

    registration.refresh_from_db()
    assert registration.sort_name == name_sort_key("Đorđević", "Anna")
    assert registration.search_name == "dordevic djordjevic anna"


def test_authorities_keep_their_keys():
    authority = AuthorityFactory(name="Lodève", country="FR")
    authority.name = "Łódź"
    authority.country = "PL"
    authority.save(update_fields=["name", "country"])

    authority.refresh_from_db()
    assert (authority.sort_name, authority.search_name) == (sort_key("Łódź"), "lodz")


def test_imported_registrations_get_their_keys(conference):
    authority = AuthorityFactory(name="Gdańsk", country="PL")
    data = RegistrationData(
        first_name="Łucja", last_name="Żak", email="lucja@example.org", job_title="Mayor"
    )

    registrations_import(
        conference=conference,
        entries=[ImportedRegistration(authority=authority, data=data)],
        registered_at=timezone.now(),
    )

    registration = Registration.objects.get(email="lucja@example.org")
    assert registration.sort_name == name_sort_key("Żak", "Łucja")
    assert registration.search_name == "zak lucja"


def test_the_migration_fills_the_keys_of_existing_rows():
    registration = RegistrationFactory(last_name="Ærø", first_name="Åsa")
    authority = registration.authority
    Registration.objects.update(sort_name="", search_name="")
    Authority.objects.update(sort_name="", search_name="")

    migration.fill_keys(django_apps, None)

    registration.refresh_from_db()
    authority.refresh_from_db()
    assert registration.sort_name == name_sort_key("Ærø", "Åsa")
    assert registration.search_name == "aero aeroe asa aasa"
    assert authority.sort_name == sort_key(authority.name)


def test_the_migration_recomputes_the_keys_by_level():
    registration = RegistrationFactory(last_name="López", first_name="Anna")
    stored = registration.sort_name
    assert stored == name_sort_key("López", "Anna")
    former = by_level.former_name_sort_key("López", "Anna")
    assert former != stored
    Registration.objects.update(sort_name=former)

    by_level.fill_keys(django_apps, None)

    registration.refresh_from_db()
    assert registration.sort_name == stored
    by_level.restore_former_keys(django_apps, None)
    registration.refresh_from_db()
    assert registration.sort_name == former


def test_badge_sheets_sort_by_the_collation_key(conference, action_request, monkeypatch):  # noqa: F811
    for last_name in ["Żółkiewska", "Šimek", "Łukasiewicz", "Đorđević", "Ærø", "Zeta"]:
        RegistrationFactory(conference=conference, first_name="Ana", last_name=last_name)
    drawn = drawn_order(monkeypatch)

    print_badges_by_name(
        BadgeAdmin(Registration, admin.site), action_request, Registration.objects.all()
    )

    assert drawn == [
        "Ana Ærø",
        "Ana Đorđević",
        "Ana Łukasiewicz",
        "Ana Šimek",
        "Ana Zeta",
        "Ana Żółkiewska",
    ]
    registrations = sorted(Registration.objects.all(), key=registration_name_key)
    assert [r.last_name for r in registrations] == [name.split()[1] for name in drawn]


@pytest.mark.parametrize(
    ("typed", "last_name"),
    [("aero", "Ærø"), ("djordjevic", "Đorđević"), ("dordevic", "Đorđević"), ("ÆRØ", "Ærø")],
)
def test_the_desk_finds_ascii_spellings(conference, typed, last_name):
    wanted = RegistrationFactory(conference=conference, last_name=last_name)
    RegistrationFactory(conference=conference, last_name="Jansen")

    assert desk_lookup(conference, typed) == [wanted]


def test_the_desk_finds_an_authority_by_its_ascii_spelling(conference):
    wanted = RegistrationFactory(
        conference=conference, authority=AuthorityFactory(name="Łódź", country="PL")
    )
    RegistrationFactory(conference=conference)

    assert desk_lookup(conference, "lodz") == [wanted]


def test_the_desk_orders_equal_matches_by_the_collation_key(conference):
    names = ["Żółkiewska", "Łukasiewicz", "Zeta"]
    for last_name in names:
        RegistrationFactory(conference=conference, first_name="Anna", last_name=last_name)

    found = desk_lookup(conference, "anna")

    assert [r.last_name for r in found] == ["Łukasiewicz", "Zeta", "Żółkiewska"]


@pytest.fixture
def as_role(client):
    def login(group: str):
        user = get_user_model().objects.create_user(group.lower(), password="x", is_staff=True)
        user.groups.add(Group.objects.get(name=group))
        staff_login(client, user)
        return client

    return login


@pytest.mark.parametrize("group", ["Organisers", "Viewers"])
def test_admin_search_and_order_for_each_role(as_role, group):
    lodz = AuthorityFactory(name="Łódź", country="PL")
    for last_name in ["Żółkiewska", "Ærø", "Đorđević", "Łukasiewicz", "Šimek"]:
        RegistrationFactory(last_name=last_name, authority=lodz)
    RegistrationFactory(last_name="Other")
    client = as_role(group)
    changelist = reverse("admin:registrations_registration_changelist")

    def found(**params):
        response = client.get(changelist, params)
        assert response.status_code == 200
        return [r.last_name for r in response.context["cl"].result_list]

    assert found(q="aero") == ["Ærø"]
    assert found(q="djordjevic") == ["Đorđević"]
    # The column's number in the list as this role sees it.
    list_display = client.get(changelist).context["cl"].list_display
    name_column = list_display.index("name_column")
    assert found(q="lodz", o=str(name_column)) == [
        "Ærø",
        "Đorđević",
        "Łukasiewicz",
        "Šimek",
        "Żółkiewska",
    ]
    authorities = reverse("admin:registrations_authority_changelist")
    AuthorityFactory(name="Zagreb", country="HR")
    AuthorityFactory(name="Aarhus", country="DK")
    response = client.get(authorities, {"q": "lodz"})
    assert [a.name for a in response.context["cl"].result_list] == ["Łódź"]
    names = [a.name for a in client.get(authorities).context["cl"].result_list]
    assert names.index("Aarhus") < names.index("Łódź") < names.index("Zagreb")
