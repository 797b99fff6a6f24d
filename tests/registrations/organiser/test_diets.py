"""Free-text dietary needs grouped as the caterers count them, whatever the case, accents and
language (English, French) they were typed in."""

import pytest
from django.utils import translation

from registrations.organiser.dashboard import Tally, meal_sheet
from registrations.organiser.diets import DietGroup, diet_fold, diet_groups
from tests.factories import ConferenceFactory, RegistrationFactory


def test_diet_fold_drops_case_accents_punctuation_and_spacing():
    assert diet_fold("  Végétalienne ") == "vegetalienne"
    assert diet_fold("Gluten-free.") == "gluten free"
    assert diet_fold("SANS   PORC!") == "sans porc"
    assert diet_fold(" \n") == ""


@pytest.mark.parametrize(
    ("spellings", "key", "label"),
    [
        (["Sans porc", "No pork", "no pork ", "PAS DE PORC"], "no_pork", "No pork"),
        (["Vegan", "Végétalien", "végane", "VÉGÉTALIENNE"], "vegan", "Vegan"),
        (["Végétarien", "Vegetarian", "vegetarienne"], "vegetarian", "Vegetarian"),
        (["Halal", "halal "], "halal", "Halal"),
        (["Sans gluten", "Gluten-free", "gluten free", "Coeliac"], "gluten_free", "Gluten-free"),
    ],
)
def test_synonyms_make_one_need(spellings, key, label):
    assert diet_groups([(text, 1) for text in spellings]) == [DietGroup(key, label, len(spellings))]


def test_unknown_needs_group_by_folded_text_under_their_most_common_spelling():
    groups = diet_groups(
        [
            ("Allergie aux kiwis", 1),
            ("allergie aux KIWIS", 3),
            ("Allergie aux kiwis ", 1),
            ("", 7),
            ("Vegan", 1),
        ]
    )

    assert groups == [
        DietGroup("allergie aux kiwis", "allergie aux KIWIS", 5),
        DietGroup("vegan", "Vegan", 1),
    ]


def test_the_canonical_names_are_in_the_active_language():
    with translation.override("fr"):
        groups = diet_groups([("No pork", 2), ("Sans porc", 1)])
        french = translation.gettext("No pork")

    # "Sans porc" once the French catalogue holds it.
    assert groups == [DietGroup("no_pork", french, 3)]


@pytest.mark.django_db
def test_meal_sheet_counts_the_groups():
    conference = ConferenceFactory()
    for need in ["Sans porc", "No pork", "no pork ", "Vegan", "Végétalien", "végane", ""]:
        RegistrationFactory(conference=conference, dietary_needs=need)

    sheet = meal_sheet(conference)

    assert sheet.needs == [Tally("no_pork", "No pork", 3), Tally("vegan", "Vegan", 3)]
    assert sheet.without_needs == 1
