"""The programme page's sessions (selectors.programme_for_page), built from their rows: the same
sessions, in the same order, with every column and the room, as the queryset's own instances."""

import datetime as dt
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from conference.models import Session
from conference.selectors import programme_for_page, programme_sessions
from tests.factories import RoomFactory, SessionFactory, ThemeFactory

pytestmark = pytest.mark.django_db


def columns(session: Session) -> dict:
    return {
        field.attname: getattr(session, field.attname) for field in Session._meta.concrete_fields
    }


@pytest.fixture
def sessions(conference):
    """Sessions at one time whose titles sort one way in English and the other in French, one
    without a room, one with a capacity and interpretation, one with a theme."""
    starts = dt.datetime.combine(conference.start_date, dt.time(9), tzinfo=conference.tzinfo)
    room = RoomFactory(venue=conference.venue, name_en="Apollo", name_fr="Apollon")
    theme = ThemeFactory(conference=conference, slug="prevention")
    first = SessionFactory(
        conference=conference,
        room=room,
        starts_at=starts,
        title_en="Alpha",
        title_fr="Zèbre",
        description_en="About alpha",
        capacity=12,
        interpretation_languages=["fr", "de"],
    )
    second = SessionFactory(
        conference=conference,
        room=room,
        starts_at=starts,
        title_en="Beta",
        title_fr="Abeille",
        location_fr="Gare",
        interpretation_languages=[],
    )
    third = SessionFactory(
        conference=conference,
        room=None,
        kind=Session.Kind.SITE_VISIT,
        starts_at=starts + dt.timedelta(hours=1),
        title_en="Visit",
        location_en="Harbour",
        meeting_point_en="Main entrance",
        meeting_time=dt.time(8, 45),
        identity_number_required=True,
    )
    third.themes.add(theme)
    return [first, second, third]


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize(
    "filters", [{}, {"kind": "workshop"}, {"theme": "prevention"}, {"language": "de"}]
)
def test_programme_for_page_sessions_are_the_querysets_own(conference, sessions, language, filters):
    with translation.override(language):
        expected = programme_sessions(conference, **filters)
        built = programme_for_page(conference, **filters).sessions

        assert [session.pk for session in built] == [session.pk for session in expected]
        for session, model_instance in zip(built, expected, strict=True):
            assert columns(session) == columns(model_instance)
            assert session.title == model_instance.title
            assert session.location == model_instance.location
            assert session.description == model_instance.description
            assert session.effective_capacity == model_instance.effective_capacity
            assert session.interpretation_summary() == model_instance.interpretation_summary()
            assert session._state.adding is False
            assert session._state.db == model_instance._state.db
            with CaptureQueriesContext(connection) as queries:
                room = session.room
            assert len(queries) == 0
            assert room == model_instance.room
            if room is not None:
                assert room.name == model_instance.room.name


def test_programme_for_page_in_french_orders_sessions_at_one_time_by_french_title(
    conference, sessions
):
    with translation.override("fr"):
        titles = [session.title for session in programme_for_page(conference).sessions]

    assert titles == ["Abeille", "Zèbre", "Visit"]


@pytest.mark.parametrize(
    "starts_at",
    [
        dt.datetime(2025, 3, 30, 0, 59, 59, 999999, tzinfo=dt.UTC),  # a change of the clocks
        dt.datetime(1969, 12, 31, 23, 59, 58, 500001, tzinfo=dt.UTC),  # before the epoch
        dt.datetime(2299, 6, 1, 7, 30, 0, 1, tzinfo=zoneinfo.ZoneInfo("Pacific/Auckland")),
    ],
)
def test_programme_for_page_reads_the_times_the_orm_reads(conference, starts_at):
    """On PostgreSQL the starts and ends are read as microseconds: the same datetimes, to the
    microsecond, in the same time zone object, shared by the sessions that hold the same."""
    for title in ("First", "Second"):
        SessionFactory(
            conference=conference,
            title=title,
            starts_at=starts_at,
            ends_at=starts_at + dt.timedelta(minutes=45, microseconds=3),
        )

    with CaptureQueriesContext(connection) as queries:
        built = programme_for_page(conference).sessions
    expected = list(programme_sessions(conference))

    if connection.vendor == "postgresql":
        assert any("EXTRACT(EPOCH FROM" in query["sql"] for query in queries)

    assert [columns(session) for session in built] == [columns(session) for session in expected]
    for session, model_instance in zip(built, expected, strict=True):
        for name in ("starts_at", "ends_at"):
            moment, orm_moment = getattr(session, name), getattr(model_instance, name)
            assert moment.tzinfo is orm_moment.tzinfo
            assert (moment.isoformat(), moment.fold) == (orm_moment.isoformat(), orm_moment.fold)
    assert built[0].starts_at == starts_at
