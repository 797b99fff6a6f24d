"""The public pages and the admin work under the Content-Security-Policy in a real browser
(Playwright driving Debian's Chromium): nothing refused, and the programme's timetable laid out by
its nonce-carrying style sheet."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import translation

from tests.factories import AuthorityFactory, ConferenceFactory, RegistrationFactory, SessionFactory
from tests.test_browser import CHROMIUM_ARGS, watch_csp_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_context(monkeypatch):
    from playwright.sync_api import sync_playwright

    # Playwright runs an event loop in this thread; the ORM calls made around it are ours.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        # Wide enough for the programme's timetable.
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
        context.set_default_timeout(10_000)
        context.violations = watch_csp_violations(context)
        yield context
        context.close()
        browser.close()


def url(name: str, **kwargs) -> str:
    with translation.override("en"):
        return reverse(name, kwargs=kwargs)


def test_public_pages_and_admin_load_without_a_violation(live_server, browser_context, client):
    conference = ConferenceFactory(name="Security, Democracy and Cities")
    SessionFactory(conference=conference, title="Youth and sport")
    AuthorityFactory(name="Liège", country="BE")
    RegistrationFactory(conference=conference)
    # A viewer (read-only lists) needs no second factor. Permissions given directly: flushing
    # the database between transactional tests removes the groups.
    viewer = get_user_model().objects.create_user("viewer", is_staff=True)
    viewer.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_registration", "view_conference"])
    )
    page = browser_context.new_page()
    errors: list = []
    page.on("pageerror", lambda error: errors.append(error))

    page.goto(live_server.url + url("conference:detail", slug=conference.slug))
    assert page.locator("h1").inner_text() == "Security, Democracy and Cities"

    page.goto(live_server.url + url("conference:programme", slug=conference.slug))
    card = page.locator(".timetable-session", has_text="Youth and sport")
    # Placed by the page's style sheet: the session's room is the first column after the times.
    assert card.evaluate("element => getComputedStyle(element).gridColumnStart") == "2"

    page.goto(live_server.url + url("registrations:register", slug=conference.slug))
    page.locator("#id_authority-ts-control").fill("lieg")
    page.locator(".ts-dropdown .option", has_text="Liège").click()

    page.goto(live_server.url + url("admin:login"))
    assert page.locator("input[name$='password']").count() == 1

    client.force_login(viewer)
    browser_context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page.goto(live_server.url + url("admin:index"))
    page.goto(live_server.url + url("admin:registrations_registration_changelist"))
    assert page.locator("#result_list tbody tr").count() == 1
    page.goto(live_server.url + url("admin:conference_conference_changelist"))
    assert page.locator("#result_list tbody tr").count() == 1

    assert browser_context.violations == []
    assert errors == []


def test_a_refused_inline_style_is_caught(live_server, browser_context):
    conference = ConferenceFactory()
    page = browser_context.new_page()
    page.goto(live_server.url + url("conference:detail", slug=conference.slug))

    page.evaluate("document.body.insertAdjacentHTML('beforeend', '<p style=\"color: red\">x</p>')")
    page.wait_for_timeout(200)

    # Chromium's own message on the console, then the page's report of the event.
    chromium, event = browser_context.violations
    assert "Applying inline style violates the following Content Security Policy" in chromium
    assert event == f"{page.url}: Content Security Policy violation: style-src-attr inline"
    browser_context.violations.clear()
