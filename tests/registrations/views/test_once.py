"""Double submits (registrations/views/once.py): a form sent twice with its one-time token is
acted on once; the repeat gets the first outcome and sends nothing more."""

import time
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils import translation

from registrations.models import Delegation, OutboundEmail, Registration
from registrations.views import once
from registrations.views.registration import DONE_COOKIE
from tests.factories import AuthorityFactory
from tests.registrations.views.test_delegations import delegation_post
from tests.registrations.views.test_registration import PER_REQUEST, form_token_of

pytestmark = pytest.mark.django_db


def url(name: str, conference) -> str:
    with translation.override("en"):
        return reverse(f"registrations:{name}", kwargs={"slug": conference.slug})


def test_register_sent_twice_registers_once_and_emails_once(
    client, conference, django_capture_on_commit_callbacks, mailoutbox
):
    form = client.get(url("register", conference))
    data = {
        "authority": AuthorityFactory().pk,
        "first_name": "Sanne",
        "last_name": "de Vries",
        "email": "sanne@rotterdam.nl",
        "job_title": "Adviser",
        "category": "delegate",
        "preferred_language": "en",
        "privacy_consent": "on",
        "form_token": form_token_of(form),
    }

    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url("register", conference), data, follow=True)
        second = client.post(url("register", conference), data, follow=True)

    assert second.redirect_chain == first.redirect_chain
    assert PER_REQUEST.sub(b"", second.content) == PER_REQUEST.sub(b"", first.content)
    assert Registration.objects.count() == 1
    assert [message.subject for message in mailoutbox] == [mailoutbox[0].subject]
    assert list(OutboundEmail.objects.values_list("kind", flat=True).order_by("kind")) == [
        "confirmed",
        "reminder",
    ]


def test_register_token_is_free_again_after_an_invalid_post(client, conference):
    form = client.get(url("register", conference))
    token = form_token_of(form)

    invalid = client.post(url("register", conference), {"form_token": token})
    data = {
        "authority": AuthorityFactory().pk,
        "first_name": "Sanne",
        "last_name": "de Vries",
        "email": "sanne@rotterdam.nl",
        "job_title": "Adviser",
        "category": "delegate",
        "preferred_language": "en",
        "privacy_consent": "on",
        "form_token": token,
    }
    valid = client.post(url("register", conference), data)

    assert invalid.status_code == 400
    assert f'value="{token}"' in invalid.content.decode()
    assert valid.status_code == 302
    assert Registration.objects.count() == 1


def test_token_from_another_session_is_not_honoured(client, conference):

    other = Client()
    form = other.get(url("register", conference))
    token = form_token_of(form)

    # Not issued to this browser: the POST is handled as one without a token (here, invalid).
    response = client.post(url("register", conference), {"form_token": token})

    assert response.status_code == 400


def test_delegation_form_sent_twice_ends_on_the_same_page_not_409(
    client, conference, django_capture_on_commit_callbacks, mailoutbox
):
    liege = AuthorityFactory(name="Liège", country="BE", is_member=True)
    form = client.get(url("delegation_register", conference))
    data = {
        **delegation_post(liege, ("Jan", "jan@liege.be"), ("An", "an@liege.be")),
        "form_token": form_token_of(form),
    }

    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url("delegation_register", conference), data, follow=True)
    sent = len(mailoutbox)
    with django_capture_on_commit_callbacks(execute=True):
        second = client.post(url("delegation_register", conference), data, follow=True)

    assert first.status_code == second.status_code == 200
    assert (
        second.redirect_chain == first.redirect_chain == [(url("delegation_done", conference), 302)]
    )
    assert PER_REQUEST.sub(b"", second.content) == PER_REQUEST.sub(b"", first.content)
    assert Delegation.objects.count() == 1
    assert len(mailoutbox) == sent == 3  # the coordinator's, Jan's and An's, once each


def test_showing_the_form_writes_no_session(client, conference):

    form = client.get(url("register", conference))

    assert form.status_code == 200
    assert form_token_of(form)
    assert settings.SESSION_COOKIE_NAME not in form.cookies
    assert not Session.objects.exists()


def _valid_data(token: str) -> dict:
    return {
        "authority": AuthorityFactory().pk,
        "first_name": "Sanne",
        "last_name": "de Vries",
        "email": "sanne@rotterdam.nl",
        "job_title": "Adviser",
        "category": "delegate",
        "preferred_language": "en",
        "privacy_consent": "on",
        "form_token": token,
    }


@pytest.mark.parametrize(
    "spoil",
    [
        lambda token: token[:-2] + ("AA" if token[-2:] != "AA" else "BB"),
        lambda token: token.split(":", 1)[0],
    ],
    ids=["signature altered", "signature removed"],
)
def test_an_altered_token_is_not_honoured(client, conference, spoil, monkeypatch):
    """A token that does not verify is no guard: its first use is not recorded, so a second
    POST runs again (here, refused as the address is taken: a reminder, not a replay)."""

    claimed = []
    monkeypatch.setattr(once, "_claim_or_outcome", lambda token: claimed.append(token))
    token = spoil(form_token_of(client.get(url("register", conference))))

    response = client.post(url("register", conference), _valid_data(token))

    assert response.status_code == 302
    assert claimed == []


def test_a_token_older_than_a_session_is_not_honoured(client, conference, monkeypatch):

    token = form_token_of(client.get(url("register", conference)))
    claimed = []
    monkeypatch.setattr(once, "_claim_or_outcome", lambda token: claimed.append(token))
    later = time.time() + settings.SESSION_COOKIE_AGE + 1
    monkeypatch.setattr(signing, "time", SimpleNamespace(time=lambda: later))

    client.post(url("register", conference), _valid_data(token))
    assert claimed == []

    # Well inside the age: the token's time is in whole seconds, cut down from when it was
    # signed, so a second's margin failed now and then.
    monkeypatch.setattr(signing, "time", SimpleNamespace(time=lambda: later - 5))
    client.post(url("register", conference), _valid_data(token))
    assert claimed == [token]


def test_a_repeat_whose_first_answer_was_lost_still_opens_the_thank_you_page(client, conference):
    """A double click: the browser drops the first response (and the mark it set) and shows
    the second's, which must carry the mark too."""

    data = _valid_data(form_token_of(client.get(url("register", conference))))
    first = client.post(url("register", conference), data)
    del client.cookies[DONE_COOKIE]
    second = client.post(url("register", conference), data)

    assert second.status_code == 302 and second.url == first.url
    replayed, original = second.cookies[DONE_COOKIE], first.cookies[DONE_COOKIE]
    assert replayed.value == original.value
    for attribute in ("max-age", "path", "domain", "secure", "httponly", "samesite"):
        assert replayed[attribute] == original[attribute], attribute
    assert client.get(second.url).status_code == 200
    assert Registration.objects.count() == 1
