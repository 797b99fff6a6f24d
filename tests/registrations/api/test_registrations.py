"""Registrations through a token: the public form's rules on create (waiting list, approval,
consent, clashes), a retried POST with the same Idempotency-Key, filters and cursor pages,
cancel, bookings."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from registrations.models import ApiIdempotencyKey, OutboundEmail, Registration, SessionBooking
from tests.factories import (
    AuthorityFactory,
    ConferenceFactory,
    RegistrationFactory,
    SessionFactory,
    SiteVisitIdentityFactory,
    SiteVisitSessionFactory,
)
from tests.factories.registrations import SessionBookingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def organiser(api, make_token):
    return api(make_token())


def body(authority, **fields):
    return {
        "authority": authority.pk,
        "first_name": "Jan",
        "last_name": "Kowalski",
        "email": "jan.kowalski@example.org",
        "job_title": "Adviser",
        "preferred_language": "fr",
        "privacy_consent": True,
        **fields,
    }


def test_create_confirms_while_places_remain_then_waitlists(organiser):
    conference = ConferenceFactory(capacity=1)
    url = reverse("api:registrations", args=[conference.slug])
    authority = AuthorityFactory()

    first = organiser.post(url, body(authority))
    second = organiser.post(url, body(authority, email="second@example.org"))

    assert first.status_code == 201
    assert first.json()["status"] == "confirmed"
    assert first["Location"].endswith(f"/registrations/{first.json()['reference']}/")
    assert second.json()["status"] == "waitlisted"
    registration = Registration.objects.get(reference=first.json()["reference"])
    assert registration.preferred_language == "fr"
    assert registration.emails.filter(kind=OutboundEmail.Kind.CONFIRMED).count() == 1


def test_create_for_a_non_member_or_new_authority_waits_for_approval(organiser, conference):
    url = reverse("api:registrations", args=[conference.slug])
    new_authority = {
        key: value
        for key, value in body(AuthorityFactory(), email="new@example.org").items()
        if key != "authority"
    } | {"new_authority_name": "Ville nouvelle", "new_authority_country": "FR"}

    non_member = organiser.post(url, body(AuthorityFactory(is_member=False)))
    named = organiser.post(url, new_authority)

    assert non_member.json()["status"] == "pending"
    assert named.status_code == 201
    assert named.json()["status"] == "pending"
    assert named.json()["authority"]["name"] == "Ville nouvelle"


def test_create_applies_the_forms_rules_with_field_errors(organiser, conference):
    url = reverse("api:registrations", args=[conference.slug])
    first = SessionFactory(conference=conference)
    clashing = SessionFactory(conference=conference, starts_at=first.starts_at)

    response = organiser.post(
        url,
        body(
            AuthorityFactory(),
            privacy_consent=False,
            dietary_needs="Vegetarian",
            phone="12",
            sessions=[first.pk, clashing.pk],
        ),
    )

    assert response.status_code == 400
    pointers = {error["pointer"] for error in response.json()["errors"]}
    assert pointers == {
        "#/privacy_consent",
        "#/special_needs_consent",
        "#/phone",
        "#/sessions",
    }
    assert not Registration.objects.exists()


def test_create_when_registration_is_closed_is_a_409_problem(organiser):
    conference = ConferenceFactory(
        registration_opens_at=timezone.now() - dt.timedelta(days=20),
        registration_closes_at=timezone.now() - dt.timedelta(days=1),
    )

    response = organiser.post(
        reverse("api:registrations", args=[conference.slug]), body(AuthorityFactory())
    )

    assert response.status_code == 409
    assert response.json()["detail"] == "Registration for this conference is closed."


def test_create_of_an_address_already_registered_is_a_409_and_creates_nothing(
    organiser, conference
):
    existing = RegistrationFactory(conference=conference, email="jan.kowalski@example.org")

    response = organiser.post(
        reverse("api:registrations", args=[conference.slug]), body(AuthorityFactory())
    )

    assert response.status_code == 409
    assert list(conference.registrations.all()) == [existing]


def test_retried_post_with_the_same_idempotency_key_creates_one(organiser, conference):
    url = reverse("api:registrations", args=[conference.slug])
    request = body(AuthorityFactory())

    first = organiser.post(url, request, HTTP_IDEMPOTENCY_KEY="8d7c2c0e-crm-42")
    retried = organiser.post(url, request, HTTP_IDEMPOTENCY_KEY="8d7c2c0e-crm-42")
    reused = organiser.post(
        url, {**request, "email": "other@example.org"}, HTTP_IDEMPOTENCY_KEY="8d7c2c0e-crm-42"
    )

    assert first.status_code == 201
    assert retried.status_code == 200
    assert retried.json()["reference"] == first.json()["reference"]
    assert reused.status_code == 422
    assert conference.registrations.count() == 1
    assert ApiIdempotencyKey.objects.count() == 1


def test_an_idempotency_key_is_honoured_for_24_hours_then_forgotten(organiser, conference):
    url = reverse("api:registrations", args=[conference.slug])
    first = organiser.post(url, body(AuthorityFactory()), HTTP_IDEMPOTENCY_KEY="crm-42")
    ApiIdempotencyKey.objects.update(created_at=timezone.now() - dt.timedelta(hours=23, minutes=59))
    within = organiser.post(url, body(AuthorityFactory()), HTTP_IDEMPOTENCY_KEY="crm-42")
    ApiIdempotencyKey.objects.update(created_at=timezone.now() - dt.timedelta(hours=24, minutes=1))

    # Another body under the same key: refused within the 24 hours, a new request after.
    later = organiser.post(
        url, body(AuthorityFactory(), email="later@example.org"), HTTP_IDEMPOTENCY_KEY="crm-42"
    )

    assert first.status_code == 201
    assert within.status_code == 422
    assert later.status_code == 201
    assert later.json()["reference"] != first.json()["reference"]
    assert conference.registrations.count() == 2
    kept = ApiIdempotencyKey.objects.get()
    assert kept.registration.reference == later.json()["reference"]


def test_purge_deletes_idempotency_keys_older_than_24_hours_and_keeps_their_registrations(
    organiser, conference, settings
):
    from registrations.tasks import purge_api_idempotency_keys

    url = reverse("api:registrations", args=[conference.slug])
    organiser.post(url, body(AuthorityFactory()), HTTP_IDEMPOTENCY_KEY="old")
    organiser.post(
        url, body(AuthorityFactory(), email="recent@example.org"), HTTP_IDEMPOTENCY_KEY="recent"
    )
    ApiIdempotencyKey.objects.filter(key="old").update(
        created_at=timezone.now() - dt.timedelta(hours=25)
    )
    ApiIdempotencyKey.objects.filter(key="recent").update(
        created_at=timezone.now() - dt.timedelta(hours=23)
    )

    assert purge_api_idempotency_keys() == 1
    assert list(ApiIdempotencyKey.objects.values_list("key", flat=True)) == ["recent"]
    assert conference.registrations.count() == 2

    settings.API_IDEMPOTENCY_KEY_HOURS = 22
    assert purge_api_idempotency_keys() == 1
    assert not ApiIdempotencyKey.objects.exists()


def test_an_idempotency_key_over_255_characters_is_refused(organiser, conference):
    response = organiser.post(
        reverse("api:registrations", args=[conference.slug]),
        body(AuthorityFactory()),
        HTTP_IDEMPOTENCY_KEY="k" * 256,
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["pointer"] == "#/Idempotency-Key"
    assert not conference.registrations.exists()


def test_a_refused_attempt_keeps_no_idempotency_key(organiser, conference):
    url = reverse("api:registrations", args=[conference.slug])
    RegistrationFactory(conference=conference, email="jan.kowalski@example.org")

    refused = organiser.post(url, body(AuthorityFactory()), HTTP_IDEMPOTENCY_KEY="k1")

    assert refused.status_code == 409
    assert not ApiIdempotencyKey.objects.exists()


def test_list_filters(organiser, conference):
    be = AuthorityFactory(name="Liège", country="BE")
    session = SessionFactory(conference=conference)
    liege = RegistrationFactory(conference=conference, authority=be, category="elected")
    waiting = RegistrationFactory(conference=conference, status=Registration.Status.WAITLISTED)
    booked = RegistrationFactory(conference=conference)
    SessionBookingFactory(registration=booked, session=session, status=SessionBooking.Status.BOOKED)
    RegistrationFactory()  # another conference
    url = reverse("api:registrations", args=[conference.slug])

    def references(**filters):
        return {row["reference"] for row in organiser.get(url, filters).json()["results"]}

    assert references() == {liege.reference, waiting.reference, booked.reference}
    assert references(status="waitlisted") == {waiting.reference}
    assert references(country="BE") == {liege.reference}
    assert references(authority=be.pk) == {liege.reference}
    assert references(category="elected") == {liege.reference}
    assert references(session=session.pk) == {booked.reference}
    Registration.objects.filter(pk=waiting.pk).update(
        updated_at=timezone.now() - dt.timedelta(days=2)
    )
    since = (timezone.now() - dt.timedelta(days=1)).isoformat()
    assert references(updated_since=since) == {liege.reference, booked.reference}


def test_cursor_pages_are_stable_while_rows_are_added(organiser, conference):
    created = RegistrationFactory.create_batch(5, conference=conference)
    url = reverse("api:registrations", args=[conference.slug])

    first = organiser.get(url, {"page_size": 2}).json()
    RegistrationFactory(conference=conference)  # written between two pages
    seen = [row["reference"] for row in first["results"]]
    next_url = first["next"]
    while next_url:
        page = organiser.get(next_url).json()
        seen += [row["reference"] for row in page["results"]]
        next_url = page["next"]

    assert seen[:5] == [registration.reference for registration in created]
    assert len(seen) == len(set(seen)) == 6


def test_cancel_gives_the_place_to_the_waiting_list_and_is_idempotent(organiser):
    conference = ConferenceFactory(capacity=1)
    confirmed = RegistrationFactory(conference=conference)
    waiting = RegistrationFactory(conference=conference, status=Registration.Status.WAITLISTED)
    url = reverse("api:registration_cancel", args=[conference.slug, confirmed.reference])

    first = organiser.post(url)
    again = organiser.post(url)

    assert first.json()["status"] == again.json()["status"] == "cancelled"
    waiting.refresh_from_db()
    assert waiting.status == Registration.Status.CONFIRMED


def test_bookings_take_a_place_then_the_waiting_list_and_free_it(organiser, conference):
    session = SessionFactory(conference=conference, capacity=1)
    first, second = RegistrationFactory.create_batch(2, conference=conference)
    book = reverse("api:bookings", args=[conference.slug, first.reference])
    book_second = reverse("api:bookings", args=[conference.slug, second.reference])

    booked = organiser.post(book, {"session": session.pk})
    again = organiser.post(book, {"session": session.pk})
    waiting = organiser.post(book_second, {"session": session.pk})
    listed = organiser.get(book)
    freed = organiser.delete(
        reverse("api:booking", args=[conference.slug, first.reference, session.pk])
    )

    assert (booked.status_code, booked.json()["status"]) == (201, "booked")
    assert again.status_code == 200
    assert waiting.json()["status"] == "waiting"
    assert [row["session"] for row in listed.json()] == [session.pk]
    assert freed.status_code == 204
    assert second.bookings.get().status == SessionBooking.Status.BOOKED


def test_booking_a_clashing_or_plenary_session_is_refused(organiser, conference):
    registration = RegistrationFactory(conference=conference)
    held = SessionFactory(conference=conference)
    clash = SessionFactory(conference=conference, starts_at=held.starts_at)
    plenary = SessionFactory(conference=conference, kind="plenary")
    url = reverse("api:bookings", args=[conference.slug, registration.reference])
    organiser.post(url, {"session": held.pk})

    assert organiser.post(url, {"session": clash.pk}).status_code == 409
    assert organiser.post(url, {"session": plenary.pk}).status_code == 404


def test_booking_a_visit_that_asks_for_identity_data_is_refused_for_the_delegate_to_book(
    organiser, conference
):
    registration = RegistrationFactory(conference=conference)
    visit = SiteVisitSessionFactory(
        conference=conference,
        identity_nationality_required=False,
        identity_number_required=False,
        identity_date_of_birth_required=False,
    )

    response = organiser.post(
        reverse("api:bookings", args=[conference.slug, registration.reference]),
        {"session": visit.pk},
    )

    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"
    assert visit.title in response.json()["detail"]
    assert "personal page" in response.json()["detail"]
    assert not registration.bookings.exists()


def test_a_visit_the_delegate_booked_with_identity_data_is_kept_by_the_apis_bookings(
    organiser, conference
):
    registration = RegistrationFactory(conference=conference)
    visit = SiteVisitSessionFactory(conference=conference)
    SessionBookingFactory(
        registration=registration, session=visit, status=SessionBooking.Status.BOOKED
    )
    identity = SiteVisitIdentityFactory(registration=registration, session=visit)
    workshop = SessionFactory(
        conference=conference, starts_at=visit.ends_at + dt.timedelta(hours=1)
    )
    url = reverse("api:bookings", args=[conference.slug, registration.reference])

    again = organiser.post(url, {"session": visit.pk})
    other = organiser.post(url, {"session": workshop.pk})

    assert again.status_code == 200
    assert other.status_code == 201
    assert set(registration.bookings.values_list("session", flat=True)) == {visit.pk, workshop.pk}
    assert registration.visit_identities.get() == identity


def test_create_with_a_visit_that_asks_for_identity_data_is_refused_and_creates_nothing(
    organiser, conference
):
    visit = SiteVisitSessionFactory(conference=conference)
    workshop = SessionFactory(conference=conference, starts_at=visit.ends_at)

    response = organiser.post(
        reverse("api:registrations", args=[conference.slug]),
        body(AuthorityFactory(), sessions=[workshop.pk, visit.pk]),
    )

    assert response.status_code == 409
    assert "personal page" in response.json()["detail"]
    assert not conference.registrations.exists()


def test_list_runs_the_same_queries_whatever_the_page_length(
    organiser, conference, django_assert_num_queries
):
    session = SessionFactory(conference=conference)
    url = reverse("api:registrations", args=[conference.slug])

    def add(count: int) -> None:
        for registration in RegistrationFactory.create_batch(count, conference=conference):
            SessionBookingFactory(
                registration=registration, session=session, status=SessionBooking.Status.BOOKED
            )

    add(2)
    organiser.get(url)  # the token's last use is written once a minute: not in what follows
    with CaptureQueriesContext(connection) as few:
        organiser.get(url)
    add(8)
    with django_assert_num_queries(len(few.captured_queries)):
        response = organiser.get(url)
    assert len(response.json()["results"]) == 10
