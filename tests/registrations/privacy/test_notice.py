"""The privacy notice says what the schedule says: each period's number on the page is the
schedule's, in English and in French; changing the schedule raises the version that the page
shows and that consents record."""

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import translation

from registrations.models import ConsentRecord
from registrations.models.retention import RETENTION_PERIOD_FIELDS, RetentionSchedule
from registrations.places.registrations import RegistrationData, registration_create
from registrations.privacy.schedule import (
    privacy_notice_version,
    retention_schedule_for,
    retention_schedule_update,
)
from tests.factories import AuthorityFactory

pytestmark = pytest.mark.django_db

NUMBER_FIELDS = [name for name in RETENTION_PERIOD_FIELDS if name != "keep_certificate_names"]


class RetentionItems(HTMLParser):
    """The text of each element marked data-retention (the notice's periods), by its mark."""

    def __init__(self, html: str):
        super().__init__()
        self.texts: dict[str, str] = {}
        self._open: str | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        mark = dict(attrs).get("data-retention")
        if mark is not None:
            self._open = mark
            self.texts[mark] = ""

    def handle_endtag(self, tag):
        if tag == "li":
            self._open = None

    def handle_data(self, data):
        if self._open is not None:
            self.texts[self._open] += data


def numbers(text: str) -> list[int]:
    return [int(number) for number in re.findall(r"\d+", text)]


def notice_periods(client, conference, language: str) -> dict[str, list[int]]:
    with translation.override(language):
        url = reverse("registrations:privacy", kwargs={"slug": conference.slug})
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    assert response["Content-Language"] == language
    texts = RetentionItems(response.content.decode()).texts
    return {mark: numbers(text) for mark, text in texts.items()}


@pytest.mark.parametrize("language", ["en", "fr"])
def test_notice_numbers_are_the_schedules_in_each_language(client, conference, language):
    schedule = retention_schedule_for(conference)
    # Every period away from its default and from the others, and plural.
    changed = {
        name: getattr(schedule, name) * 2 + index + 2 for index, name in enumerate(NUMBER_FIELDS)
    }
    retention_schedule_update(schedule=schedule, keep_certificate_names=True, **changed)
    schedule.refresh_from_db()

    periods = notice_periods(client, conference, language)

    assert periods == {
        **{name: [getattr(schedule, name)] for name in NUMBER_FIELDS},
        "keep_certificate_names": [],
    }


def test_notice_without_kept_names_does_not_promise_them(client, conference):
    assert "keep_certificate_names" not in notice_periods(client, conference, "en")


def test_changing_the_schedule_raises_the_version_consents_record(client, conference):
    schedule = retention_schedule_for(conference)
    before = privacy_notice_version(conference)

    unchanged = retention_schedule_update(
        schedule=schedule, needs_days_after_end=schedule.needs_days_after_end
    )
    changed = retention_schedule_update(schedule=schedule, needs_days_after_end=3)

    assert (unchanged, changed) == (False, True)
    conference.refresh_from_db()
    after = privacy_notice_version(conference)
    assert after != before
    assert RetentionSchedule.objects.get(conference=conference).version == schedule.version
    response = client.get(reverse("registrations:privacy", kwargs={"slug": conference.slug}))
    assert after in response.content.decode()
    outcome = registration_create(
        conference=conference,
        data=RegistrationData(
            first_name="Ada",
            last_name="Lovelace",
            email="ada@example.org",
            job_title="Mayor",
        ),
        authority=AuthorityFactory(),
    )
    consent = outcome.registration.consents.get(kind=ConsentRecord.Kind.PRIVACY_NOTICE)
    assert consent.notice_version == after


def test_generic_notice_shows_the_defaults_and_links_each_conference(client, conference):
    response = client.get(reverse("registrations:privacy"))
    html = response.content.decode()
    defaults = RetentionSchedule()
    texts = RetentionItems(html).texts
    assert {name: numbers(texts[name]) for name in NUMBER_FIELDS} == {
        name: [getattr(defaults, name)] for name in NUMBER_FIELDS
    }
    assert f'href="{reverse("registrations:privacy", kwargs={"slug": conference.slug})}"' in html


@pytest.mark.parametrize("form", ["register", "delegation_register"])
def test_sign_up_forms_link_the_conferences_own_notice(client, conference, form):
    response = client.get(reverse(f"registrations:{form}", kwargs={"slug": conference.slug}))

    notice = reverse("registrations:privacy", kwargs={"slug": conference.slug})
    assert f'href="{notice}"' in response.content.decode()
