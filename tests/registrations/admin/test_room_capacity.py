"""A room's seats are the places of the sessions it holds without a capacity of their own:
changing them follows the session's rules. Fewer seats than a session's bookings are refused
beside the capacity, or, for those allowed to book over capacity, accepted, recorded and
shown; more seats serve the waiting lists."""

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.urls import reverse

from conference.services import room_save
from registrations.models import OutboundEmail, SessionBooking
from registrations.permissions import BOOK_OVER_CAPACITY
from tests.admin_forms import change_form_data
from tests.factories import RegistrationFactory, RoomFactory, SessionFactory
from tests.factories.registrations import SessionBookingFactory
from tests.staff import staff_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def room(conference):
    return RoomFactory(venue=conference.venue, name="Salle Délos", capacity=5)


@pytest.fixture
def workshop(conference, room):
    workshop = SessionFactory(
        conference=conference, title="Night-time economy", room=room, capacity=None
    )
    for registration in RegistrationFactory.create_batch(5, conference=conference):
        SessionBookingFactory(
            registration=registration, session=workshop, status=SessionBooking.Status.BOOKED
        )
    return workshop


def staff(client, *, over_capacity: bool):
    """Staff who may change rooms and venues, with or without the over-capacity permission."""
    user = get_user_model().objects.create_user("organiser", password="x", is_staff=True)
    codenames = ["view_room", "change_room", "view_venue", "change_venue"]
    if over_capacity:
        codenames.append("book_over_capacity")
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    user = get_user_model().objects.get(pk=user.pk)
    assert user.has_perm(BOOK_OVER_CAPACITY) is over_capacity
    staff_login(client, user)
    return client


def post_room(client, room, capacity):
    url = reverse("admin:conference_room_change", args=[room.pk])
    data = change_form_data(client.get(url))
    data["capacity"] = str(capacity)
    return client.post(url, data, follow=True)


def post_venue(client, room, capacity):
    url = reverse("admin:conference_venue_change", args=[room.venue_id])
    page = client.get(url)
    data = change_form_data(page)
    [inline] = page.context["inline_admin_formsets"]
    for form in inline.formset.forms:
        for name in form.fields:
            value = form[name].value()
            if value is not None:
                data[form.add_prefix(name)] = str(value)
        if form.instance.pk == room.pk:
            data[form.add_prefix("capacity")] = str(capacity)
    return client.post(url, data, follow=True)


REFUSED = (
    "3 seats cannot hold the delegates booked for this session: Night-time economy (5 booked). "
    "Give it a capacity or another room first."
)


def test_fewer_seats_than_bookings_are_refused_beside_the_capacity(client, room, workshop):
    client = staff(client, over_capacity=False)

    response = post_room(client, room, 3)

    assert not response.redirect_chain
    assert response.context["adminform"].form.errors == {"capacity": [REFUSED]}
    room.refresh_from_db()
    assert room.capacity == 5


def test_fewer_seats_than_bookings_are_refused_in_the_venue_inline(client, room, workshop):
    client = staff(client, over_capacity=False)

    response = post_venue(client, room, 3)

    assert not response.redirect_chain
    [formset] = response.context["inline_admin_formsets"]
    assert [form.errors for form in formset.formset.forms] == [{"capacity": [REFUSED]}]
    room.refresh_from_db()
    assert room.capacity == 5


def test_seats_that_hold_the_bookings_are_accepted(client, room, workshop, conference):
    other = RoomFactory(venue=conference.venue, name="Salle Hermès", capacity=10)
    SessionFactory(conference=conference, room=other, capacity=2)  # its own capacity counts
    client = staff(client, over_capacity=False)

    assert post_room(client, room, 5).redirect_chain
    assert post_room(client, other, 1).redirect_chain
    room.refresh_from_db()
    other.refresh_from_db()
    assert (room.capacity, other.capacity) == (5, 1)


def test_with_the_permission_fewer_seats_are_accepted_recorded_and_shown(client, room, workshop):
    client = staff(client, over_capacity=True)

    response = post_room(client, room, 3)

    assert response.redirect_chain
    room.refresh_from_db()
    assert room.capacity == 3
    text = "Night-time economy: Accepted over capacity: 5 delegates booked for 3 places."
    assert text in [str(message) for message in response.context["messages"]]
    [entry] = LogEntry.objects.filter(object_id=str(room.pk), change_message=text)
    assert entry.user.username == "organiser"


def test_with_the_permission_the_venue_inline_accepts_fewer_seats(client, room, workshop):
    client = staff(client, over_capacity=True)

    response = post_venue(client, room, 3)

    assert response.redirect_chain
    room.refresh_from_db()
    assert room.capacity == 3
    text = "Night-time economy: Accepted over capacity: 5 delegates booked for 3 places."
    assert text in [str(message) for message in response.context["messages"]]


def test_room_save_refuses_seats_that_leave_a_session_overbooked(room, workshop):
    room.capacity = 4
    with pytest.raises(ValidationError) as refused:
        room_save(room=room)
    assert list(refused.value.error_dict) == ["capacity"]
    room.refresh_from_db()
    assert room.capacity == 5

    room.capacity = 4
    [(session, overbooking)] = room_save(room=room, allow_over_capacity=True)
    assert (session, overbooking.booked, overbooking.places) == (workshop, 5, 4)
    room.refresh_from_db()
    assert room.capacity == 4


@pytest.mark.parametrize("through", [post_room, post_venue])
def test_more_seats_serve_the_waiting_list(
    client, room, workshop, conference, through, django_capture_on_commit_callbacks
):
    waiting = RegistrationFactory(conference=conference)
    SessionBookingFactory(
        registration=waiting, session=workshop, status=SessionBooking.Status.WAITING
    )
    client = staff(client, over_capacity=False)

    with django_capture_on_commit_callbacks() as callbacks:
        response = through(client, room, 6)

    assert response.redirect_chain
    booking = SessionBooking.objects.get(registration=waiting, session=workshop)
    assert booking.status == SessionBooking.Status.BOOKED
    assert list(
        OutboundEmail.objects.filter(registration=waiting).values_list("kind", flat=True)
    ) == [OutboundEmail.Kind.SESSION_PROMOTED]
    # Sent once the change is committed.
    assert callbacks
