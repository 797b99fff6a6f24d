"""The programme pages: the timetable layout, filters, availability, session and speaker pages,
and their query counts."""

import datetime as dt
import re
import zoneinfo

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from conference.models import Room, Session
from conference.selectors import day_timetable
from registrations.models import SessionBooking
from registrations.templatetags import registration_tags
from tests.factories import (
    ConferenceFactory,
    RegistrationFactory,
    RoomFactory,
    SessionFactory,
    SpeakerFactory,
    ThemeFactory,
)
from tests.factories.registrations import SessionBookingFactory

pytestmark = pytest.mark.django_db

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def url(name: str, **kwargs) -> str:
    with translation.override("en"):
        return reverse(name, kwargs=kwargs)


def at(hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2021, 10, 21, hour, minute, tzinfo=PARIS)


def session(title: str, start: dt.datetime, end: dt.datetime, *, room=None, kind="workshop"):
    """An unsaved session: the layout needs no database."""
    return Session(title=title, kind=kind, starts_at=start, ends_at=end, room=room)


def slot_of(timetable, title: str):
    [slot] = [slot for slot in timetable.slots if slot.session.title == title]
    return slot


ATHENA = Room(pk=1, name="Athéna", position=1, capacity=750)
HERMES = Room(pk=2, name="Hermès", position=2, capacity=300)
APOLLON = Room(pk=3, name="Apollon", position=0, capacity=1022)


# --- Timetable layout (no database) -----------------------------------------------------------


def test_day_timetable_parallel_sessions_get_different_columns_and_same_rows():
    timetable = day_timetable(
        [
            session("Youth and sport", at(9, 30), at(11), room=ATHENA),
            session("Gender-based violence", at(9, 30), at(11), room=HERMES),
        ],
        PARIS,
    )

    youth, violence = (
        slot_of(timetable, "Youth and sport"),
        slot_of(timetable, "Gender-based violence"),
    )
    assert (youth.column, youth.column_span) == (2, 1)
    assert (violence.column, violence.column_span) == (3, 1)
    assert (youth.row, youth.row_span) == (violence.row, violence.row_span) == (2, 18)
    assert [(c.label, c.column, c.span) for c in timetable.columns] == [
        ("Athéna", 2, 1),
        ("Hermès", 3, 1),
    ]


def test_day_timetable_rows_count_five_minutes_from_first_start():
    timetable = day_timetable(
        [
            session("Welcome coffee", at(8, 30), at(9, 30), kind="break"),
            session("Youth and sport", at(9, 30), at(11), room=ATHENA),
            session("Morning break", at(11), at(11, 15), kind="break"),
        ],
        PARIS,
    )

    assert (
        slot_of(timetable, "Welcome coffee").row,
        slot_of(timetable, "Welcome coffee").row_span,
    ) == (2, 12)
    assert (
        slot_of(timetable, "Youth and sport").row,
        slot_of(timetable, "Youth and sport").row_span,
    ) == (14, 18)
    assert (
        slot_of(timetable, "Morning break").row,
        slot_of(timetable, "Morning break").row_span,
    ) == (32, 3)
    assert timetable.row_count == 33
    assert [(time.starts_at, time.row) for time in timetable.times] == [
        (at(8, 30), 2),
        (at(9, 30), 14),
        (at(11), 32),
    ]


def test_day_timetable_rounds_odd_minutes_outwards():
    timetable = day_timetable(
        [
            session("Opening", at(9), at(9, 30), room=ATHENA),
            session("Odd times", at(9, 7), at(9, 13), room=HERMES),
        ],
        PARIS,
    )

    odd = slot_of(timetable, "Odd times")
    assert (odd.row, odd.row_span) == (3, 2)


def test_day_timetable_rooms_follow_their_position():
    timetable = day_timetable(
        [
            session("In Hermès", at(9), at(10), room=HERMES),
            session("In Athéna", at(9), at(10), room=ATHENA),
            session("In Apollon", at(10), at(11), room=APOLLON),
        ],
        PARIS,
    )

    assert [column.label for column in timetable.columns] == ["Apollon", "Athéna", "Hermès"]
    assert slot_of(timetable, "In Apollon").column == 2
    assert slot_of(timetable, "In Hermès").column == 4


def test_day_timetable_break_without_room_spans_all_columns():
    timetable = day_timetable(
        [
            session("Morning break", at(11), at(11, 30), kind="break"),
            session("Designing safer spaces", at(11, 30), at(13), room=ATHENA),
            session("Trafficking", at(11, 30), at(13), room=HERMES),
            session("Site visit: the port", at(11, 30), at(13), kind="site_visit"),
            session("Farewell lunch", at(13), at(14), kind="social"),
        ],
        PARIS,
    )

    assert timetable.column_count == 3
    for title in ("Morning break", "Farewell lunch"):
        assert (slot_of(timetable, title).column, slot_of(timetable, title).column_span) == (2, 3)


def test_day_timetable_sessions_without_room_go_to_off_site_lanes():
    timetable = day_timetable(
        [
            session("Restorative justice", at(14, 30), at(16), room=HERMES),
            session("Visit: supervision centre", at(14, 30), at(18), kind="site_visit"),
            session("Visit: Les Moulins", at(14, 30), at(18), kind="site_visit"),
            session("Visit: Promenade", at(14, 30), at(18), kind="site_visit"),
        ],
        PARIS,
    )

    assert [(c.label, c.column, c.span) for c in timetable.columns] == [
        ("Hermès", 2, 1),
        ("Off-site", 3, 3),
    ]
    visits = sorted(slot.column for slot in timetable.slots if slot.session.kind == "site_visit")
    assert visits == [3, 4, 5]
    assert timetable.column_count == 4


def test_day_timetable_lone_off_site_session_widens_over_free_lanes():
    timetable = day_timetable(
        [
            session("Visit: port", at(9), at(10), kind="site_visit"),
            session("Visit: market", at(9), at(10), kind="site_visit"),
            session("Visit: police station", at(14), at(15), kind="site_visit"),
        ],
        PARIS,
    )

    police = slot_of(timetable, "Visit: police station")
    assert (police.column, police.column_span) == (2, 2)


def test_day_timetable_break_during_site_visits_spans_rooms_only():
    timetable = day_timetable(
        [
            session("Security of major events", at(14, 30), at(16), room=ATHENA),
            session("Restorative justice", at(14, 30), at(16), room=HERMES),
            session("Visit: supervision centre", at(14, 30), at(18), kind="site_visit"),
            session("Afternoon break", at(16), at(16, 30), kind="break"),
        ],
        PARIS,
    )

    afternoon = slot_of(timetable, "Afternoon break")
    assert (afternoon.column, afternoon.column_span) == (2, 2)
    assert slot_of(timetable, "Visit: supervision centre").column == 4


def test_day_timetable_break_clashing_with_a_room_session_goes_off_site():
    timetable = day_timetable(
        [
            session("Long workshop", at(9), at(12), room=ATHENA),
            session("Coffee in the foyer", at(10, 30), at(11), kind="break"),
        ],
        PARIS,
    )

    coffee = slot_of(timetable, "Coffee in the foyer")
    assert (coffee.column, coffee.column_span) == (3, 1)
    assert [column.label for column in timetable.columns] == ["Athéna", "Off-site"]


def test_day_timetable_day_of_breaks_alone_has_one_column():
    timetable = day_timetable([session("Arrival", at(12), at(14), kind="break")], PARIS)

    arrival = slot_of(timetable, "Arrival")
    assert (arrival.column, arrival.column_span) == (2, 1)
    assert timetable.column_count == 1
    assert timetable.columns == []


# --- Programme page -------------------------------------------------------------------------


def grid_rule(content: str, element_id: str) -> str:
    """The declarations of an element of the timetable, in the page's nonce-carrying style sheet
    (the Content-Security-Policy allows no style attribute)."""
    style = re.search(r'<style nonce="[^"]+">(.*?)</style>', content, re.DOTALL)
    assert style, "the page has no style sheet with a nonce"
    match = re.search("#" + re.escape(element_id) + r" \{ ([^}]*) \}", style.group(1))
    assert match, f"no rule for #{element_id}"
    return match.group(1)


def grid_style(content: str, title: str) -> str:
    """The placement of a session's card in the timetable."""
    match = re.search(
        r'<article class="timetable-session[^"]*" id="([^"]*)">\s*<h3[^>]*><a href="[^"]*">'
        + re.escape(title)
        + "</a>",
        content,
    )
    assert match, f"{title} is not in the timetable"
    return grid_rule(content, match.group(1))


def programme(client, conference, **params) -> str:
    response = client.get(url("conference:programme", slug=conference.slug), params)
    assert response.status_code == 200
    return response.content.decode()


def test_programme_grid_places_parallel_sessions_side_by_side(client, conference):
    athena = RoomFactory(venue=conference.venue, name="Athéna", position=1)
    hermes = RoomFactory(venue=conference.venue, name="Hermès", position=2)
    first = SessionFactory(conference=conference, title="Youth and sport", room=athena)
    SessionFactory(
        conference=conference,
        title="Gender-based violence",
        room=hermes,
        starts_at=first.starts_at,
        ends_at=first.ends_at,
    )

    content = programme(client, conference)

    assert (
        grid_style(content, "Youth and sport") == "grid-column: 2 / span 1; grid-row: 2 / span 18;"
    )
    assert grid_style(content, "Gender-based violence") == (
        "grid-column: 3 / span 1; grid-row: 2 / span 18;"
    )
    timetable = re.search(r'<div class="timetable" id="([^"]*)">', content)
    assert timetable
    assert grid_rule(content, timetable.group(1)) == (
        "--timetable-columns: 2; --timetable-rows: 18;"
    )
    assert " style=" not in content


def test_programme_grid_break_spans_all_columns(client, conference):
    first = SessionFactory(conference=conference, title="Designing safer spaces")
    SessionFactory(conference=conference, starts_at=first.starts_at, ends_at=first.ends_at)
    SessionFactory(
        conference=conference,
        kind=Session.Kind.BREAK,
        title="Lunch",
        room=None,
        location="Restaurant",
        starts_at=first.ends_at,
        ends_at=first.ends_at + dt.timedelta(minutes=60),
    )

    content = programme(client, conference)

    assert grid_style(content, "Lunch") == "grid-column: 2 / span 2; grid-row: 20 / span 12;"


def test_programme_lists_each_session_in_grid_and_list_with_link(client, conference):
    workshop = SessionFactory(conference=conference, title="Drugs and nightlife")

    content = programme(client, conference)

    link = f'<a href="{url("conference:session", slug=conference.slug, pk=workshop.pk)}">'
    assert content.count(link + "Drugs and nightlife</a>") == 2
    assert content.count('class="programme-list list-unstyled"') == 1


def test_programme_shows_time_room_kind_speakers_and_language(client, conference):
    room = RoomFactory(venue=conference.venue, name="Salle Rhodes")
    workshop = SessionFactory(
        conference=conference,
        title="Supporting victims",
        room=room,
        language="fr",
        interpretation_languages=["en"],
    )
    workshop.speakers.add(
        SpeakerFactory(conference=conference, full_name="Sofia Lindholm", role="Adviser")
    )
    SessionFactory(
        conference=conference,
        title="Site visit: the port",
        kind=Session.Kind.SITE_VISIT,
        room=None,
        location="Port of Nice",
        interpretation_languages=[],
        starts_at=workshop.ends_at,
        ends_at=workshop.ends_at + dt.timedelta(hours=1),
    )

    content = programme(client, conference)

    assert content.count("FR ⇄ EN interpretation") == 2
    assert content.count("In English, no interpretation") == 2
    assert "· Workshop" in content and "· Site visit" in content
    assert "· Salle Rhodes" in content
    assert content.count("· Port of Nice") == 2
    assert "Sofia Lindholm (Adviser, City of Liège)" in content
    assert ">09:30</time>–<time" in content


def test_programme_keeps_the_day_navigation(client, conference):
    first = SessionFactory(conference=conference)
    SessionFactory(
        conference=conference,
        starts_at=first.starts_at + dt.timedelta(days=1),
        ends_at=first.ends_at + dt.timedelta(days=1),
    )

    content = programme(client, conference)

    day = conference.start_date
    assert f'href="#day-{day:%Y-%m-%d}"' in content
    assert f'href="#day-{day + dt.timedelta(days=1):%Y-%m-%d}"' in content
    assert content.count('<section id="day-') == 2


def test_programme_filters_by_kind(client, conference):
    SessionFactory(conference=conference, title="Opening plenary", kind=Session.Kind.PLENARY)
    SessionFactory(conference=conference, title="Youth and sport", kind=Session.Kind.WORKSHOP)

    content = programme(client, conference, kind="plenary")

    assert "Opening plenary" in content
    assert "Youth and sport" not in content
    assert '<option value="plenary" selected>Plenary</option>' in content


def test_programme_filters_by_theme(client, conference):
    nightlife = ThemeFactory(conference=conference, name="Drugs and nightlife", slug="nightlife")
    ThemeFactory(conference=conference, name="Youth", slug="youth")
    SessionFactory(conference=conference, title="Harm reduction").themes.add(nightlife)
    SessionFactory(conference=conference, title="Youth and sport")

    content = programme(client, conference, theme="nightlife")

    assert "Harm reduction" in content
    assert "Youth and sport" not in content
    assert "Themes: Drugs and nightlife" in content


def test_programme_filters_by_spoken_or_interpreted_language(client, conference):
    SessionFactory(conference=conference, title="Held in German", language="de")
    SessionFactory(
        conference=conference,
        title="Interpreted into German",
        language="fr",
        interpretation_languages=["en", "de"],
    )
    SessionFactory(conference=conference, title="English only", interpretation_languages=[])
    SessionFactory(conference=conference, title="Coffee", kind=Session.Kind.BREAK, room=None)

    content = programme(client, conference, language="de")

    assert "Held in German" in content
    assert "Interpreted into German" in content
    assert "Coffee" in content
    assert "English only" not in content


def test_programme_filters_results_still_grouped_by_day(client, conference):
    first = SessionFactory(conference=conference, title="Day one plenary", kind="plenary")
    SessionFactory(
        conference=conference,
        title="Day two plenary",
        kind="plenary",
        starts_at=first.starts_at + dt.timedelta(days=1),
        ends_at=first.ends_at + dt.timedelta(days=1),
    )
    SessionFactory(conference=conference, title="Day one workshop")

    content = programme(client, conference, kind="plenary")

    assert content.count('<section id="day-') == 2
    assert "Day one workshop" not in content


def test_programme_ignores_invalid_filters(client, conference):
    other_theme = ThemeFactory(slug="elsewhere")
    SessionFactory(conference=conference, title="Youth and sport")

    content = programme(client, conference, kind="nope", theme=other_theme.slug, language="xx")

    assert "Youth and sport" in content
    assert "is not one of the available choices" not in content


def test_programme_with_filters_matching_nothing_says_so(client, conference):
    SessionFactory(conference=conference, kind=Session.Kind.WORKSHOP)

    content = programme(client, conference, kind="social")

    assert "No session matches these filters." in content
    assert f'href="{url("conference:programme", slug=conference.slug)}">Reset</a>' in content


def test_programme_filter_form_has_no_theme_field_without_themes(client, conference):
    content = programme(client, conference)

    assert 'name="kind"' in content and 'name="language"' in content
    assert 'name="theme"' not in content


def book(session: Session, count: int, status=SessionBooking.Status.BOOKED) -> None:
    for _ in range(count):
        SessionBookingFactory(
            registration=RegistrationFactory(conference=session.conference),
            session=session,
            status=status,
        )


def test_programme_shows_places_left(client, conference):
    workshop = SessionFactory(conference=conference, capacity=15)
    book(workshop, 3)

    content = programme(client, conference)

    assert content.count("12 places left") == 2


def test_programme_shows_one_place_left_in_the_singular(client, conference):
    workshop = SessionFactory(conference=conference, capacity=2)
    book(workshop, 1)

    content = programme(client, conference)

    assert content.count("1 place left") == 2


def test_programme_shows_waiting_list_when_full(client, conference):
    workshop = SessionFactory(conference=conference, capacity=2)
    book(workshop, 2)
    book(workshop, 1, status=SessionBooking.Status.WAITING)

    content = programme(client, conference)

    assert content.count("Waiting list") == 2
    assert "places left" not in content


def test_places_badges_read_the_counters_and_print_what_one_sessions_badge_prints(conference):
    room = RoomFactory(venue=conference.venue, capacity=4)
    sessions = [
        SessionFactory(conference=conference, capacity=15),
        SessionFactory(conference=conference, capacity=2),
        SessionFactory(conference=conference, capacity=None, room=room),
        SessionFactory(conference=conference, capacity=None, room=None),
        SessionFactory(conference=conference, kind=Session.Kind.PLENARY),
    ]
    book(sessions[0], 3)
    book(sessions[1], 2)
    book(sessions[1], 1, status=SessionBooking.Status.WAITING)
    book(sessions[2], 1)
    loaded = list(Session.objects.filter(conference=conference).select_related("room"))

    with CaptureQueriesContext(connection) as queries:
        badges = registration_tags.session_places_badges(loaded)

    assert len(queries) == 0
    # As the badge of one session, which counts its bookings.
    assert badges == {
        session.pk: render_to_string(
            "registrations/session_places.html", registration_tags.session_places(session)
        )
        for session in loaded
        if session.requires_sign_up
    }
    assert "12 places left" in badges[sessions[0].pk]
    assert "Waiting list" in badges[sessions[1].pk]
    assert "3 places left" in badges[sessions[2].pk]  # the room's capacity
    assert "session-places" not in badges[sessions[3].pk]  # unlimited


def test_programme_shows_no_places_when_unlimited_or_open_to_all(client, conference):
    SessionFactory(conference=conference, kind=Session.Kind.PLENARY)
    SessionFactory(conference=conference, kind=Session.Kind.SITE_VISIT, room=None)

    content = programme(client, conference)

    assert "session-places" not in content


def test_programme_of_unpublished_conference_is_404(client):
    hidden = ConferenceFactory(is_published=False)
    response = client.get(url("conference:programme", slug=hidden.slug))
    assert response.status_code == 404


# --- Session page -----------------------------------------------------------------------------


def test_session_page_shows_details(client, conference):
    room = RoomFactory(venue=conference.venue, name="Hermès")
    theme = ThemeFactory(conference=conference, name="Drugs and nightlife", slug="nightlife")
    speaker = SpeakerFactory(conference=conference, full_name="Laurent Dumoulin", role="Alderman")
    workshop = SessionFactory(
        conference=conference,
        title="Drugs, alcohol and nightlife",
        description="Reducing harm at night.",
        room=room,
        capacity=20,
        language="fr",
        interpretation_languages=["en"],
    )
    workshop.themes.add(theme)
    workshop.speakers.add(speaker)
    book(workshop, 5)

    response = client.get(url("conference:session", slug=conference.slug, pk=workshop.pk))

    assert response.status_code == 200
    content = response.content.decode()
    assert '<h1 class="h2">Drugs, alcohol and nightlife</h1>' in content
    assert "Workshop" in content
    assert f"{conference.start_date:%A} {conference.start_date.day}" in content
    assert ">09:30</time>–<time" in content and ">11:00</time>" in content
    assert "Hermès, Palais Acropolis" in content
    assert "FR ⇄ EN interpretation" in content
    assert (
        'href="{}?theme=nightlife">Drugs and nightlife</a>'.format(
            url("conference:programme", slug=conference.slug)
        )
        in content
    )
    assert "<p>Reducing harm at night.</p>" in content
    speakers_url = url("conference:speakers", slug=conference.slug)
    assert f'<a href="{speakers_url}#speaker-{speaker.pk}">Laurent Dumoulin</a>' in content
    assert "Alderman, City of Liège" in content
    assert "15 places left" in content
    calendar_url = url("conference:session_calendar", slug=conference.slug, pk=workshop.pk)
    assert f'<a href="{calendar_url}">Add to your calendar</a>' in content


def test_session_page_off_site_shows_location(client, conference):
    visit = SessionFactory(
        conference=conference,
        kind=Session.Kind.SITE_VISIT,
        room=None,
        location="Les Moulins district",
        capacity=30,
    )
    book(visit, 30)

    content = client.get(url("conference:session", slug=conference.slug, pk=visit.pk)).content
    content = content.decode()

    assert "Les Moulins district" in content
    assert "Waiting list" in content


def test_session_page_of_other_conference_is_404(client, conference):
    other = SessionFactory(conference=ConferenceFactory())
    response = client.get(url("conference:session", slug=conference.slug, pk=other.pk))
    assert response.status_code == 404


def test_session_page_of_unpublished_conference_is_404(client):
    hidden = SessionFactory(conference=ConferenceFactory(is_published=False))
    response = client.get(url("conference:session", slug=hidden.conference.slug, pk=hidden.pk))
    assert response.status_code == 404


# --- Speakers page ----------------------------------------------------------------------------


def test_speakers_page_lists_speakers_alphabetically_with_sessions(client, conference):
    zoe = SpeakerFactory(conference=conference, full_name="Zoé Martin", country="FR")
    emilie = SpeakerFactory(
        conference=conference,
        full_name="Émilie Dubois",
        role="Deputy mayor",
        organisation="City of Liège",
        country="BE",
    )
    SpeakerFactory(conference=conference, full_name="Bruno Costa")
    SpeakerFactory(conference=ConferenceFactory(), full_name="Someone Elsewhere")
    workshop = SessionFactory(conference=conference, title="Youth and sport")
    workshop.speakers.add(emilie, zoe)

    response = client.get(url("conference:speakers", slug=conference.slug))

    assert response.status_code == 200
    content = response.content.decode()
    names = re.findall(r'<h2 class="h5 mb-1">([^<]+)</h2>', content)
    assert names == ["Bruno Costa", "Émilie Dubois", "Zoé Martin"]
    assert f'id="speaker-{emilie.pk}"' in content
    assert "Deputy mayor, City of Liège" in content
    assert "Belgium" in content
    session_link = f'<a href="{url("conference:session", slug=conference.slug, pk=workshop.pk)}">'
    assert content.count(session_link + "Youth and sport</a>") == 2


def test_speakers_page_of_unpublished_conference_is_404(client):
    hidden = ConferenceFactory(is_published=False)
    response = client.get(url("conference:speakers", slug=hidden.slug))
    assert response.status_code == 404


def test_conference_nav_links_programme_and_speakers(client, conference):
    content = client.get(url("conference:speakers", slug=conference.slug)).content.decode()

    programme_url = url("conference:programme", slug=conference.slug)
    speakers_url = url("conference:speakers", slug=conference.slug)
    assert f'<a href="{programme_url}" class="link-secondary">Programme</a>' in content
    assert (
        f'<a href="{speakers_url}" class="link-secondary" aria-current="page">Speakers</a>'
        in content
    )


# --- Query counts ---------------------------------------------------------------------------


def build_programme(conference, count: int) -> list[Session]:
    """`count` sessions over the conference's days, in four rooms and off site, each with two
    speakers and two themes, the sign-up ones with bookings."""
    rooms = [RoomFactory(venue=conference.venue) for _ in range(4)]
    themes = [ThemeFactory(conference=conference) for _ in range(3)]
    speakers = [SpeakerFactory(conference=conference) for _ in range(max(count // 2, 2))]
    registrations = [RegistrationFactory(conference=conference) for _ in range(3)]
    kinds = [Session.Kind.WORKSHOP, Session.Kind.PLENARY, Session.Kind.FOCUS, Session.Kind.BREAK]
    sessions = []
    for index in range(count):
        day, slot = divmod(index, 60)
        starts_at = dt.datetime.combine(
            conference.start_date + dt.timedelta(days=day % 3),
            dt.time(8 + slot // 5, (slot % 5) * 10),
            tzinfo=conference.tzinfo,
        )
        kind = kinds[index % len(kinds)]
        session = SessionFactory(
            conference=conference,
            kind=kind,
            room=None if index % 7 == 0 else rooms[index % len(rooms)],
            starts_at=starts_at,
            ends_at=starts_at + dt.timedelta(minutes=45),
            capacity=5 if kind == Session.Kind.FOCUS else None,
        )
        session.speakers.add(speakers[index % len(speakers)], speakers[(index + 1) % len(speakers)])
        session.themes.add(themes[index % 3], themes[(index + 1) % 3])
        if session.requires_sign_up:
            SessionBooking.objects.bulk_create(
                SessionBooking(registration=registration, session=session, status="booked")
                for registration in registrations
            )
            # Counted on the session, as the booking services count them.
            Session.objects.filter(pk=session.pk).update(places_booked=len(registrations))
        sessions.append(session)
    return sessions


def queries_for(client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries)


def test_programme_query_count_same_for_10_and_200_sessions(client):
    small, large = ConferenceFactory(), ConferenceFactory()
    build_programme(small, 10)
    build_programme(large, 200)

    small_count = queries_for(client, url("conference:programme", slug=small.slug))
    large_count = queries_for(client, url("conference:programme", slug=large.slug))

    assert small_count == large_count


def test_programme_filtered_query_count_same_for_10_and_200_sessions(client):
    small, large = ConferenceFactory(), ConferenceFactory()
    build_programme(small, 10)
    build_programme(large, 200)
    params = "?kind=focus&language=fr"

    small_count = queries_for(client, url("conference:programme", slug=small.slug) + params)
    large_count = queries_for(client, url("conference:programme", slug=large.slug) + params)

    assert small_count == large_count


def test_session_page_query_count_same_for_few_and_many_speakers(client, conference):
    few = SessionFactory(conference=conference, capacity=50)
    few.speakers.add(SpeakerFactory(conference=conference))
    few.themes.add(ThemeFactory(conference=conference))
    book(few, 1)
    many = SessionFactory(conference=conference, capacity=50)
    many.speakers.add(*[SpeakerFactory(conference=conference) for _ in range(30)])
    many.themes.add(*[ThemeFactory(conference=conference) for _ in range(10)])
    book(many, 20)

    few_count = queries_for(client, url("conference:session", slug=conference.slug, pk=few.pk))
    many_count = queries_for(client, url("conference:session", slug=conference.slug, pk=many.pk))

    assert few_count == many_count


def test_speakers_page_query_count_same_for_10_and_200_sessions(client):
    small, large = ConferenceFactory(), ConferenceFactory()
    build_programme(small, 10)
    build_programme(large, 200)

    small_count = queries_for(client, url("conference:speakers", slug=small.slug))
    large_count = queries_for(client, url("conference:speakers", slug=large.slug))

    assert small_count == large_count
