"""Calendars people can find: the programme's feed from the home and programme pages, the
delegate's agenda feed from their page and their emails, each to subscribe to or download."""

import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from registrations.access.links import management_link_issue
from registrations.models import OutboundEmail
from registrations.outbox.send import outbound_email_send
from tests.factories import ConferenceFactory, OutboundEmailFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


def calendar_links(page: str) -> list[tuple[str, str]]:
    """The (address, text) of each link in the page's calendar links."""
    [block] = re.findall(r'<p class="calendar-links">(.*?)</p>', page, re.DOTALL)
    return re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', block)


@pytest.mark.parametrize("page_name", ["conference:detail", "conference:programme"])
def test_public_page_links_the_programme_feed_to_subscribe_and_download(client, page_name):
    conference = ConferenceFactory(slug="nice-2021")
    with translation.override("fr"):
        path = reverse(page_name, kwargs={"slug": conference.slug})

    page = client.get(path).content.decode()

    assert calendar_links(page) == [
        (
            "webcal://testserver/fr/nice-2021/programme.ics",
            "S'abonner dans votre application d'agenda",
        ),
        ("/fr/nice-2021/programme.ics", "Télécharger (.ics)"),
    ]


def test_programme_feed_linked_from_the_programme_answers_with_a_calendar(client):
    ConferenceFactory(slug="nice-2021")
    page = client.get("/en/nice-2021/programme/").content.decode()
    [_subscribe, (download, _text)] = calendar_links(page)

    response = client.get(download)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert b"BEGIN:VCALENDAR" in response.content


def test_delegates_page_links_their_agenda_feed_to_subscribe_and_download(client):
    registration = RegistrationFactory()
    with translation.override("en"):
        enter = reverse(
            "registrations:manage_enter",
            kwargs={"token": management_link_issue(registration=registration)},
        )
        home = reverse("registrations:manage")
    client.get(enter)

    page = client.get(home).content.decode()

    feed = f"/agenda/{registration.agenda_token}.ics"
    assert calendar_links(page) == [
        (f"webcal://testserver{feed}", "Subscribe in your calendar app"),
        (feed, "Download (.ics)"),
    ]


def test_confirmation_email_links_the_agenda_feed_to_subscribe(settings):
    settings.SITE_URL = "https://register.example.org"
    registration = RegistrationFactory()
    email = OutboundEmailFactory(registration=registration, kind=OutboundEmail.Kind.CONFIRMED)

    outbound_email_send(email_id=email.pk)

    [message] = mail.outbox
    [(html, _mimetype)] = message.alternatives
    webcal = f"webcal://register.example.org/agenda/{registration.agenda_token}.ics"
    assert f'<a href="{webcal}" style="color:#0b4f6c;">Subscribe in your calendar app</a>' in html
    assert f"Subscribe in your calendar app: {webcal}\n" in message.body
