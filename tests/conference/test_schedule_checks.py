import datetime as dt

import pytest
from django.utils import translation

from conference.models import Session
from conference.schedule_checks import schedule_problems
from tests.factories import ConferenceFactory, RoomFactory, SessionFactory, SpeakerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def at(conference, day: int, start: str, end: str) -> dict:
    """Start and end of a session on the conference's `day` (0 is the first), local time."""
    date = conference.start_date + dt.timedelta(days=day)
    tz = conference.tzinfo
    return {
        "starts_at": dt.datetime.combine(date, dt.time.fromisoformat(start), tzinfo=tz),
        "ends_at": dt.datetime.combine(date, dt.time.fromisoformat(end), tzinfo=tz),
    }


@pytest.fixture
def room(conference):
    return RoomFactory(venue=conference.venue, name="Salle Athéna", capacity=80)


def test_schedule_without_problems_has_no_warnings(conference, room):
    speaker = SpeakerFactory(conference=conference)
    morning = SessionFactory(
        conference=conference, room=room, **at(conference, 0, "09:00", "10:30")
    )
    # Back to back in the same room, with the same speaker: fine.
    afternoon = SessionFactory(
        conference=conference, room=room, capacity=80, **at(conference, 0, "10:30", "12:00")
    )
    elsewhere = SessionFactory(conference=conference, **at(conference, 2, "09:00", "12:00"))
    SessionFactory(
        conference=conference, room=None, location="Port", **at(conference, 1, "09:00", "12:00")
    )
    for session in (morning, afternoon, elsewhere):
        session.speakers.add(speaker)

    assert schedule_problems(conference) == {}


def test_two_sessions_overlapping_in_one_room(conference, room):
    first = SessionFactory(
        conference=conference, title="First", room=room, **at(conference, 0, "09:00", "10:30")
    )
    second = SessionFactory(
        conference=conference, title="Second", room=room, **at(conference, 0, "10:00", "11:00")
    )
    SessionFactory(conference=conference, title="Other room", **at(conference, 0, "09:00", "11:00"))

    assert schedule_problems(conference) == {
        first.pk: ["Salle Athéna is also used by “Second” at the same time."],
        second.pk: ["Salle Athéna is also used by “First” at the same time."],
    }


def test_session_inside_another_in_one_room(conference, room):
    long = SessionFactory(
        conference=conference, title="Long", room=room, **at(conference, 0, "09:00", "17:00")
    )
    SessionFactory(conference=conference, room=room, **at(conference, 0, "10:00", "11:00"))
    short = SessionFactory(
        conference=conference, title="Late", room=room, **at(conference, 0, "15:00", "16:00")
    )

    problems = schedule_problems(conference)

    assert len(problems[long.pk]) == 2
    assert problems[short.pk] == ["Salle Athéna is also used by “Long” at the same time."]


def test_sessions_without_room_never_clash_by_room(conference):
    SessionFactory(
        conference=conference, room=None, location="Port", **at(conference, 0, "09:00", "12:00")
    )
    SessionFactory(
        conference=conference, room=None, location="Port", **at(conference, 0, "09:00", "12:00")
    )

    assert schedule_problems(conference) == {}


def test_session_capacity_above_its_rooms_seats(conference, room):
    crowded = SessionFactory(conference=conference, room=room, capacity=120)

    assert schedule_problems(conference) == {
        crowded.pk: ["120 places, but Salle Athéna has only 80 seats."]
    }


def test_speaker_in_two_overlapping_sessions(conference):
    rossi = SpeakerFactory(conference=conference, full_name="Maria Rossi")
    other = SpeakerFactory(conference=conference)
    first = SessionFactory(
        conference=conference, title="First", **at(conference, 0, "09:00", "10:30")
    )
    second = SessionFactory(
        conference=conference, title="Second", **at(conference, 0, "10:00", "11:00")
    )
    first.speakers.add(rossi, other)
    second.speakers.add(rossi)

    assert schedule_problems(conference) == {
        first.pk: ["Maria Rossi also speaks in “Second” at the same time."],
        second.pk: ["Maria Rossi also speaks in “First” at the same time."],
    }


def test_session_before_the_first_day(conference):
    early = SessionFactory(conference=conference, **at(conference, -1, "18:00", "20:00"))

    [problem] = schedule_problems(conference)[early.pk]
    assert "outside the conference’s days" in problem


def test_session_after_the_last_day(conference):
    late = SessionFactory(conference=conference, **at(conference, 3, "09:00", "10:00"))

    [problem] = schedule_problems(conference)[late.pk]
    assert "outside the conference’s days" in problem


def test_session_dates_are_read_in_the_conference_time_zone(conference):
    # 00:30 in Paris on the first day is still the day before in UTC: inside all the same.
    SessionFactory(conference=conference, **at(conference, 0, "00:30", "01:00"))

    assert schedule_problems(conference) == {}


def test_late_session_on_the_last_day_far_west_is_inside():
    conference = ConferenceFactory(time_zone="America/New_York")
    # 21:00 in New York on the last day is already the next day in UTC.
    SessionFactory(conference=conference, **at(conference, 2, "21:00", "22:00"))

    assert schedule_problems(conference) == {}


def test_other_conferences_are_not_checked(conference, room):
    other = ConferenceFactory()
    SessionFactory(conference=other, room=room, **at(conference, 0, "09:00", "10:00"))
    mine = SessionFactory(conference=conference, room=room, **at(conference, 0, "09:00", "10:00"))

    assert schedule_problems(conference) == {}
    assert mine.pk not in schedule_problems(other)


def test_several_problems_are_all_listed(conference, room):
    rossi = SpeakerFactory(conference=conference, full_name="Maria Rossi")
    first = SessionFactory(
        conference=conference,
        title="First",
        room=room,
        capacity=100,
        **at(conference, 0, "09:00", "10:00"),
    )
    second = SessionFactory(
        conference=conference, title="Second", room=room, **at(conference, 0, "09:30", "10:30")
    )
    first.speakers.add(rossi)
    second.speakers.add(rossi)

    assert schedule_problems(conference)[first.pk] == [
        "100 places, but Salle Athéna has only 80 seats.",
        "Salle Athéna is also used by “Second” at the same time.",
        "Maria Rossi also speaks in “Second” at the same time.",
    ]


def test_checks_run_in_two_queries(conference, room, django_assert_num_queries):
    for hour in range(8, 18):
        session = SessionFactory(
            conference=conference,
            room=room,
            **at(conference, 0, f"{hour:02d}:00", f"{hour:02d}:45"),
        )
        session.speakers.add(SpeakerFactory(conference=conference))
    SessionFactory(conference=conference, kind=Session.Kind.BREAK, room=None)

    with django_assert_num_queries(2):
        assert schedule_problems(conference) == {}
