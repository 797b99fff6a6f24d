import datetime as dt
import re
import statistics
import time

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from registrations.models import Authority, OutboundEmail, Registration
from registrations.views.registration import DONE_COOKIE, DONE_SALT, SESSION_KEY
from tests.factories import AuthorityFactory, ConferenceFactory, RegistrationFactory, SessionFactory

pytestmark = pytest.mark.django_db


def url(name: str, conference, language: str = "en") -> str:
    with translation.override(language):
        return reverse(name, kwargs={"slug": conference.slug})


@pytest.fixture
def form_data():
    return {
        "authority": AuthorityFactory(name="Rotterdam", country="NL").pk,
        "first_name": "Sanne",
        "last_name": "de Vries",
        "email": "sanne.devries@rotterdam.nl",
        "job_title": "Policy adviser",
        "category": "delegate",
        "preferred_language": "en",
        "privacy_consent": "on",
    }


def test_conference_home_says_registration_is_open_with_places_left(client):
    conference = ConferenceFactory(capacity=10)
    RegistrationFactory.create_batch(3, conference=conference)

    response = client.get(url("conference:detail", conference))

    assert response.status_code == 200
    assert "Registration is open: 7 places left." in response.content.decode()


def test_conference_home_says_when_full_that_newcomers_join_waiting_list(client):
    conference = ConferenceFactory(capacity=1)
    RegistrationFactory(conference=conference)

    response = client.get(url("conference:detail", conference))

    assert "you will join the waiting list" in response.content.decode()


def test_conference_home_says_when_registration_opens(client):
    conference = ConferenceFactory(
        registration_opens_at=timezone.now() + dt.timedelta(days=3),
        registration_closes_at=timezone.now() + dt.timedelta(days=30),
    )
    response = client.get(url("conference:detail", conference))
    assert "Registration opens on" in response.content.decode()


def test_conference_home_says_when_registration_is_closed(client):
    conference = ConferenceFactory(
        registration_opens_at=timezone.now() - dt.timedelta(days=30),
        registration_closes_at=timezone.now() - dt.timedelta(days=1),
    )
    response = client.get(url("conference:detail", conference))
    assert "Registration is closed." in response.content.decode()


def test_conference_home_in_french(client):
    conference = ConferenceFactory(capacity=10)
    response = client.get(url("conference:detail", conference, "fr"))
    assert response.status_code == 200
    assert "10 places restantes" in response.content.decode()


def test_unpublished_conference_is_not_found(client):
    conference = ConferenceFactory(is_published=False)
    assert client.get(url("conference:detail", conference)).status_code == 404
    assert client.get(url("registrations:register", conference)).status_code == 404


def test_register_page_shows_the_form(client, conference):
    response = client.get(url("registrations:register", conference))
    assert response.status_code == 200
    assert 'name="first_name"' in response.content.decode()


def test_register_page_warns_before_submitting_that_conference_is_full(client):
    conference = ConferenceFactory(capacity=1)
    RegistrationFactory(conference=conference)

    content = client.get(url("registrations:register", conference)).content.decode()

    assert "The conference is full." in content
    assert "Join the waiting list" in content


def test_register_creates_registration_and_emails_reference_without_personal_data_in_url(
    client, conference, form_data, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("registrations:register", conference), form_data)

    registration = Registration.objects.get()
    assert response.status_code == 302
    assert response.url == url("registrations:register_done", conference)
    assert "sanne" not in response.url and "@" not in response.url
    done = client.get(response.url).content.decode()
    # The reference travels by email only: the page reads the same for a registered address.
    assert registration.reference not in done
    assert "with your reference and your personal link" in done
    assert registration.reference in mailoutbox[0].body
    assert registration.status == Registration.Status.CONFIRMED
    assert registration.emails.filter(kind=OutboundEmail.Kind.CONFIRMED).count() == 1


def test_register_with_errors_shows_them_next_to_fields_and_keeps_input(
    client, conference, form_data
):
    form_data["email"] = "broken"
    response = client.post(url("registrations:register", conference), form_data)

    content = response.content.decode()
    assert response.status_code == 400
    assert 'id="error_1_id_email"' in content
    assert 'value="Sanne"' in content
    assert Registration.objects.count() == 0


def test_register_again_with_same_email_reveals_nothing(client, conference, form_data):
    existing = RegistrationFactory(conference=conference, email="sanne.devries@rotterdam.nl")
    form_data["email"] = "Sanne.DeVries@Rotterdam.nl"

    response = client.post(url("registrations:register", conference), form_data, follow=True)

    content = response.content.decode()
    assert existing.reference not in content
    assert "check your inbox" in content
    assert Registration.objects.count() == 1
    assert existing.emails.get().kind == OutboundEmail.Kind.ALREADY_REGISTERED


def test_register_ignored_spam_shows_the_neutral_page(client, conference, form_data):
    form_data["website"] = "http://spam.example"
    response = client.post(url("registrations:register", conference), form_data, follow=True)

    assert "check your inbox" in response.content.decode()
    assert Registration.objects.count() == 0


def test_register_when_full_puts_delegate_on_waiting_list(client, form_data):
    conference = ConferenceFactory(capacity=1)
    RegistrationFactory(conference=conference)

    response = client.post(url("registrations:register", conference), form_data, follow=True)

    assert "You are on the waiting list" not in response.content.decode()
    assert Registration.objects.get(email=form_data["email"]).status == "waitlisted"
    assert Registration.objects.get(email=form_data["email"]).emails.get().kind == "waitlisted"


def test_register_new_authority_creates_it_for_review(client, conference, form_data):
    form_data.update(authority="", new_authority_name="Sopot", new_authority_country="PL")

    client.post(url("registrations:register", conference), form_data)

    authority = Authority.objects.get(name="Sopot")
    assert authority.needs_review is True
    assert Registration.objects.get().authority == authority


def test_register_when_closed_refuses_posts(client, form_data):
    conference = ConferenceFactory(
        registration_opens_at=timezone.now() - dt.timedelta(days=30),
        registration_closes_at=timezone.now() - dt.timedelta(days=1),
    )
    response = client.post(url("registrations:register", conference), form_data)
    assert response.status_code == 403
    assert Registration.objects.count() == 0


def test_done_page_without_a_registration_in_session_goes_back_to_form(client, conference):
    response = client.get(url("registrations:register_done", conference))
    assert response.status_code == 302
    assert response.url == url("registrations:register", conference)


def test_register_in_french_uses_french_for_emails_by_default(client, conference, form_data):
    del form_data["preferred_language"]
    response = client.get(url("registrations:register", conference, "fr"))
    assert 'value="fr" selected' in response.content.decode()


def test_privacy_notice_page(client):
    with translation.override("en"):
        response = client.get(reverse("registrations:privacy"))
    assert response.status_code == 200
    assert "Privacy notice" in response.content.decode()


def test_register_with_sessions_lists_them_in_the_email_not_on_the_thanks_page(
    client, conference, form_data, mailoutbox, django_capture_on_commit_callbacks
):

    workshop = SessionFactory(conference=conference, title="Designing safer public spaces")
    form_data["sessions"] = [workshop.pk]

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("registrations:register", conference), form_data, follow=True)

    assert "Designing safer public spaces" not in response.content.decode()
    assert "Designing safer public spaces" in mailoutbox[0].body
    assert Registration.objects.get().bookings.get().session == workshop


# --- No enumeration: the outcome reads the same, and takes as long, for a registered address ---

# The CSRF token, and the nonce a Content-Security-Policy may add, differ from request to request.
PER_REQUEST = re.compile(rb'(name="csrfmiddlewaretoken" value|nonce)="[^"]+"')


def form_token_of(response) -> str:
    """The one-time token of the form on the page, as a browser sends it back."""
    return re.search(r'name="form_token" value="([^"]+)"', response.content.decode())[1]


def sign_up(client, conference, form_data, email: str):
    """Show the form, then send it as a browser would: its one-time token included."""
    form = client.get(url("registrations:register", conference))
    token = form_token_of(form)
    return client.post(
        url("registrations:register", conference),
        {**form_data, "email": email, "form_token": token},
        follow=True,
    )


def test_register_outcome_is_byte_identical_for_new_and_registered_addresses(conference, form_data):
    RegistrationFactory(conference=conference, email="known@rotterdam.nl")

    known = sign_up(Client(), conference, form_data, "known@rotterdam.nl")
    new = sign_up(Client(), conference, form_data, "new@rotterdam.nl")

    assert known.redirect_chain == new.redirect_chain
    assert known.status_code == new.status_code == 200
    assert PER_REQUEST.sub(b"", known.content) == PER_REQUEST.sub(b"", new.content)
    kinds = sorted(OutboundEmail.objects.values_list("kind", flat=True))
    assert kinds == ["already_registered", "confirmed", "reminder"]


@pytest.mark.postgres
def test_register_takes_as_long_for_new_and_registered_addresses(
    client, conference, settings, django_capture_on_commit_callbacks
):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "register": "1000/h"}
    authority = AuthorityFactory(name="Rotterdam", country="NL")
    known = [
        RegistrationFactory(conference=conference, email=f"known{n}@rotterdam.nl").email
        for n in range(60)
    ]
    data = {
        "authority": authority.pk,
        "first_name": "Sanne",
        "last_name": "de Vries",
        "job_title": "Policy adviser",
        "category": "delegate",
        "preferred_language": "en",
        "privacy_consent": "on",
    }
    register_url = url("registrations:register", conference)

    def timed(email: str) -> float:
        started = time.perf_counter()
        # The answer is padded once the transaction commits, which the test's own transaction
        # stands in for: its callbacks run here, inside the timing, as they would in the view.
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(register_url, {**data, "email": email})
        elapsed = time.perf_counter() - started
        assert response.status_code == 302
        return elapsed

    for n in range(10):  # warm up both paths: templates, query plans, connections
        timed(f"warm{n}@rotterdam.nl")
        timed(known[50 + n])
    new_times, known_times = [], []
    for n in range(50):  # interleaved, so that drift in the machine's load hits both alike
        new_times.append(timed(f"new{n}@rotterdam.nl"))
        known_times.append(timed(known[n]))

    difference = abs(statistics.median(new_times) - statistics.median(known_times))
    assert difference < 0.005, f"medians differ by {difference * 1000:.1f} ms"


@pytest.mark.parametrize(
    ("page", "language", "label"),
    [
        ("registrations:register", "en", "Liège — Belgium"),
        ("registrations:register", "fr", "Liège — Belgique"),
        ("registrations:delegation_register", "en", "Liège — Belgium"),
        ("registrations:delegation_register", "fr", "Liège — Belgique"),
    ],
)
def test_city_list_names_the_country_in_the_pages_language(client, page, language, label):
    conference = ConferenceFactory()
    liege = AuthorityFactory(name="Liège", country="BE", is_member=True)

    content = client.get(url(page, conference, language)).content.decode()

    assert re.search(rf'<option value="{liege.pk}"[^>]*>([^<]*)</option>', content)[1] == label


def test_a_registration_opens_the_thank_you_page_by_a_signed_cookie_not_a_session(
    client, conference, form_data
):

    response = client.post(url("registrations:register", conference), form_data)

    assert response.status_code == 302
    # No session begun for it: the mark is a cookie, signed, as private and long-lived as the
    # session's would be.
    assert settings.SESSION_COOKIE_NAME not in response.cookies
    assert not Session.objects.exists()
    mark = response.cookies[DONE_COOKIE]
    assert mark["httponly"] is True
    assert int(mark["max-age"]) == settings.SESSION_COOKIE_AGE
    assert mark["samesite"] == settings.SESSION_COOKIE_SAMESITE
    assert mark.value != str(conference.pk)  # signed, not the bare id
    done = client.get(response.url)
    assert done.status_code == 200
    assert "Cookie" in done["Vary"]
    assert "with your reference and your personal link" in done.content.decode()


def test_the_thank_you_page_refuses_a_forged_or_another_conferences_mark(
    client, conference, form_data
):

    other = ConferenceFactory()
    client.post(url("registrations:register", conference), form_data)

    # Another conference's page does not open with this one's mark.
    response = client.get(url("registrations:register_done", other))
    assert response.status_code == 302
    assert response.url == url("registrations:register", other)
    assert "Cookie" in response["Vary"]
    # Nor with a mark written by hand, unsigned or signed for another purpose.
    for forged in (
        str(conference.pk),
        signing.get_cookie_signer(salt=DONE_COOKIE + "other").sign(str(conference.pk)),
        signing.get_cookie_signer(salt=DONE_COOKIE + DONE_SALT).sign(str(other.pk)),
    ):
        stranger = Client()
        stranger.cookies[DONE_COOKIE] = forged
        response = stranger.get(url("registrations:register_done", conference))
        assert response.status_code == 302, forged
    # The signed one, as the registration set it, opens it in the browser that holds it.
    stranger = Client()
    stranger.cookies[DONE_COOKIE] = signing.get_cookie_signer(salt=DONE_COOKIE + DONE_SALT).sign(
        str(conference.pk)
    )
    assert stranger.get(url("registrations:register_done", conference)).status_code == 200


def test_the_thank_you_mark_lapses_with_the_session_age(client, conference, form_data, monkeypatch):

    response = client.post(url("registrations:register", conference), form_data)
    later = time.time() + settings.SESSION_COOKIE_AGE + 10
    monkeypatch.setattr(time, "time", lambda: later)

    assert client.get(response.url).status_code == 302


def test_a_mark_left_in_the_session_before_still_opens_the_thank_you_page(client, conference):

    session = client.session
    session[SESSION_KEY] = {"conference": conference.pk}
    session.save()

    assert client.get(url("registrations:register_done", conference)).status_code == 200
