"""Desk staff find a delegate and check them in, in a real browser (Playwright driving Debian's
Chromium). Headless Chromium has no camera: the scanner must say so, and nothing may break."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import translation

from registrations.models import CheckIn
from tests.factories import AuthorityFactory, ConferenceFactory, RegistrationFactory
from tests.test_browser import CHROMIUM_ARGS, watch_csp_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOT = "/tmp/desk-checked-in.png"


@pytest.fixture
def browser_context(monkeypatch):
    from playwright.sync_api import sync_playwright

    # Playwright runs an event loop in this thread; the ORM calls made around it are ours.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        # A tablet on its side: what the desk works with.
        context = browser.new_context(viewport={"width": 1180, "height": 820}, locale="en-GB")
        context.set_default_timeout(10_000)
        violations = watch_csp_violations(context)
        yield context
        context.close()
        browser.close()
    assert violations == []


@pytest.fixture
def page_errors() -> list:
    """Uncaught JavaScript errors of the page."""
    return []


@pytest.fixture
def desk_page(browser_context, live_server, client, page_errors):
    """A page logged in as desk staff, through the session cookie of a forced login. The
    "Registration desk" group is not used here: flushing the database between transactional
    tests removes it, so the permission is given directly."""
    staff = get_user_model().objects.create_user(
        "marie", first_name="Marie", last_name="Curie", is_staff=True
    )
    staff.user_permissions.add(Permission.objects.get(codename="check_in"))
    client.force_login(staff)
    browser_context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = browser_context.new_page()
    page.on("pageerror", lambda error: page_errors.append(error))
    return page


def test_staff_finds_a_delegate_by_name_and_checks_them_in(live_server, desk_page, page_errors):
    conference = ConferenceFactory(name="Security, Democracy and Cities", slug="nice-2026")
    delegate = RegistrationFactory(
        conference=conference,
        authority=AuthorityFactory(name="Liège", country="BE"),
        first_name="Émilie",
        last_name="Lefèvre",
        badge_name="Émilie Lefèvre-Dubois",
    )
    RegistrationFactory(conference=conference, first_name="Jan", last_name="Jansen")
    page = desk_page

    with translation.override("en"):  # whatever language an earlier test left active
        desk_url = reverse("registrations:desk", kwargs={"slug": conference.slug})
    page.goto(live_server.url + desk_url)
    page.get_by_label("Name, city or region, reference, or badge code").fill("lefevre")
    page.keyboard.press("Enter")

    card = page.get_by_test_id("desk-card")
    assert card.locator("h2").inner_text() == "Émilie Lefèvre-Dubois"
    card.get_by_role("button", name="Check in").click()

    state = page.get_by_test_id("desk-state")
    assert state.inner_text() == "Checked in"
    font_size = float(state.evaluate("element => getComputedStyle(element).fontSize")[:-2])
    assert font_size >= 24
    assert CheckIn.objects.get().registration == delegate
    assert page.get_by_role("alert").inner_text() == "Émilie Lefèvre-Dubois is checked in."

    # No camera in headless Chromium: the scanner says so and the page keeps working.
    page.get_by_role("button", name="Scan a badge with the camera").click()
    status = page.locator("[data-scan-status]")
    status.get_by_text("The camera is not available").wait_for()
    assert page.locator("[data-scan-video]").is_hidden()
    page.screenshot(path=SCREENSHOT, full_page=True)

    assert page_errors == []
