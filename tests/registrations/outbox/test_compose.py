"""The confirmation email as each language writes it: its declared language and direction,
dates and times, the country's name and French typography."""

import datetime as dt
import re

import pytest
from django.core import mail

from registrations.models import OutboundEmail, SessionBooking
from registrations.outbox.send import outbound_email_send
from tests.factories import (
    AuthorityFactory,
    ConferenceFactory,
    OutboundEmailFactory,
    RegistrationFactory,
    SessionFactory,
)
from tests.factories.registrations import SessionBookingFactory

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"


def confirmation(language: str) -> tuple[str, str]:
    """The text and HTML of a confirmation email in the language, to a delegate of Liège with
    a workshop on Wednesday 20 October 2021 from 14:00 to 15:30."""
    conference = ConferenceFactory(
        start_date=dt.date(2021, 10, 20), end_date=dt.date(2021, 10, 22), time_zone="Europe/Paris"
    )
    registration = RegistrationFactory(
        conference=conference,
        authority=AuthorityFactory(name="Liège", country="BE"),
        preferred_language=language,
    )
    starts_at = dt.datetime(2021, 10, 20, 14, 0, tzinfo=conference.tzinfo)
    session = SessionFactory(
        conference=conference, starts_at=starts_at, ends_at=starts_at + dt.timedelta(minutes=90)
    )
    SessionBookingFactory(
        registration=registration, session=session, status=SessionBooking.Status.BOOKED
    )
    email = OutboundEmailFactory(registration=registration, kind=OutboundEmail.Kind.CONFIRMED)
    outbound_email_send(email_id=email.pk)
    [message] = mail.outbox
    [(html, _mimetype)] = message.alternatives
    return str(message.body), str(html)


def test_confirmation_email_in_english_declares_english_and_writes_english_dates():
    text, html = confirmation("en")

    assert re.search(r"<html[^>]*>", html)[0] == '<html lang="en" dir="ltr">'
    for body in (text, html):
        assert "Wednesday 20 October 2021, 14:00–15:30" in body
        assert "Liège (Belgium)" in body


def test_confirmation_email_in_french_declares_french_and_writes_french_dates():
    text, html = confirmation("fr")

    assert re.search(r"<html[^>]*>", html)[0] == '<html lang="fr" dir="ltr">'
    for body in (text, html):
        assert f"mercredi 20 octobre 2021, 14{NBSP}h{NBSP}00–15{NBSP}h{NBSP}30" in body
        assert "Liège (Belgique)" in body
        assert f"Vos sessions{NBSP}:" in body
        assert "Wednesday" not in body
        assert "Belgium" not in body
    assert f"Ville ou région{NBSP}: Liège (Belgique)\n" in text


def test_french_catalogue_puts_a_no_break_space_before_high_punctuation():
    with open("locale/fr/LC_MESSAGES/django.po", encoding="utf-8") as po:
        catalogue = po.read()
    entries = re.findall(r'^msgstr(?:\[\d\])? (".*"(?:\n".*")*)', catalogue, re.MULTILINE)
    assert len(entries) > 800
    # The first is the catalogue's header.
    texts = ["".join(re.findall(r'"(.*)"', entry)) for entry in entries[1:]]
    loose = [text for text in texts if re.search(r"[^\u00a0\u202f\d/]([:;!?»])(?=\s|$)|« ", text)]
    assert loose == []
