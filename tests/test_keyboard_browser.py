"""A delegate registers with the keyboard alone (Tab, arrow keys, Space, Enter: no mouse), from
the registration form to the thanks page; the reference comes by email."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from registrations.models import Registration
from tests.factories import AuthorityFactory, ConferenceFactory
from tests.test_browser import CHROMIUM_ARGS, watch_csp_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


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


def tab_to(page, element_id: str, *, most: int = 80) -> None:
    """Presses Tab until the element has the focus, as a keyboard user moves through the page."""
    for _ in range(most):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == element_id:
            return
    raise AssertionError(f"Tab never reached #{element_id}")


def type_into(page, element_id: str, text: str) -> None:
    """Tabs to the field and types the text, a key at a time."""
    tab_to(page, element_id)
    page.keyboard.type(text)
    expect(page.locator(f"#{element_id}")).to_have_value(text)


def test_delegate_registers_with_the_keyboard_only(live_server, page):
    conference = ConferenceFactory(capacity=10)
    AuthorityFactory(name="Lille", country="FR")
    liege = AuthorityFactory(name="Liège", country="BE")
    with translation.override("en"):
        path = reverse("registrations:register", kwargs={"slug": conference.slug})
    page.goto(live_server.url + path)

    tab_to(page, "id_authority-ts-control")
    page.keyboard.type("Li")
    # Both cities match, and "Choose from the list…" too, which stays the active option: the
    # arrow keys move up the filtered list, and Enter takes the active option.
    options = page.locator(".ts-dropdown .option")
    expect(options).to_have_text(["Lille — France", "Liège — Belgium", "Choose from the list…"])
    active = page.locator(".ts-dropdown .option.active")
    expect(active).to_have_text("Choose from the list…")
    page.keyboard.press("ArrowUp")
    expect(active).to_have_text("Liège — Belgium")
    page.keyboard.press("Enter")
    expect(page.locator("#id_authority")).to_have_value(str(liege.pk))

    for element_id, text in [
        ("id_first_name", "Sanne"),
        ("id_last_name", "de Vries"),
        ("id_email", "sanne@liege.be"),
        ("id_job_title", "Policy adviser"),
    ]:
        type_into(page, element_id, text)
    tab_to(page, "id_category")
    page.keyboard.press("ArrowDown")
    expect(page.locator("#id_category")).to_have_value("elected")
    tab_to(page, "id_privacy_consent")
    page.keyboard.press("Space")
    expect(page.locator("#id_privacy_consent")).to_be_checked()
    tab_to(page, "submit-id-submit")
    page.keyboard.press("Enter")

    page.get_by_role("heading", name="Thank you").wait_for()
    registration = Registration.objects.get()
    assert registration.email == "sanne@liege.be"
    assert registration.authority == liege
    assert registration.category == Registration.Category.ELECTED_OFFICIAL
    assert [message.to for message in mail.outbox] == [["sanne@liege.be"]]
    assert registration.reference in mail.outbox[0].body
