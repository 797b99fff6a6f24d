import json

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conference.models import Session
from registrations.documents.tokens import badge_token
from registrations.models import CheckIn, Registration, SessionBooking
from registrations.onsite.check_in import check_in
from tests.factories import AuthorityFactory, ConferenceFactory, RegistrationFactory, SessionFactory
from tests.factories.registrations import SessionBookingFactory

pytestmark = pytest.mark.django_db


def desk_url(conference) -> str:
    return reverse("registrations:desk", kwargs={"slug": conference.slug})


def scan_url(conference) -> str:
    return reverse("registrations:desk_scan", kwargs={"slug": conference.slug})


def door_url(session) -> str:
    return reverse(
        "registrations:desk_session", kwargs={"slug": session.conference.slug, "pk": session.pk}
    )


@pytest.fixture
def desk_user():
    """A member of the group the migration creates, and nothing more."""
    user = get_user_model().objects.create_user(
        "marie", password="x", first_name="Marie", last_name="Curie", is_staff=True
    )
    user.groups.add(Group.objects.get(name="Registration desk"))
    return user


@pytest.fixture
def desk_client(client, desk_user):
    client.force_login(desk_user)
    return client


@pytest.fixture
def delegate(conference):
    return RegistrationFactory(
        conference=conference,
        authority=AuthorityFactory(name="Liège", country="BE"),
        first_name="Émilie",
        last_name="Lefèvre",
        reference="NCE-7K3Q9",
        category=Registration.Category.ELECTED_OFFICIAL,
    )


def scan(client, conference, payload) -> tuple[int, dict]:
    response = client.post(
        scan_url(conference), data=json.dumps(payload), content_type="application/json"
    )
    return response.status_code, response.json()


# --- Who may use the desk --------------------------------------------------------------------


def test_desk_group_may_only_check_in_and_print_badges():
    group = Group.objects.get(name="Registration desk")
    assert set(group.permissions.values_list("content_type__app_label", "codename")) == {
        ("registrations", "check_in"),
        ("registrations", "print_badges"),
    }


def test_desk_sends_anonymous_visitors_to_the_admin_login(client, conference):
    response = client.get(desk_url(conference))

    assert response.status_code == 302
    assert response["Location"].startswith(f"{reverse('admin:login')}?next=")


def test_desk_refuses_staff_without_the_check_in_permission(client, conference):
    staff = get_user_model().objects.create_user("paul", is_staff=True)
    client.force_login(staff)

    assert client.get(desk_url(conference)).status_code == 403
    assert client.post(desk_url(conference), {"action": "check_in"}).status_code == 403
    status, body = scan(client, conference, {"token": "x"})
    assert (status, body["code"]) == (403, "forbidden")
    assert body["message"] == "You are not allowed to check delegates in."


def test_desk_opens_for_the_registration_desk_group(desk_client, conference):
    response = desk_client.get(desk_url(conference))

    assert response.status_code == 200
    assert "Registration desk" in response.content.decode()


def test_desk_of_an_unknown_conference_is_404(desk_client):
    assert desk_client.get("/en/desk/no-such-conference/").status_code == 404


def test_scan_refuses_anonymous_visitors(client, conference):
    status, body = scan(client, conference, {"token": "x"})
    assert (status, body["code"]) == (403, "forbidden")
    assert body["message"] == "You are logged out: reload the page and log in again."


# --- Search ----------------------------------------------------------------------------------


def test_search_lists_matches_with_status_and_check_in(
    desk_client, conference, delegate, desk_user
):
    other = RegistrationFactory(
        conference=conference, last_name="Lefebvre", status=Registration.Status.WAITLISTED
    )
    check_in(registration=other, by=desk_user)

    response = desk_client.get(desk_url(conference), {"q": "lef"})

    assert response.context["results"] == [other, delegate]  # Lefebvre, Lefèvre
    assert response.context.get("card") is None
    page = response.content.decode()
    assert "Émilie Lefèvre" in page
    assert "Waiting list" in page
    assert "Checked in at the desk" in page


def test_search_with_one_match_shows_the_delegates_card(desk_client, conference, delegate):
    response = desk_client.get(desk_url(conference), {"q": "emilie liege"})

    card = response.context["card"]
    assert card.registration == delegate
    page = response.content.decode()
    assert '<h2 class="desk-name" id="desk-card-name">Émilie Lefèvre</h2>' in page
    assert "Liège · Belgium" in page
    assert "Elected official" in page
    assert ">Check in</button>" in page


def test_badge_token_typed_into_the_search_box_shows_the_delegate(
    desk_client, conference, delegate
):
    response = desk_client.get(desk_url(conference), {"q": badge_token(delegate)})

    assert response.context["card"].registration == delegate


def test_forged_badge_token_in_the_search_box_says_unknown_badge(desk_client, conference):
    response = desk_client.get(desk_url(conference), {"q": "NCE-7K3Q9:forged:token"})

    assert response.context["results"] == []
    assert "Unknown badge" in response.content.decode()


def test_card_of_a_cancelled_delegate_warns_and_offers_no_check_in(desk_client, conference):
    cancelled = RegistrationFactory(conference=conference, status=Registration.Status.CANCELLED)

    response = desk_client.get(desk_url(conference), {"registration": cancelled.reference})

    page = response.content.decode()
    assert 'data-code="cancelled">Registration cancelled</li>' in page
    assert 'name="action" value="check_in"' not in page


def test_card_of_a_delegate_checked_in_by_a_colleague_warns_with_time_and_name(
    desk_client, conference, delegate
):
    colleague = get_user_model().objects.create_user("paul", first_name="Paul", last_name="Dirac")
    standing = check_in(registration=delegate, by=colleague).check_in

    response = desk_client.get(desk_url(conference), {"registration": delegate.reference})

    page = response.content.decode()
    assert 'data-code="already_checked_in">Already checked in at ' in page
    assert "by Paul Dirac</li>" in page
    assert f'name="check_in" value="{standing.pk}"' in page  # the undo button


def test_desk_page_runs_a_fixed_number_of_queries(desk_client, conference, delegate, desk_user):
    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = desk_client.get(
                desk_url(conference), {"q": "a", "registration": "NCE-7K3Q9"}
            )
        assert response.status_code == 200
        return len(queries)

    SessionFactory(conference=conference)
    few = count_queries()
    for registration in RegistrationFactory.create_batch(8, conference=conference):
        check_in(registration=registration, by=desk_user)
    SessionFactory.create_batch(3, conference=conference)

    assert count_queries() == few


# --- Check in and undo -----------------------------------------------------------------------


def test_check_in_by_post_redirects_to_the_card_saying_checked_in(
    desk_client, conference, delegate, desk_user
):
    response = desk_client.post(
        desk_url(conference), {"action": "check_in", "registration": delegate.reference}
    )

    standing = CheckIn.objects.get()
    assert (standing.registration, standing.session, standing.checked_in_by) == (
        delegate,
        None,
        desk_user,
    )
    assert response.status_code == 302
    assert response["Location"] == (
        f"{desk_url(conference)}?registration=NCE-7K3Q9&done={standing.pk}"
    )
    page = desk_client.get(response["Location"]).content.decode()
    assert "Émilie Lefèvre is checked in." in page
    assert 'data-testid="desk-state">Checked in</p>' in page
    assert "by Marie Curie" in page
    assert 'data-code="already_checked_in"' not in page


def test_check_in_twice_by_post_warns_and_keeps_one_row(desk_client, conference, delegate):
    data = {"action": "check_in", "registration": delegate.reference}
    desk_client.post(desk_url(conference), data)

    response = desk_client.post(desk_url(conference), data, follow=True)

    assert CheckIn.objects.count() == 1
    assert "Émilie Lefèvre: Already checked in at " in response.content.decode()


def test_check_in_of_a_cancelled_delegate_by_post_is_refused(desk_client, conference):
    cancelled = RegistrationFactory(conference=conference, status=Registration.Status.CANCELLED)

    response = desk_client.post(
        desk_url(conference),
        {"action": "check_in", "registration": cancelled.reference},
        follow=True,
    )

    assert CheckIn.objects.count() == 0
    assert "the delegate cannot be checked in" in response.content.decode()


def test_check_in_of_another_conferences_delegate_is_404(desk_client, conference):
    elsewhere = RegistrationFactory(conference=ConferenceFactory())

    response = desk_client.post(
        desk_url(conference), {"action": "check_in", "registration": elsewhere.reference}
    )

    assert response.status_code == 404
    assert CheckIn.objects.count() == 0


@pytest.mark.parametrize(
    "data", [{}, {"action": "delete"}, {"action": "check_in"}, {"action": "undo", "check_in": "x"}]
)
def test_malformed_posts_are_400(desk_client, conference, data):
    assert desk_client.post(desk_url(conference), data).status_code == 400


def test_check_in_needs_the_csrf_token(desk_user, conference, delegate):
    client = Client(enforce_csrf_checks=True)
    client.force_login(desk_user)

    response = client.post(
        desk_url(conference), {"action": "check_in", "registration": delegate.reference}
    )

    assert response.status_code == 403
    assert CheckIn.objects.count() == 0


def test_undo_by_post_marks_the_check_in_undone(desk_client, conference, delegate, desk_user):
    standing = check_in(registration=delegate, by=desk_user).check_in

    response = desk_client.post(desk_url(conference), {"action": "undo", "check_in": standing.pk})

    standing.refresh_from_db()
    assert standing.undone_at is not None
    assert standing.undone_by == desk_user
    assert response["Location"] == f"{desk_url(conference)}?registration=NCE-7K3Q9"
    page = desk_client.get(response["Location"]).content.decode()
    assert "Check-in of Émilie Lefèvre undone." in page
    assert ">Check in</button>" in page


def test_undo_of_another_conferences_check_in_is_404(desk_client, conference, desk_user):
    elsewhere = check_in(registration=RegistrationFactory(), by=desk_user).check_in

    response = desk_client.post(desk_url(conference), {"action": "undo", "check_in": elsewhere.pk})

    assert response.status_code == 404
    elsewhere.refresh_from_db()
    assert elsewhere.undone_at is None


def test_get_never_changes_anything(desk_client, conference, delegate, desk_user):
    standing = check_in(registration=RegistrationFactory(conference=conference), by=desk_user)
    params = {
        "action": "check_in",
        "registration": delegate.reference,
        "check_in": standing.check_in.pk,
        "q": badge_token(delegate),
        "done": "1",
    }

    assert desk_client.get(desk_url(conference), params).status_code == 200
    params["action"] = "undo"
    assert desk_client.get(desk_url(conference), params).status_code == 200
    assert (
        desk_client.get(scan_url(conference), {"token": badge_token(delegate)}).status_code == 405
    )

    assert list(CheckIn.objects.values_list("pk", "undone_at")) == [(standing.check_in.pk, None)]


# --- Scanning --------------------------------------------------------------------------------


def test_scan_of_a_genuine_badge_returns_the_card(desk_client, conference, delegate):
    status, body = scan(desk_client, conference, {"token": badge_token(delegate)})

    assert status == 200
    assert body["found"] is True
    assert body["card"] == {
        "reference": "NCE-7K3Q9",
        "name_on_badge": "Émilie Lefèvre",
        "authority": "Liège",
        "country": "Belgium",
        "category": "Elected official",
        "status": "confirmed",
        "status_label": "Confirmed",
        "checked_in": False,
        "door_status": None,
        "can_check_in": True,
        "warnings": [],
    }
    assert body["url"] == f"{desk_url(conference)}?registration=NCE-7K3Q9"
    assert '<h2 class="desk-name" id="desk-card-name">Émilie Lefèvre</h2>' in body["html"]
    assert 'name="csrfmiddlewaretoken"' in body["html"]
    assert CheckIn.objects.count() == 0


def test_scan_of_a_checked_in_waitlisted_delegate_carries_the_warnings(
    desk_client, conference, desk_user
):
    registration = RegistrationFactory(conference=conference, status=Registration.Status.WAITLISTED)
    check_in(registration=registration, by=desk_user)

    _status, body = scan(desk_client, conference, {"token": badge_token(registration)})

    assert body["card"]["checked_in"] is True
    assert [w["code"] for w in body["card"]["warnings"]] == ["waitlisted", "already_checked_in"]


@pytest.mark.parametrize("token", ["NCE-7K3Q9", "NCE-7K3Q9:forged:signature", ""])
def test_scan_of_a_forged_badge_says_unknown_badge(desk_client, conference, delegate, token):
    status, body = scan(desk_client, conference, {"token": token})

    assert status == 404
    assert body == {
        "found": False,
        "code": "unknown_badge",
        "message": "Unknown badge: this code was not issued for our badges.",
    }


def test_scan_of_another_conferences_badge_says_so(desk_client, conference):
    other = ConferenceFactory(name="Urban Security Forum 2025")
    badge = badge_token(RegistrationFactory(conference=other))

    status, body = scan(desk_client, conference, {"token": badge})

    assert status == 404
    assert body["code"] == "other_conference"
    assert body["message"] == "This badge is for another conference: Urban Security Forum 2025."


@pytest.mark.parametrize(
    "body",
    [b"not json", b"[]", b'{"session": 1}', b'{"token": 12}', b'{"token": "x", "session": "1"}'],
)
def test_scan_of_malformed_requests_is_400(desk_client, conference, body):
    response = desk_client.post(scan_url(conference), data=body, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["found"] is False


def test_scan_needs_the_csrf_token(desk_user, conference, delegate):
    client = Client(enforce_csrf_checks=True)
    client.force_login(desk_user)

    response = client.post(
        scan_url(conference),
        data=json.dumps({"token": badge_token(delegate)}),
        content_type="application/json",
    )

    assert response.status_code == 403


# --- Session doors ---------------------------------------------------------------------------


@pytest.fixture
def workshop(conference):
    return SessionFactory(conference=conference, kind=Session.Kind.WORKSHOP, title="Night-time")


def test_desk_page_lists_the_sessions_that_need_sign_up(desk_client, conference, workshop):
    SessionFactory(conference=conference, kind=Session.Kind.PLENARY, title="Opening plenary")

    response = desk_client.get(desk_url(conference))

    assert list(response.context["sessions"]) == [workshop]
    assert door_url(workshop) in response.content.decode()


def test_door_page_of_a_session_without_sign_up_is_404(desk_client, conference):
    plenary = SessionFactory(conference=conference, kind=Session.Kind.PLENARY)
    elsewhere = SessionFactory(conference=ConferenceFactory())

    assert desk_client.get(door_url(plenary)).status_code == 404
    assert (
        desk_client.get(
            reverse(
                "registrations:desk_session", kwargs={"slug": conference.slug, "pk": elsewhere.pk}
            )
        ).status_code
        == 404
    )


@pytest.mark.parametrize(
    ("booking", "words"),
    [
        (SessionBooking.Status.BOOKED, "Booked for this session"),
        (SessionBooking.Status.WAITING, "On this session&#x27;s waiting list"),
        (None, "Not booked for this session"),
    ],
)
def test_door_page_says_booked_waiting_or_not_booked(
    desk_client, workshop, delegate, booking, words
):
    if booking:
        SessionBookingFactory(registration=delegate, session=workshop, status=booking)

    response = desk_client.get(door_url(workshop), {"registration": delegate.reference})

    page = response.content.decode()
    assert f'data-testid="desk-door-status">{words}</p>' in page
    assert ">Check in at the door</button>" in page


def test_door_check_in_by_post_records_the_session(desk_client, workshop, delegate, desk_user):
    SessionBookingFactory(
        registration=delegate, session=workshop, status=SessionBooking.Status.BOOKED
    )

    response = desk_client.post(
        door_url(workshop), {"action": "check_in", "registration": delegate.reference}
    )

    standing = CheckIn.objects.get()
    assert standing.session == workshop
    assert response["Location"].startswith(f"{door_url(workshop)}?registration=NCE-7K3Q9&done=")
    page = desk_client.get(response["Location"]).content.decode()
    assert "Émilie Lefèvre is checked in at Night-time." in page
    assert "1 checked in · 1 booked" in page


def test_door_undo_only_reaches_that_doors_check_ins(desk_client, workshop, delegate, desk_user):
    at_desk = check_in(registration=delegate, by=desk_user).check_in

    response = desk_client.post(door_url(workshop), {"action": "undo", "check_in": at_desk.pk})

    assert response.status_code == 404


def test_scan_at_a_door_says_the_door_status(desk_client, conference, workshop, delegate):
    SessionBookingFactory(
        registration=delegate, session=workshop, status=SessionBooking.Status.WAITING
    )

    status, body = scan(
        desk_client, conference, {"token": badge_token(delegate), "session": workshop.pk}
    )

    assert status == 200
    assert body["card"]["door_status"] == "waiting"
    assert body["url"] == f"{door_url(workshop)}?registration=NCE-7K3Q9"
    assert ">Check in at the door</button>" in body["html"]


def test_scan_at_a_door_of_a_session_without_sign_up_is_404(desk_client, conference, delegate):
    plenary = SessionFactory(conference=conference, kind=Session.Kind.PLENARY)

    status, body = scan(
        desk_client, conference, {"token": badge_token(delegate), "session": plenary.pk}
    )

    assert (status, body["code"]) == (404, "unknown_session")


# --- Figures ---------------------------------------------------------------------------------


def test_desk_page_shows_figures_and_last_check_ins(desk_client, conference, delegate, desk_user):
    RegistrationFactory(conference=conference)
    check_in(registration=delegate, by=desk_user)

    response = desk_client.get(desk_url(conference))

    page = response.content.decode()
    assert "1 / 2 confirmed delegates checked in (50 %)" in page
    assert [c.registration for c in response.context["recent"]] == [delegate]
    assert "Arrivals by hour" in page
