"""The programme's reading of translated fields without modeltranslation's descriptors: the same
values as the descriptors, whatever the language, the fallbacks and the values missing; and its
times, as the template filters print them."""

import datetime as dt
import itertools
import zoneinfo

import pytest
from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import time as time_filter
from django.utils import timezone, translation
from modeltranslation.utils import fallbacks

from conference.models import Conference, Room, Session
from conference.selectors import Programme
from conference.templatetags.programme_tags import _SessionFacts, translated_reader

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


@pytest.mark.parametrize("language", ["en", "fr"])
def test_session_times_print_what_the_time_filter_prints_across_days_and_a_clock_change(
    language,
):
    """_SessionFacts formats each clock time once for all days: the same hour on both sides of
    a change of the clocks (Paris, 30 March 2025) keeps its own offset in `date:'c'`."""
    paris = zoneinfo.ZoneInfo("Europe/Paris")
    moments = [
        dt.datetime(2025, 3, 29, 9, 30, tzinfo=paris),
        dt.datetime(2025, 3, 30, 9, 30, tzinfo=paris),
        dt.datetime(2025, 3, 31, 14, 5, tzinfo=paris),
        dt.datetime(2025, 3, 30, 1, 59, 59, tzinfo=paris),
    ]
    conference = Conference(slug="times", time_zone="Europe/Paris")
    with translation.override(language):
        facts = _SessionFacts(conference, Programme(sessions=[], speakers={}, themes={}), paris)
        printed = [facts.time(moment.astimezone(dt.UTC)) for moment in moments]
        expected = [
            (
                date_filter(timezone.localtime(moment, paris), "c"),
                time_filter(timezone.localtime(moment, paris), "TIME_FORMAT"),
            )
            for moment in moments
        ]
    assert printed == expected
    assert printed[0][0].endswith("+01:00") and printed[1][0].endswith("+02:00")
