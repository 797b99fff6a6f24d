"""The delegate forms in a real browser: the searchable city box for screen readers, focus on
the error summary after a failed submit, a submit button that sends once."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from tests.factories import AuthorityFactory, ConferenceFactory, RegistrationFactory
from tests.test_browser import CHROMIUM_ARGS, watch_csp_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Every rule of these levels runs; only the violations come back with all their nodes (the
# passes' nodes, a megabyte on a long page, only took time to serialise).
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}


@pytest.fixture
def page(monkeypatch):
    from playwright.sync_api import sync_playwright

    # Playwright runs an event loop in this thread; the ORM calls made around it are ours.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB")
        context.set_default_timeout(10_000)
        violations = watch_csp_violations(context)
        yield context.new_page()
        context.close()
        browser.close()
    assert violations == []


def register_url(live_server, conference, language: str = "en") -> str:
    with translation.override(language):
        return live_server.url + reverse("registrations:register", kwargs={"slug": conference.slug})


def choose_by_keyboard(page, name: str) -> None:
    """Types in the city box and takes the one option left with Enter."""
    page.locator("#id_authority-ts-control").fill(name)
    # The box filters a moment after typing (Tom Select throttles the refresh).
    expect(page.locator(".ts-dropdown .option")).to_have_text([re.compile(f"^{name} — ")])
    page.locator("#id_authority-ts-control").press("Enter")


def test_failed_submit_focuses_the_error_summary_and_titles_the_page(live_server, page):
    conference = ConferenceFactory()
    page.goto(register_url(live_server, conference))
    page.locator("#id_first_name").fill("Sanne")
    page.get_by_role("button", name="Register", exact=True).click()

    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    assert page.title() == f"Error: Register · {conference.name}"
    # Its link to the city box moves focus to the searchable box, not the hidden <select>.
    summary.get_by_role("link", name="Your city or region: Choose your city").click()
    expect(page.locator("#id_authority-ts-control")).to_be_focused()


def test_searchable_city_box_is_named_invalid_and_described(live_server, page):
    conference = ConferenceFactory()
    AuthorityFactory(name="Liège", country="BE")
    page.goto(register_url(live_server, conference))
    page.get_by_role("button", name="Register", exact=True).click()
    expect(page.locator("#error-summary")).to_be_focused()

    box = page.get_by_role("combobox", name="Your city or region")
    expect(box).to_have_attribute("aria-invalid", "true")
    expect(box).to_have_attribute("aria-describedby", "id_authority_helptext id_authority_error")
    expect(page.locator("#id_authority_error")).to_contain_text(
        "Choose your city or region, or name it if it is not in the list."
    )
    results = Axe().run(page, context="#div_id_authority", options=AXE_OPTIONS)
    assert [violation["id"] for violation in results.response["violations"]] == []


def test_submit_button_shows_progress_and_sends_once(live_server, page):
    conference = ConferenceFactory()
    AuthorityFactory(name="Liège", country="BE")
    page.goto(register_url(live_server, conference))
    sent = []

    def cancel(route) -> None:
        # The browser gives the sending up, as when a phone loses its network: the page stays,
        # caught while it sends.
        sent.append(route.request.method)
        route.abort("aborted")

    page.route("**/register/", cancel)
    page.locator("#id_first_name").fill("Sanne")
    page.get_by_role("button", name="Register", exact=True).click(no_wait_after=True)

    sending = page.locator("#submit-id-submit")
    expect(sending).to_be_disabled()
    expect(sending).to_have_attribute("aria-busy", "true")
    expect(sending).to_have_value("Sending…")
    page.locator("#id_first_name").press("Enter", no_wait_after=True)
    # A click on the disabled button, dispatched to it: a pointer click at its place failed
    # at times on a loaded machine ("outside of the viewport") while the page was sending.
    page.get_by_role("button", name="Sending…").dispatch_event("click")
    page.wait_for_timeout(500)
    assert sent == ["POST"]


def test_full_authority_says_what_to_do_as_soon_as_it_is_chosen(live_server, page):
    conference = ConferenceFactory(default_allotment=1, contact_email="team@efus.example")
    liege = AuthorityFactory(name="Liège", country="BE")
    RegistrationFactory(conference=conference, authority=liege)
    lille = AuthorityFactory(name="Lille", country="FR")
    page.goto(register_url(live_server, conference))

    choose_by_keyboard(page, "Liège")
    expect(page.locator("#id_authority")).to_have_value(str(liege.pk))
    note = page.locator("#authority-places")
    expect(note).to_have_text(
        "This city or region has no places left. Ask your coordinator to register you, or "
        "write to the organisers at team@efus.example."
    )
    expect(note.get_by_role("link", name="team@efus.example")).to_have_attribute(
        "href", "mailto:team@efus.example"
    )

    choose_by_keyboard(page, "Lille")
    expect(page.locator("#id_authority")).to_have_value(str(lille.pk))
    expect(note).to_have_text("Places left for this city or region: 1")


def test_delegation_form_grows_a_row_at_a_time_up_to_the_places_left(live_server, page):
    conference = ConferenceFactory(default_allotment=2)
    liege = AuthorityFactory(name="Liège", country="BE")
    with translation.override("en"):
        path = reverse("registrations:delegation_register", kwargs={"slug": conference.slug})
    page.goto(live_server.url + path)
    rows = page.locator("[data-member-row]")
    expect(rows).to_have_count(1)
    expect(page.locator("#id_members-TOTAL_FORMS")).to_have_value("1")

    choose_by_keyboard(page, "Liège")
    expect(page.locator("#authority-places")).to_have_text("Places left for this city or region: 2")
    add = page.get_by_role("button", name="Add a delegate")
    add.click()
    expect(rows).to_have_count(2)
    expect(page.locator("#id_members-1-first_name")).to_be_focused()
    expect(add).to_be_disabled()
    expect(page.locator("#id_members-TOTAL_FORMS")).to_have_value("2")
    expect(rows.nth(1).locator(".asteriskField")).to_have_count(0)

    page.locator("#id_coordinator_first_name").fill("Marie")
    page.locator("#id_coordinator_last_name").fill("Dupont")
    page.locator("#id_coordinator_email").fill("marie@liege.be")
    for index, first_name in enumerate(["Jan", "An"]):
        page.locator(f"#id_members-{index}-first_name").fill(first_name)
        page.locator(f"#id_members-{index}-last_name").fill("Peeters")
        page.locator(f"#id_members-{index}-email").fill(f"{first_name.lower()}@liege.be")
        page.locator(f"#id_members-{index}-job_title").fill("Adviser")
    page.locator("#id_privacy_consent").check()
    page.get_by_role("button", name="Register the delegation").click()

    page.get_by_role("heading", name="Your delegation is registered").wait_for()
    expect(page.locator("main li")).to_have_text(["An Peeters", "Jan Peeters"])
    assert liege.registrations.count() == 2
