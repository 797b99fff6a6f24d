"""Check-in through a token, as at the desk: by badge token or reference, at the desk or a
session's door, idempotent both ways."""

import pytest
from django.urls import reverse

from registrations.documents.tokens import badge_token
from registrations.models import CheckIn, Registration
from tests.factories import RegistrationFactory, SessionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(api, make_token):
    return api(make_token("Registration desk", ["check-in"]))


def test_check_in_twice_writes_one_check_in(desk, conference):
    registration = RegistrationFactory(conference=conference)
    url = reverse("api:check_in", args=[conference.slug])

    first = desk.post(url, {"badge_token": badge_token(registration)})
    second = desk.post(url, {"reference": registration.reference})

    assert (first.status_code, first.json()["already"]) == (201, False)
    assert (second.status_code, second.json()["already"]) == (200, True)
    assert second.json()["check_in"]["id"] == first.json()["check_in"]["id"]
    assert first.json()["check_in"]["checked_in_by"].startswith("Registration desk")
    assert CheckIn.objects.count() == 1


def test_door_check_in_is_apart_from_the_desk(desk, conference):
    registration = RegistrationFactory(conference=conference)
    session = SessionFactory(conference=conference)
    url = reverse("api:check_in", args=[conference.slug])

    desk.post(url, {"reference": registration.reference})
    door = desk.post(url, {"reference": registration.reference, "session": session.pk})

    assert door.status_code == 201
    assert door.json()["check_in"]["session"] == session.pk
    assert CheckIn.objects.filter(session=session).count() == 1


def test_door_of_a_plenary_or_another_conference_is_404(desk, conference):
    registration = RegistrationFactory(conference=conference)
    url = reverse("api:check_in", args=[conference.slug])
    plenary = SessionFactory(conference=conference, kind="plenary")
    elsewhere = SessionFactory()

    for session in (plenary, elsewhere):
        response = desk.post(url, {"reference": registration.reference, "session": session.pk})
        assert response.status_code == 404


def test_undo_then_undo_again_changes_nothing_more(desk, conference):
    registration = RegistrationFactory(conference=conference)
    url = reverse("api:check_in", args=[conference.slug])
    undo = reverse("api:check_in_undo", args=[conference.slug])
    desk.post(url, {"reference": registration.reference})

    first = desk.post(undo, {"reference": registration.reference})
    again = desk.post(undo, {"reference": registration.reference})
    never = desk.post(undo, {"reference": RegistrationFactory(conference=conference).reference})

    assert (first.status_code, first.json()["already"]) == (200, False)
    assert first.json()["check_in"]["undone_at"] is not None
    assert again.json() == {**first.json(), "already": True}
    assert never.status_code == 404
    assert desk.post(url, {"reference": registration.reference}).status_code == 201


def test_cancelled_delegate_is_refused_at_the_desk(desk, conference):
    registration = RegistrationFactory(conference=conference, status=Registration.Status.CANCELLED)

    response = desk.post(
        reverse("api:check_in", args=[conference.slug]), {"reference": registration.reference}
    )

    assert response.status_code == 409
    assert "cancelled" in response.json()["detail"]


def test_a_forged_badge_token_or_both_identifiers_are_refused(desk, conference):
    registration = RegistrationFactory(conference=conference)
    url = reverse("api:check_in", args=[conference.slug])

    forged = desk.post(url, {"badge_token": registration.reference + ":forged"})
    both = desk.post(
        url, {"badge_token": badge_token(registration), "reference": registration.reference}
    )

    assert forged.status_code == 404
    assert both.status_code == 400
    assert not CheckIn.objects.exists()
