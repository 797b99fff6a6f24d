import datetime as dt
import json
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation

from registrations.access.links import management_link_issue, management_links_revoke
from registrations.access.self_service import (
    management_link_request,
    registration_change_sessions,
    registration_update_details,
)
from registrations.errors import ChangesClosedError, RegistrationError
from registrations.models import (
    ConsentRecord,
    ManagementLink,
    OutboundEmail,
    Registration,
    SessionBooking,
)
from registrations.places.bookings import session_bookings_set
from registrations.places.registrations import RegistrationData, registration_resend_confirmation
from registrations.places.status import registration_cancel
from tests.factories import AuthorityFactory, ConferenceFactory, RegistrationFactory, SessionFactory

pytestmark = pytest.mark.django_db


def url(name: str, **kwargs) -> str:
    with translation.override("en"):
        return reverse(f"registrations:{name}", kwargs=kwargs)


@pytest.fixture
def registration(conference):
    return RegistrationFactory(
        conference=conference,
        authority=AuthorityFactory(name="Gdańsk", country="PL"),
        first_name="Anna",
        last_name="Nowak",
        email="anna.nowak@gdansk.pl",
    )


@pytest.fixture
def signed_in(client, registration):
    """A browser that has followed the delegate's personal link."""
    token = management_link_issue(registration=registration)
    response = client.get(url("manage_enter", token=token))
    assert response.status_code == 302
    return client


def test_link_token_is_stored_only_as_a_hash(registration):
    token = management_link_issue(registration=registration)

    link = ManagementLink.objects.get()
    assert token not in link.token_hash
    assert len(link.token_hash) == 64
    # Thirty days from issue (the conference is 60 days ahead: its deadline comes later).
    assert abs(link.expires_at - (timezone.now() + dt.timedelta(days=30))) < dt.timedelta(seconds=5)


def test_link_is_exchanged_for_a_session_and_dropped_from_the_address(client, registration):
    token = management_link_issue(registration=registration)

    response = client.get(url("manage_enter", token=token))

    assert response.status_code == 302
    assert response.url == url("manage")
    assert token not in response.url
    assert response["Referrer-Policy"] == "no-referrer"
    page = client.get(response.url)
    assert page.status_code == 200
    assert registration.reference in page.content.decode()
    assert ManagementLink.objects.get().last_used_at is not None


@pytest.mark.parametrize("token", ["wrong", "x" * 43])
def test_unknown_link_is_refused(client, token):
    response = client.get(url("manage_enter", token=token))
    assert response.status_code == 404
    assert "This link no longer works" in response.content.decode()


def test_expired_link_is_refused(client, registration):
    token = management_link_issue(registration=registration)
    ManagementLink.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))

    assert client.get(url("manage_enter", token=token)).status_code == 404


def test_management_page_needs_a_link(client):
    assert client.get(url("manage")).status_code == 403


def test_revoking_links_closes_open_sessions_at_once(signed_in, registration):
    management_links_revoke(registration=registration)

    assert signed_in.get(url("manage")).status_code == 403


def test_link_of_one_registration_shows_only_that_one(client, registration):
    other = RegistrationFactory(conference=registration.conference, last_name="Someone")
    token = management_link_issue(registration=registration)
    client.get(url("manage_enter", token=token))

    content = client.get(url("manage")).content.decode()

    assert registration.reference in content
    assert other.reference not in content


def test_page_shows_bookings_and_waiting_list_positions(signed_in, registration):
    conference = registration.conference
    booked = SessionFactory(conference=conference, title="Youth, sport and prevention")
    full = SessionFactory(
        conference=conference,
        title="Site visit: the port",
        capacity=1,
        starts_at=booked.ends_at,
        ends_at=booked.ends_at + dt.timedelta(hours=1),
    )
    holder, ahead = RegistrationFactory.create_batch(2, conference=conference)
    session_bookings_set(registration=holder, sessions=[full])
    session_bookings_set(registration=ahead, sessions=[full])
    session_bookings_set(registration=registration, sessions=[booked, full])

    content = signed_in.get(url("manage")).content.decode()

    assert "Youth, sport and prevention" in content
    assert "place booked" in content
    assert "waiting list, number 2" in content


def test_details_can_be_changed_and_the_delegate_is_told(signed_in, registration):
    response = signed_in.post(
        url("manage_details"),
        {
            "first_name": "Anna Maria",
            "last_name": "Nowak",
            "email": "anna.nowak@gdansk.pl",
            "job_title": "Head of prevention",
            "preferred_language": "fr",
        },
    )

    assert response.status_code == 302
    registration.refresh_from_db()
    assert (registration.first_name, registration.job_title) == ("Anna Maria", "Head of prevention")
    assert registration.preferred_language == "fr"
    email = registration.emails.get()
    assert (email.kind, email.recipient) == (OutboundEmail.Kind.DETAILS_CHANGED, registration.email)


def test_details_form_errors_are_shown_next_to_fields(signed_in, registration):
    response = signed_in.post(
        url("manage_details"),
        {"first_name": "R2D2", "last_name": "", "email": "bad", "job_title": "x"},
    )

    assert response.status_code == 400
    assert set(response.context["form"].errors) >= {"first_name", "last_name", "email"}
    registration.refresh_from_db()
    assert registration.first_name == "Anna"


def test_changing_email_revokes_links_and_tells_both_addresses(signed_in, registration):
    management_link_issue(registration=registration)

    registration_update_details(
        registration=registration,
        data=RegistrationData(
            first_name="Anna", last_name="Nowak", email="A.Nowak@Gdansk.pl", job_title="Adviser"
        ),
        special_needs_consent=False,
    )

    assert ManagementLink.objects.filter(revoked_at=None).count() == 0
    recipients = sorted(registration.emails.values_list("recipient", flat=True))
    assert recipients == ["a.nowak@gdansk.pl", "anna.nowak@gdansk.pl"]
    assert signed_in.get(url("manage")).status_code == 403


def test_changing_email_to_one_already_registered_is_refused(registration):
    RegistrationFactory(conference=registration.conference, email="taken@example.org")

    with pytest.raises(RegistrationError):
        registration_update_details(
            registration=registration,
            data=RegistrationData(
                first_name="Anna", last_name="Nowak", email="TAKEN@example.org", job_title="x"
            ),
            special_needs_consent=False,
        )


def test_adding_needs_records_their_consent(registration):
    registration_update_details(
        registration=registration,
        data=RegistrationData(
            first_name="Anna",
            last_name="Nowak",
            email=registration.email,
            job_title=registration.job_title,
            dietary_needs="Vegan",
        ),
        special_needs_consent=True,
    )

    assert registration.consents.filter(kind=ConsentRecord.Kind.SPECIAL_NEEDS).count() == 1


def test_changes_close_at_the_cut_off(signed_in, registration):
    conference = registration.conference
    conference.changes_close_at = timezone.now() - dt.timedelta(minutes=1)
    conference.save()

    page = signed_in.get(url("manage")).content.decode()
    assert "Changes are closed" in page
    with pytest.raises(ChangesClosedError):
        registration_change_sessions(registration=registration, sessions=[])


def test_sessions_can_be_changed_and_the_delegate_is_told(signed_in, registration):
    workshop = SessionFactory(conference=registration.conference)

    response = signed_in.post(url("manage_sessions"), {"sessions": [workshop.pk]})

    assert response.status_code == 302
    assert registration.bookings.get().status == SessionBooking.Status.BOOKED
    assert registration.emails.get().kind == OutboundEmail.Kind.SESSIONS_CHANGED


def test_clashing_sessions_are_refused_on_the_page(signed_in, registration):
    first = SessionFactory(conference=registration.conference, title="A")
    second = SessionFactory(conference=registration.conference, title="B")

    response = signed_in.post(url("manage_sessions"), {"sessions": [first.pk, second.pk]})

    assert response.status_code == 400
    assert "take place at the same time" in response.content.decode()
    assert registration.bookings.count() == 0


def test_cancel_needs_confirmation_and_a_post(signed_in, registration):
    page = signed_in.get(url("manage_cancel"))
    registration.refresh_from_db()
    assert page.status_code == 200
    assert registration.status == Registration.Status.CONFIRMED

    response = signed_in.post(url("manage_cancel"))

    registration.refresh_from_db()
    assert response.status_code == 302
    assert registration.status == Registration.Status.CANCELLED
    # The old links are revoked, but this browser may still download or erase the data.
    assert signed_in.get(url("manage")).status_code == 200
    assert ManagementLink.objects.filter(revoked_at=None).count() == 1


def test_personal_data_download(signed_in, registration):
    response = signed_in.get(url("manage_data"))

    data = json.loads(response.content)
    assert response["Content-Disposition"] == (
        f'attachment; filename="registration-{registration.reference}.json"'
    )
    assert data["reference"] == registration.reference
    assert data["email"] == "anna.nowak@gdansk.pl"
    assert data["city_or_region"] == {"name": "Gdańsk", "country": "PL", "kind": "municipality"}


def test_erasure_needs_cancellation_first(signed_in, registration):
    response = signed_in.post(url("manage_erase"))

    registration.refresh_from_db()
    assert response.status_code == 302
    assert registration.erased_at is None


def test_erasure_removes_personal_data_and_ends_access(signed_in, registration):
    registration_cancel(registration=registration)
    token = management_link_issue(registration=registration)
    signed_in.get(url("manage_enter", token=token))

    response = signed_in.post(url("manage_erase"))

    assert "Your data is erased" in response.content.decode()
    registration.refresh_from_db()
    assert registration.erased_at is not None
    assert (registration.first_name, registration.last_name) == ("", "")
    assert registration.email == f"erased-{registration.pk}@invalid"
    assert set(registration.emails.values_list("recipient", flat=True)) == {registration.email}
    assert registration.management_links.count() == 0
    assert signed_in.get(url("manage")).status_code == 403


def test_no_get_changes_anything(signed_in, registration):
    for name in ("manage_cancel", "manage_erase", "manage_details", "manage_sessions"):
        assert signed_in.get(url(name)).status_code == 200
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED
    assert registration.emails.count() == 0


def test_lost_link_answers_the_same_for_known_and_unknown_addresses(client, registration):
    slug = registration.conference.slug
    known = client.post(url("lost_link", slug=slug), {"email": "ANNA.NOWAK@gdansk.pl"})
    unknown = client.post(url("lost_link", slug=slug), {"email": "nobody@example.org"})

    assert known.status_code == unknown.status_code == 200
    without_csrf = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')
    assert without_csrf.sub(b"", known.content) == without_csrf.sub(b"", unknown.content)
    emails = OutboundEmail.objects.all()
    assert [(e.kind, e.recipient) for e in emails] == [
        (OutboundEmail.Kind.MANAGEMENT_LINK, "anna.nowak@gdansk.pl")
    ]


def test_lost_link_is_throttled_per_address(client, registration, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    from django.core.cache import cache

    cache.clear()
    slug = registration.conference.slug
    statuses = [
        client.post(url("lost_link", slug=slug), {"email": registration.email}).status_code
        for _ in range(4)
    ]

    assert statuses == [200, 200, 200, 429]
    assert OutboundEmail.objects.count() == 3
    last = client.post(url("lost_link", slug=slug), {"email": registration.email})
    assert "Too many requests" in last.content.decode()


def test_lost_link_email_carries_a_working_link(
    client, registration, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        management_link_request(conference=registration.conference, email=registration.email)

    [message] = mail.outbox
    link = next(word for word in message.body.split() if "/manage/enter/" in word)
    path = link.split("testserver", 1)[1]
    assert client.get(path).status_code == 302
    assert client.get(url("manage")).status_code == 200


def test_conference_page_offers_the_lost_link_page(client, conference):
    with translation.override("en"):
        page = client.get(reverse("conference:detail", kwargs={"slug": conference.slug}))
    assert url("lost_link", slug=conference.slug) in page.content.decode()


def test_closed_conference_page_still_offers_lost_link(client):
    conference = ConferenceFactory(
        registration_opens_at=timezone.now() - dt.timedelta(days=30),
        registration_closes_at=timezone.now() - dt.timedelta(days=1),
    )
    with translation.override("en"):
        page = client.get(reverse("conference:detail", kwargs={"slug": conference.slug}))
    assert url("lost_link", slug=conference.slug) in page.content.decode()


def test_every_email_to_the_delegate_carries_a_fresh_personal_link(
    registration, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        registration_resend_confirmation(registration=registration)
        registration_resend_confirmation(registration=registration)

    assert len(mail.outbox) == 2
    links = [next(w for w in m.body.split() if "/manage/enter/" in w) for m in mail.outbox]
    assert links[0] != links[1]
    assert all("/manage/enter/" in m.alternatives[0][0] for m in mail.outbox)


def test_notice_to_previous_address_carries_no_link(
    registration, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        registration_update_details(
            registration=registration,
            data=RegistrationData(
                first_name="Anna", last_name="Nowak", email="new@gdansk.pl", job_title="Adviser"
            ),
            special_needs_consent=False,
        )

    by_address = {message.to[0]: message for message in mail.outbox}
    assert "/manage/enter/" not in by_address["anna.nowak@gdansk.pl"].body
    assert "new@gdansk.pl" in by_address["anna.nowak@gdansk.pl"].body
    assert "/manage/enter/" in by_address["new@gdansk.pl"].body


def test_delegates_page_names_their_country_in_the_pages_language(signed_in, registration):
    with translation.override("fr"):
        french = reverse("registrations:manage")

    english_page = signed_in.get(url("manage")).content.decode()
    french_page = signed_in.get(french).content.decode()

    assert "Gdańsk (Poland)" in english_page
    assert "Gdańsk (Pologne)" in french_page
    assert "Poland" not in french_page
