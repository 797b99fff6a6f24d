"""A change of a session's time or place tells the delegates it concerns, once per change, with
what it was and what it is now, in their language."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format

from conference.models import Session, SessionChange
from conference.services import session_save
from registrations.models import OutboundEmail, Question, Registration, SessionBooking
from registrations.outbox.send import outbound_email_send
from registrations.places.audience import session_audience
from registrations.places.bookings import session_moved_notify
from registrations.questions.builtin import BUILTIN_DAYS_ATTENDED, day_key
from tests.factories import RegistrationFactory, RoomFactory, SessionFactory
from tests.factories.questions import AnswerFactory
from tests.factories.registrations import SessionBookingFactory

pytestmark = pytest.mark.django_db

MOVED = OutboundEmail.Kind.SESSION_MOVED


@pytest.fixture
def plenary(conference):
    tz = conference.tzinfo
    return SessionFactory(
        conference=conference,
        kind=Session.Kind.PLENARY,
        title="Opening plenary",
        room=RoomFactory(venue=conference.venue, name="Auditorium Apollon", capacity=800),
        starts_at=dt.datetime.combine(conference.start_date, dt.time(9, 0), tzinfo=tz),
        ends_at=dt.datetime.combine(conference.start_date, dt.time(10, 30), tzinfo=tz),
    )


def moved_to(session, *, hours=1, room=None):
    session.starts_at += dt.timedelta(hours=hours)
    session.ends_at += dt.timedelta(hours=hours)
    fields = {"starts_at", "ends_at"}
    if room is not None:
        session.room = room
        fields.add("room")
    session_save(session=session, changed_fields=fields)


def told(**filters):
    return sorted(
        OutboundEmail.objects.filter(kind=MOVED, **filters).values_list(
            "registration_id", flat=True
        )
    )


def test_plenary_moved_tells_every_confirmed_delegate_of_the_conference(conference, plenary):
    confirmed = RegistrationFactory.create_batch(2, conference=conference)
    RegistrationFactory(conference=conference, status=Registration.Status.PENDING)
    RegistrationFactory(conference=conference, status=Registration.Status.WAITLISTED)
    RegistrationFactory(conference=conference, status=Registration.Status.CANCELLED)
    RegistrationFactory()  # another conference's

    moved_to(plenary)

    assert told() == sorted(registration.pk for registration in confirmed)
    [change] = SessionChange.objects.filter(session=plenary)
    assert told(session_change=change) == told()


def test_sign_up_session_moved_tells_only_the_delegates_who_booked_it(conference):
    workshop = SessionFactory(conference=conference, capacity=1)
    booked, waiting, elsewhere = RegistrationFactory.create_batch(3, conference=conference)
    SessionBookingFactory(
        registration=booked, session=workshop, status=SessionBooking.Status.BOOKED
    )
    SessionBookingFactory(
        registration=waiting, session=workshop, status=SessionBooking.Status.WAITING
    )
    SessionBookingFactory(
        registration=elsewhere,
        session=SessionFactory(conference=conference),
        status=SessionBooking.Status.BOOKED,
    )

    moved_to(workshop, room=RoomFactory(venue=conference.venue))

    # Those waiting for a place are told too: the place they may get has moved.
    assert told() == sorted([booked.pk, waiting.pk])
    assert elsewhere.pk not in told()
    assert list(session_audience(workshop)) == [booked, waiting]


def test_session_change_is_recorded_with_what_it_was_and_became(conference, plenary):
    first_room = plenary.room
    second_room = RoomFactory(venue=conference.venue, name="Salle Méditerranée")
    starts_at = plenary.starts_at

    moved_to(plenary, hours=2, room=second_room)

    [change] = SessionChange.objects.all()
    assert change.sequence == 1
    assert (change.previous_starts_at, change.previous_room) == (starts_at, first_room)
    assert change.new_starts_at == starts_at + dt.timedelta(hours=2)
    assert change.new_room == second_room


def test_each_change_is_told_once(conference, plenary):
    delegate = RegistrationFactory(conference=conference)

    moved_to(plenary)
    [first] = SessionChange.objects.all()
    # Telling again (a repeated call, a retried task) queues nothing more.
    assert session_moved_notify(session=plenary, change=first) == 0
    # Saving what does not move the session (the title, the same times) tells nobody.
    plenary.title = "Opening plenary, with the mayor"
    session_save(session=plenary, changed_fields={"title", "starts_at"})
    assert told() == [delegate.pk]

    moved_to(plenary)

    second = SessionChange.objects.get(sequence=2)
    assert told(session_change=first) == [delegate.pk]
    assert told(session_change=second) == [delegate.pk]
    assert OutboundEmail.objects.filter(kind=MOVED).count() == 2


def test_plenary_move_email_gives_the_old_and_new_time_and_room(conference, plenary):
    delegate = RegistrationFactory(conference=conference)
    moved_to(plenary, hours=5, room=RoomFactory(venue=conference.venue, name="Salle Hermès"))
    email = OutboundEmail.objects.get(registration=delegate, kind=MOVED)

    outbound_email_send(email_id=email.pk)

    [message] = mail.outbox
    day = conference.start_date
    day_text = f"{day:%A} {day.day} {day:%B %Y}"
    assert "The programme has changed: “Opening plenary” has moved." in message.body
    assert f"Before: {day_text}, 09:00–10:30, Auditorium Apollon" in message.body
    assert f"Now: {day_text}, 14:00–15:30, Salle Hermès" in message.body


def test_session_move_email_is_in_french_for_a_french_delegate(conference, plenary):
    """Passes once the lead has merged locale-pending/sessions-rosters.po."""
    delegate = RegistrationFactory(
        conference=conference, preferred_language=Registration.Language.FRENCH
    )
    moved_to(plenary, hours=5, room=RoomFactory(venue=conference.venue, name="Salle Hermès"))
    email = OutboundEmail.objects.get(registration=delegate, kind=MOVED)
    assert email.language == "fr"

    outbound_email_send(email_id=email.pk)

    [message] = mail.outbox
    assert "Le programme a changé\u00a0: «\u00a0Opening plenary\u00a0» a été déplacée." in (
        message.body
    )
    with translation.override("fr"):
        day = date_format(conference.start_date, "DATE_FORMAT")
    assert f"Avant\u00a0: {day}, 09\u00a0h\u00a000–10\u00a0h\u00a030, Auditorium Apollon" in (
        message.body
    )
    assert f"Maintenant\u00a0: {day}, 14\u00a0h\u00a000–15\u00a0h\u00a030, Salle Hermès" in (
        message.body
    )
    assert "Elle a désormais lieu\u00a0:" in message.body


def test_session_page_lists_its_changes(admin_client, conference, plenary):
    moved_to(plenary, hours=2, room=RoomFactory(venue=conference.venue, name="Salle Hermès"))

    response = admin_client.get(reverse("admin:conference_session_change", args=[plenary.pk]))

    assert "Changes of time or place" in response.content.decode()
    [changes] = [
        inline
        for inline in response.context["inline_admin_formsets"]
        if inline.formset.model is SessionChange
    ]
    [form] = changes.formset.forms
    assert (form.instance.previous_room.name, form.instance.new_room.name) == (
        "Auditorium Apollon",
        "Salle Hermès",
    )


def test_site_visit_meeting_point_or_time_moved_is_recorded_and_told(conference):
    visit = SessionFactory(
        conference=conference,
        kind=Session.Kind.SITE_VISIT,
        title="Harbour outreach",
        capacity=10,
        meeting_point="Coach at the main entrance",
        meeting_time=dt.time(8, 30),
    )
    booked = RegistrationFactory(conference=conference)
    SessionBookingFactory(registration=booked, session=visit, status=SessionBooking.Status.BOOKED)

    visit.meeting_point = "Coach at the harbour gate"
    visit.meeting_time = dt.time(8, 15)
    session_save(session=visit, changed_fields={"meeting_point", "meeting_time"})

    [change] = SessionChange.objects.all()
    assert (change.previous_meeting_point, change.previous_meeting_time) == (
        "Coach at the main entrance",
        dt.time(8, 30),
    )
    assert (change.new_meeting_point, change.new_meeting_time) == (
        "Coach at the harbour gate",
        dt.time(8, 15),
    )
    visit.refresh_from_db()
    assert visit.sequence == 1
    assert told() == [booked.pk]
    outbound_email_send(email_id=OutboundEmail.objects.get(registration=booked).pk)
    [message] = mail.outbox
    assert "meeting point: Coach at the main entrance 08:30" in message.body
    assert "meeting point: Coach at the harbour gate 08:15" in message.body
    assert "Coach at the harbour gate 08:15" in message.alternatives[0][0]


def days_answer(registration, *days):
    question = Question.objects.get(
        conference=registration.conference, builtin=BUILTIN_DAYS_ATTENDED
    )
    answer = AnswerFactory(registration=registration, question=question)
    answer.choices.set(question.choices.filter(builtin__in=[day_key(day) for day in days]))
    return answer


def test_plenary_moved_tells_those_attending_its_day_and_those_who_did_not_say(conference, plenary):
    first_day = conference.start_date
    second_day = first_day + dt.timedelta(days=1)
    confirmed = {"status": Registration.Status.CONFIRMED, "conference": conference}
    coming, both_days, elsewhere, unsaid = (RegistrationFactory(**confirmed) for _ in range(4))
    days_answer(coming, first_day)
    days_answer(both_days, first_day, second_day)
    days_answer(elsewhere, second_day)

    assert list(session_audience(plenary)) == [coming, both_days, unsaid]
    moved_to(plenary)
    assert told() == sorted([coming.pk, both_days.pk, unsaid.pk])


def test_without_the_days_question_every_confirmed_delegate_is_told(conference, plenary):
    confirmed = {"status": Registration.Status.CONFIRMED, "conference": conference}
    elsewhere, unsaid = RegistrationFactory(**confirmed), RegistrationFactory(**confirmed)
    days_answer(elsewhere, conference.start_date + dt.timedelta(days=1))
    Question.objects.filter(conference=conference, builtin=BUILTIN_DAYS_ATTENDED).update(
        active=False
    )

    assert list(session_audience(plenary)) == [elsewhere, unsaid]
