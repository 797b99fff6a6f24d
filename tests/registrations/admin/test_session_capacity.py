"""A room or capacity change that would leave more delegates booked than places: refused beside
the field, or, for those allowed to book over capacity, accepted, recorded and shown as
overbooked."""

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.urls import reverse

from conference.services import session_save
from registrations.models import SessionBooking
from registrations.permissions import BOOK_OVER_CAPACITY
from tests.admin_forms import change_form_data
from tests.factories import RegistrationFactory, RoomFactory, SessionFactory
from tests.factories.registrations import SessionBookingFactory
from tests.staff import staff_login

pytestmark = pytest.mark.django_db

CHANGE = "admin:conference_session_change"
CHANGELIST = "admin:conference_session_changelist"


@pytest.fixture
def workshop(conference):
    workshop = SessionFactory(
        conference=conference,
        title="Night-time economy",
        room=RoomFactory(venue=conference.venue, name="Auditorium Apollon", capacity=250),
        capacity=None,
    )
    for registration in RegistrationFactory.create_batch(5, conference=conference):
        SessionBookingFactory(
            registration=registration, session=workshop, status=SessionBooking.Status.BOOKED
        )
    return workshop


@pytest.fixture
def small_room(conference):
    return RoomFactory(venue=conference.venue, name="Salle Délos", capacity=3)


def organiser(client, *, over_capacity: bool):
    """An Organiser, or one whose group lacks the over-capacity permission."""
    user = get_user_model().objects.create_user("organiser", password="x", is_staff=True)
    permissions = Group.objects.get(name="Organisers").permissions.all()
    if not over_capacity:
        permissions = permissions.exclude(codename="book_over_capacity")
    user.user_permissions.set(permissions)
    user = get_user_model().objects.get(pk=user.pk)
    assert user.has_perm(BOOK_OVER_CAPACITY) is over_capacity
    staff_login(client, user)
    return client


def post_change(client, session, **changes):
    url = reverse(CHANGE, args=[session.pk])
    data = change_form_data(client.get(url))
    data.update({name: str(value) for name, value in changes.items()})
    return client.post(url, data, follow=True)


def test_room_too_small_for_the_bookings_is_refused_beside_the_room(client, workshop, small_room):
    client = organiser(client, over_capacity=False)

    response = post_change(client, workshop, room=small_room.pk)

    assert response.status_code == 200
    assert not response.redirect_chain
    form = response.context["adminform"].form
    assert form.errors == {
        "room": [
            "Salle Délos has 3 seats, but 5 delegates hold a place in this session. "
            "Choose a larger room, or set a capacity once places are freed."
        ]
    }
    workshop.refresh_from_db()
    assert workshop.room.name == "Auditorium Apollon"
    assert workshop.sequence == 0


def test_capacity_below_the_bookings_is_refused_beside_the_capacity(client, workshop):
    client = organiser(client, over_capacity=False)

    response = post_change(client, workshop, capacity=4)

    form = response.context["adminform"].form
    assert form.errors == {
        "capacity": ["5 delegates hold a place in this session: its capacity cannot be lower."]
    }
    workshop.refresh_from_db()
    assert workshop.capacity is None


def test_room_that_holds_the_bookings_is_accepted(client, workshop, conference):
    client = organiser(client, over_capacity=False)
    room = RoomFactory(venue=conference.venue, name="Salle Hermès", capacity=5)

    response = post_change(client, workshop, room=room.pk)

    assert response.redirect_chain[-1][0] == reverse(CHANGELIST)
    workshop.refresh_from_db()
    assert workshop.room == room


def test_over_capacity_room_change_is_accepted_recorded_and_shown(client, workshop, small_room):
    client = organiser(client, over_capacity=True)

    response = post_change(client, workshop, room=small_room.pk)

    assert response.redirect_chain[-1][0] == reverse(CHANGELIST)
    workshop.refresh_from_db()
    assert workshop.room == small_room
    text = "Accepted over capacity: 5 delegates booked for 3 places."
    assert text in [str(message) for message in response.context["messages"]]
    [entry] = LogEntry.objects.filter(object_id=str(workshop.pk), change_message=text)
    assert entry.user.username == "organiser"
    # The list shows it overbooked.
    changelist = client.get(reverse(CHANGELIST)).content.decode()
    assert "overbooked (3 places)" in changelist


def test_over_capacity_capacity_change_is_accepted_with_the_permission(client, workshop):
    client = organiser(client, over_capacity=True)

    response = post_change(client, workshop, capacity=2)

    assert response.redirect_chain[-1][0] == reverse(CHANGELIST)
    workshop.refresh_from_db()
    assert workshop.capacity == 2


def test_already_overbooked_session_may_gain_places(client, workshop, conference):
    workshop.capacity = 2
    workshop.save()
    client = organiser(client, over_capacity=False)

    response = post_change(client, workshop, capacity=4)

    assert response.redirect_chain, response.context["adminform"].form.errors
    workshop.refresh_from_db()
    assert workshop.capacity == 4


def test_session_save_refuses_a_change_that_leaves_it_overbooked(workshop, small_room):
    workshop.room = small_room

    with pytest.raises(ValidationError) as refused:
        session_save(session=workshop, changed_fields={"room"})

    assert list(refused.value.error_dict) == ["room"]
    workshop.refresh_from_db()
    assert workshop.room.name == "Auditorium Apollon"

    workshop.room = small_room
    session_save(session=workshop, changed_fields={"room"}, allow_over_capacity=True)
    workshop.refresh_from_db()
    assert workshop.room == small_room


def test_overbooked_session_shows_full_on_the_programme_and_dashboard(
    client, admin_client, workshop, small_room, conference
):
    workshop.room = small_room
    session_save(session=workshop, changed_fields={"room"}, allow_over_capacity=True)
    conference.is_published = True
    conference.save()

    programme = client.get(reverse("conference:programme", args=[conference.slug]))
    page = programme.content.decode()
    assert "Waiting list" in page
    assert "places left" not in page
    dashboard = admin_client.get(reverse("admin:conference_dashboard", args=[conference.slug]))
    assert "overbooked" in dashboard.content.decode()


def test_programme_cached_before_a_room_change_shows_the_new_places_at_once(
    client, workshop, small_room, conference
):
    conference.is_published = True
    conference.save()
    programme = reverse("conference:programme", args=[conference.slug])
    assert "245 places left" in client.get(programme).content.decode()

    workshop.room = small_room
    session_save(session=workshop, changed_fields={"room"}, allow_over_capacity=True)

    page = client.get(programme).content.decode()
    assert "places left" not in page
    assert "Waiting list" in page
