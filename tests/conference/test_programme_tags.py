"""The programme's reading of translated fields without modeltranslation's descriptors: the same
values as the descriptors, whatever the language, the fallbacks and the values missing."""

import itertools

import pytest
from django.utils import translation
from modeltranslation.utils import fallbacks

from conference.models import Room, Session
from conference.templatetags.programme_tags import translated_reader

VALUES = ("", None, "In English", "En français")


# "de" is no language of the site, "fr-ca" is French.
@pytest.mark.parametrize("language", ["en", "fr", "de", "fr-ca"])
@pytest.mark.parametrize("fallbacks_on", [True, False])
def test_translated_reader_reads_what_the_descriptor_reads(language, fallbacks_on):
    sessions = [
        Session(title_en=english, title_fr=french, location_en=french, location_fr=english)
        for english, french in itertools.product(VALUES, repeat=2)
    ]
    with translation.override(language), fallbacks(fallbacks_on):
        title, location = (
            translated_reader(Session, "title"),
            translated_reader(Session, "location"),
        )
        for session in sessions:
            assert title(session) == session.title
            assert location(session) == session.location
        # A field that is not translated is read as it is.
        assert translated_reader(Session, "kind")(Session(kind="talk")) == "talk"


def test_translated_reader_falls_back_as_the_settings_say():
    room = Room(name_en="Hall", name_fr="")
    with translation.override("fr"):
        assert translated_reader(Room, "name")(room) == "Hall"
    room = Room(name_en="", name_fr="Salle")
    with translation.override("en"):
        assert translated_reader(Room, "name")(room) == "Salle"
