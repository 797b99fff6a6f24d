import datetime as dt

import factory
import icalendar
import pytest
from django.core import mail

from conference.services import session_save
from registrations.models import OutboundEmail, Registration, SessionBooking
from registrations.outbox.send import outbound_email_send
from registrations.places.status import waitlist_promote
from tests.factories import OutboundEmailFactory, RegistrationFactory, RoomFactory, SessionFactory
from tests.factories.registrations import SessionBookingFactory as CountedSessionBookingFactory

pytestmark = pytest.mark.django_db


class SessionBookingFactory(CountedSessionBookingFactory):
    """The places it holds counted on the session, as the booking services count them."""

    registration = factory.SubFactory(RegistrationFactory)
    session = factory.SubFactory(
        SessionFactory, conference=factory.SelfAttribute("..registration.conference")
    )
    status = SessionBooking.Status.BOOKED


@pytest.fixture
def session(conference):
    room = RoomFactory(venue=conference.venue, name="Salle Athéna")
    tz = conference.tzinfo
    return SessionFactory(
        conference=conference,
        title="Drugs & nightlife",
        room=room,
        starts_at=dt.datetime.combine(conference.start_date, dt.time(14, 0), tzinfo=tz),
        ends_at=dt.datetime.combine(conference.start_date, dt.time(15, 30), tzinfo=tz),
    )


def send(email: OutboundEmail):
    outbound_email_send(email_id=email.pk)
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT, email.last_error
    [message] = mail.outbox
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return message, html


def attached_calendar(message) -> tuple[str, icalendar.Calendar]:
    [(filename, content, mimetype)] = message.attachments
    assert mimetype == "text/calendar"
    return filename, icalendar.Calendar.from_ical(content)


def day_and_time(conference) -> tuple[str, str]:
    day = conference.start_date
    return f"{day:%A} {day.day} {day:%B %Y}", "14:00–15:30"


def test_session_promoted_email_names_the_session_day_time_and_room(conference, session):
    email = OutboundEmailFactory(
        registration__conference=conference,
        kind=OutboundEmail.Kind.SESSION_PROMOTED,
        session=session,
    )

    message, html = send(email)

    assert message.subject == f"A place is yours in “Drugs & nightlife” – {conference.name}"
    day, time = day_and_time(conference)
    for body in (message.body, html):
        assert day in body
        assert time in body
        assert "Salle Athéna" in body
        assert "Europe/Paris" in body
    assert "“Drugs & nightlife”" in message.body
    assert "Drugs &amp; nightlife" in html
    assert "Drugs & nightlife" not in html


def test_session_promoted_email_carries_the_session_event(conference, session):
    email = OutboundEmailFactory(
        registration__conference=conference,
        kind=OutboundEmail.Kind.SESSION_PROMOTED,
        session=session,
    )

    message, _html = send(email)

    filename, calendar = attached_calendar(message)
    assert filename == f"{conference.slug}-session-{session.pk}.ics"
    [event] = calendar.walk("VEVENT")
    assert str(event["uid"]) == f"session-{session.pk}@testserver"
    assert str(event["summary"]) == "Drugs & nightlife"
    assert event["dtstart"].params["TZID"] == "Europe/Paris"
    [vtimezone] = calendar.walk("VTIMEZONE")
    assert str(vtimezone["tzid"]) == "Europe/Paris"


def test_session_moved_email_gives_the_new_time_and_place(conference, session):
    booking = SessionBookingFactory(registration__conference=conference, session=session)
    session.starts_at += dt.timedelta(days=1, hours=2)
    session.ends_at += dt.timedelta(days=1, hours=2)
    session.room = RoomFactory(venue=conference.venue, name="Auditorium Apollon")
    session_save(session=session, changed_fields={"starts_at", "ends_at", "room"})
    email = OutboundEmail.objects.get(
        registration=booking.registration, kind=OutboundEmail.Kind.SESSION_MOVED
    )

    message, html = send(email)

    assert message.subject == f"New time or place for “Drugs & nightlife” – {conference.name}"
    old_day = conference.start_date
    new_day = conference.start_date + dt.timedelta(days=1)
    for body in (message.body, html):
        assert f"{new_day:%A} {new_day.day} {new_day:%B %Y}" in body
        assert "16:00–17:30" in body
        assert "Auditorium Apollon" in body
    # What it was, and what it is now.
    old_day_text = f"{old_day:%A} {old_day.day} {old_day:%B %Y}"
    new_day_text = f"{new_day:%A} {new_day.day} {new_day:%B %Y}"
    assert f"Before: {old_day_text}, 14:00–15:30, Salle Athéna" in message.body
    assert f"Now: {new_day_text}, 16:00–17:30, Auditorium Apollon" in message.body
    assert f"<del>{old_day_text}, 14:00–15:30, Salle Athéna</del>" in html
    assert f"<strong>{new_day_text}, 16:00–17:30, Auditorium Apollon</strong>" in html
    _filename, calendar = attached_calendar(message)
    [event] = calendar.walk("VEVENT")
    assert event["sequence"] == 1
    assert event["dtstart"].dt.replace(tzinfo=None) == dt.datetime.combine(new_day, dt.time(16, 0))


def test_session_moved_email_for_a_session_away_from_the_venue(conference):
    visit = SessionFactory(
        conference=conference, title="Port visit", room=None, location="Quai Lunel, Nice"
    )
    email = OutboundEmailFactory(
        registration__conference=conference, kind=OutboundEmail.Kind.SESSION_MOVED, session=visit
    )

    message, html = send(email)

    assert "Quai Lunel, Nice" in message.body
    assert "Quai Lunel, Nice" in html


def test_session_email_whose_session_was_deleted_fails_visibly(conference, session):
    email = OutboundEmailFactory(
        registration__conference=conference,
        kind=OutboundEmail.Kind.SESSION_PROMOTED,
        session=session,
    )
    session.delete()

    outbound_email_send(email_id=email.pk)

    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.FAILED
    assert "no longer exists" in email.last_error
    assert mail.outbox == []


def test_confirmation_lists_the_delegates_sessions_and_agenda(conference, session):
    registration = RegistrationFactory(conference=conference)
    SessionBookingFactory(registration=registration, session=session)
    SessionBookingFactory(
        registration=registration,
        session__title="Full workshop",
        session__starts_at=session.starts_at + dt.timedelta(hours=2),
        session__ends_at=session.ends_at + dt.timedelta(hours=2),
        status=SessionBooking.Status.WAITING,
    )
    SessionBookingFactory(registration__conference=conference, session__title="Not theirs")
    email = OutboundEmailFactory(registration=registration, kind=OutboundEmail.Kind.CONFIRMED)

    message, html = send(email)

    agenda = f"http://testserver/agenda/{registration.agenda_token}.ics"
    assert "Your sessions:" in message.body
    assert "Drugs & nightlife · Salle Athéna" in message.body
    assert "Full workshop" in message.body
    assert "Full workshop · " in message.body and "(waiting list)" in message.body
    assert message.body.index("Drugs & nightlife") < message.body.index("Full workshop")
    assert "Not theirs" not in message.body
    assert agenda in message.body
    assert "Drugs &amp; nightlife" in html
    assert "(waiting list)" in html
    assert f'href="{agenda}"' in html
    assert "Not theirs" not in html
    # The conference calendar is still attached.
    filename, _calendar = attached_calendar(message)
    assert filename == f"{conference.slug}.ics"


def test_confirmation_marks_only_waiting_sessions(conference, session):
    registration = RegistrationFactory(conference=conference)
    SessionBookingFactory(registration=registration, session=session)
    email = OutboundEmailFactory(registration=registration, kind=OutboundEmail.Kind.CONFIRMED)

    message, html = send(email)

    assert "Drugs & nightlife" in message.body
    assert "waiting list" not in message.body
    assert "waiting list" not in html


def test_confirmation_without_sessions_has_the_agenda_but_no_list(conference):
    email = OutboundEmailFactory(registration__conference=conference)

    message, html = send(email)

    assert "Your sessions:" not in message.body
    assert "Your sessions:" not in html
    assert f"/agenda/{email.registration.agenda_token}.ics" in message.body


def test_promotion_email_lists_the_sessions_booked_with_the_place(conference, session):
    conference.capacity = 1
    conference.save()
    RegistrationFactory(conference=conference)
    session.capacity = 5
    session.save()
    waiting = RegistrationFactory(conference=conference, status=Registration.Status.WAITLISTED)
    SessionBookingFactory(
        registration=waiting, session=session, status=SessionBooking.Status.WAITING
    )
    conference.capacity = 2
    conference.save()

    waitlist_promote(conference=conference)
    email = OutboundEmail.objects.get(registration=waiting, kind=OutboundEmail.Kind.PROMOTED)
    message, html = send(email)

    assert "Drugs & nightlife" in message.body
    assert "waiting list" not in message.body.split("Your sessions:")[1].split("\n\n")[0]
    assert f"/agenda/{waiting.agenda_token}.ics" in html
