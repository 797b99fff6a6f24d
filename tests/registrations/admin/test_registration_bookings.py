"""A registration's sessions in the admin: shown inline; booked, moved and removed by Organisers
through the booking services; over capacity only with its permission, and in the history;
Viewers and the desk see them and can change nothing."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse

from registrations.models import OutboundEmail, Registration, SessionBooking
from registrations.permissions import BOOK_OVER_CAPACITY
from tests.factories import RegistrationFactory, SessionFactory
from tests.factories.registrations import SessionBookingFactory
from tests.staff import staff_login

pytestmark = pytest.mark.django_db

ORGANISERS, VIEWERS, DESK = "Organisers", "Viewers", "Registration desk"


@pytest.fixture
def as_role(client):
    def login(group: str, *, without: str | None = None):
        user = get_user_model().objects.create_user(
            group.lower().replace(" ", "-"), password="x", is_staff=True
        )
        user.groups.add(Group.objects.get(name=group))
        if without is not None:
            # The group's own permissions minus one, held by the user instead of the group.
            user.groups.clear()
            app_label, codename = without.split(".")
            permissions = Group.objects.get(name=group).permissions.exclude(
                codename=codename, content_type__app_label=app_label
            )
            user.user_permissions.set(permissions)
        staff_login(client, user)
        client.user = user
        return client

    return login


@pytest.fixture
def registration(conference):
    return RegistrationFactory(conference=conference, first_name="Anna", last_name="Nowak")


def at(conference, hour: int, minute: int = 0):
    return dt.datetime.combine(conference.start_date, dt.time(hour, minute), conference.tzinfo)


def full_session(conference, **fields):
    session = SessionFactory(conference=conference, capacity=1, **fields)
    SessionBookingFactory(
        registration=RegistrationFactory(conference=conference),
        session=session,
        status=SessionBooking.Status.BOOKED,
    )
    return session


def book_url(registration):
    return reverse("admin:registrations_registration_session_book", args=[registration.pk])


def move_url(registration, session):
    return reverse(
        "admin:registrations_registration_session_move", args=[registration.pk, session.pk]
    )


def remove_url(registration, session):
    return reverse(
        "admin:registrations_registration_session_remove", args=[registration.pk, session.pk]
    )


def change_url(registration):
    return reverse("admin:registrations_registration_change", args=[registration.pk])


def held(registration) -> dict[str, str]:
    return {
        booking.session.title: booking.status
        for booking in registration.bookings.select_related("session")
    }


def test_change_page_lists_bookings_and_waiting_places(as_role, registration, conference):
    workshop = SessionFactory(conference=conference, title="Night-time economy", capacity=40)
    visit = full_session(conference, title="Port of Nice", starts_at=at(conference, 14))
    SessionBookingFactory(registration=registration, session=workshop, status="booked")
    SessionBookingFactory(registration=registration, session=visit, status="waiting")

    page = as_role(ORGANISERS).get(change_url(registration)).content.decode()

    assert "Sessions booked and waiting lists" in page
    assert "Night-time economy" in page
    assert "Booked (1 booked for 40 places)" in page
    assert "Waiting list, position 1" in page
    assert f'href="{book_url(registration)}"' in page
    assert f'href="{move_url(registration, workshop)}"' in page
    assert f'href="{remove_url(registration, visit)}"' in page


def test_viewers_see_bookings_without_buttons(as_role, registration, conference):
    workshop = SessionFactory(conference=conference, title="Night-time economy")
    SessionBookingFactory(registration=registration, session=workshop, status="booked")

    page = as_role(VIEWERS).get(change_url(registration)).content.decode()

    assert "Night-time economy" in page
    assert book_url(registration) not in page
    assert move_url(registration, workshop) not in page
    assert remove_url(registration, workshop) not in page


@pytest.mark.parametrize("group", [VIEWERS, DESK])
def test_viewers_and_desk_may_not_change_bookings(as_role, registration, conference, group):
    workshop = SessionFactory(conference=conference, title="Night-time economy")
    SessionBookingFactory(registration=registration, session=workshop, status="booked")
    other = SessionFactory(conference=conference, starts_at=at(conference, 14))

    client = as_role(group)

    for url in (book_url(registration), move_url(registration, workshop)):
        assert client.get(url).status_code == 403
        assert client.post(url, {"session": other.pk}).status_code == 403
    assert client.post(remove_url(registration, workshop)).status_code == 403
    assert held(registration) == {"Night-time economy": "booked"}


def test_organiser_books_a_session(
    as_role, registration, conference, django_capture_on_commit_callbacks
):
    workshop = SessionFactory(conference=conference, title="Night-time economy", capacity=40)
    client = as_role(ORGANISERS)

    assert "Night-time economy" in client.get(book_url(registration)).content.decode()
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(book_url(registration), {"session": workshop.pk})

    assert response.status_code == 302
    assert response.url == change_url(registration) + "#bookings-group"
    assert held(registration) == {"Night-time economy": "booked"}
    # Told as when the delegate changes their sessions themselves.
    email = OutboundEmail.objects.get(registration=registration)
    assert email.kind == OutboundEmail.Kind.SESSIONS_CHANGED
    assert callbacks


def test_booking_is_post_only(as_role, registration, conference):
    workshop = SessionFactory(conference=conference)
    client = as_role(ORGANISERS)

    client.get(book_url(registration), {"session": workshop.pk})
    client.get(remove_url(registration, workshop))

    assert held(registration) == {}


def test_booking_needs_the_csrf_token(client, registration, conference, django_user_model):
    from django.test import Client

    workshop = SessionFactory(conference=conference)
    user = django_user_model.objects.create_user("org", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name=ORGANISERS))
    checked = Client(enforce_csrf_checks=True)
    staff_login(checked, user)

    assert checked.post(book_url(registration), {"session": workshop.pk}).status_code == 403
    assert held(registration) == {}


def test_full_session_is_refused_beside_the_field(as_role, registration, conference):
    visit = full_session(conference, title="Port of Nice")

    response = as_role(ORGANISERS).post(book_url(registration), {"session": visit.pk})

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "session": ["“Port of Nice” is full: 1 of 1 places are booked."]
    }
    page = response.content.decode()
    assert 'id="id_session_error"' in page
    assert held(registration) == {}
    assert not OutboundEmail.objects.filter(registration=registration).exists()


def test_full_session_puts_on_the_waiting_list_when_asked(as_role, registration, conference):
    visit = full_session(conference, title="Port of Nice")

    response = as_role(ORGANISERS).post(
        book_url(registration), {"session": visit.pk, "waiting_list": "on"}
    )

    assert response.status_code == 302
    assert held(registration) == {"Port of Nice": "waiting"}


def test_clash_is_refused_beside_the_field(as_role, registration, conference):
    first = SessionFactory(conference=conference, title="Morning workshop")
    second = SessionFactory(conference=conference, title="Other workshop")
    SessionBookingFactory(registration=registration, session=first, status="booked")

    response = as_role(ORGANISERS).post(book_url(registration), {"session": second.pk})

    assert response.context["form"].errors == {
        "session": ["“Morning workshop” and “Other workshop” take place at the same time."]
    }
    assert held(registration) == {"Morning workshop": "booked"}


def test_over_capacity_is_offered_to_holders_of_the_permission_only(
    as_role, registration, conference
):
    visit = full_session(conference, title="Port of Nice")
    client = as_role(ORGANISERS, without=BOOK_OVER_CAPACITY)

    assert "over_capacity" not in client.get(book_url(registration)).context["form"].fields
    response = client.post(book_url(registration), {"session": visit.pk, "over_capacity": "on"})

    assert response.status_code == 200
    assert "session" in response.context["form"].errors
    assert held(registration) == {}


def test_over_capacity_books_and_is_recorded_in_the_history(as_role, registration, conference):
    visit = full_session(conference, title="Port of Nice")
    client = as_role(ORGANISERS)
    assert "over_capacity" in client.get(book_url(registration)).context["form"].fields

    response = client.post(book_url(registration), {"session": visit.pk, "over_capacity": "on"})

    assert response.status_code == 302
    assert held(registration) == {"Port of Nice": "booked"}
    record = registration.history.order_by("-history_date", "-history_id").first()
    assert record.history_change_reason == (
        "Booked over capacity in “Port of Nice”: 2 booked for 1 places."
    )
    assert record.history_user == client.user
    history_page = client.get(
        reverse("admin:registrations_registration_history", args=[registration.pk])
    ).content.decode()
    assert "Booked over capacity in “Port of Nice”" in history_page


def test_organiser_moves_a_booking(as_role, registration, conference):
    workshop = SessionFactory(conference=conference, title="Night-time economy", capacity=1)
    other = SessionFactory(
        conference=conference, title="Public spaces", starts_at=at(conference, 14), capacity=10
    )
    SessionBookingFactory(registration=registration, session=workshop, status="booked")
    next_in_line = RegistrationFactory(conference=conference)
    SessionBookingFactory(registration=next_in_line, session=workshop, status="waiting")

    response = as_role(ORGANISERS).post(move_url(registration, workshop), {"session": other.pk})

    assert response.status_code == 302
    assert held(registration) == {"Public spaces": "booked"}
    # The freed place goes to the waiting list, whose first delegate is told.
    assert held(next_in_line) == {"Night-time economy": "booked"}
    assert list(
        OutboundEmail.objects.filter(registration=next_in_line).values_list("kind", flat=True)
    ) == [OutboundEmail.Kind.SESSION_PROMOTED]
    assert list(
        OutboundEmail.objects.filter(registration=registration).values_list("kind", flat=True)
    ) == [OutboundEmail.Kind.SESSIONS_CHANGED]


def test_move_to_a_full_session_keeps_the_old_booking(as_role, registration, conference):
    workshop = SessionFactory(conference=conference, title="Night-time economy")
    visit = full_session(conference, title="Port of Nice", starts_at=at(conference, 14))
    SessionBookingFactory(registration=registration, session=workshop, status="booked")

    response = as_role(ORGANISERS).post(move_url(registration, workshop), {"session": visit.pk})

    assert response.context["form"].errors == {
        "session": ["“Port of Nice” is full: 1 of 1 places are booked."]
    }
    assert held(registration) == {"Night-time economy": "booked"}


def test_organiser_removes_a_booking(as_role, registration, conference):
    workshop = SessionFactory(conference=conference, title="Night-time economy", capacity=1)
    SessionBookingFactory(registration=registration, session=workshop, status="booked")
    next_in_line = RegistrationFactory(conference=conference)
    SessionBookingFactory(registration=next_in_line, session=workshop, status="waiting")
    client = as_role(ORGANISERS)

    page = client.get(remove_url(registration, workshop)).content.decode()
    assert "Remove Anna Nowak from “Night-time economy”?" in page
    response = client.post(remove_url(registration, workshop))

    assert response.status_code == 302
    assert held(registration) == {}
    assert held(next_in_line) == {"Night-time economy": "booked"}
    assert OutboundEmail.objects.filter(
        registration=registration, kind=OutboundEmail.Kind.SESSIONS_CHANGED
    ).exists()


def test_sessions_of_a_cancelled_registration_cannot_be_changed(as_role, conference):
    cancelled = RegistrationFactory(conference=conference, status=Registration.Status.CANCELLED)
    workshop = SessionFactory(conference=conference)
    client = as_role(ORGANISERS)

    assert book_url(cancelled) not in client.get(change_url(cancelled)).content.decode()
    assert client.post(book_url(cancelled), {"session": workshop.pk}).status_code == 404
