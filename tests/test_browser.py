"""A delegate registers in French in a real browser (Playwright driving Debian's Chromium)."""

import pytest
from django.core import mail
from playwright.sync_api import expect

from registrations.models import Registration
from tests.factories import AuthorityFactory, ConferenceFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]

# Every page tells what the Content-Security-Policy refused (Chromium also logs it on the
# console); the browser fixtures collect both and fail the test on any.
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  const where = `${event.violatedDirective} ${event.blockedURI}`;
  console.error(`Content Security Policy violation: ${where}`);
});
"""


def watch_csp_violations(context) -> list[str]:
    """The Content-Security-Policy violations of the context's pages, as they happen."""
    violations: list[str] = []
    context.add_init_script(REPORT_CSP_VIOLATIONS)

    def on_console(message) -> None:
        if "Content Security Policy" in message.text:
            violations.append(f"{message.page.url if message.page else ''}: {message.text}")

    context.on("console", on_console)
    return violations


@pytest.fixture
def page(monkeypatch):
    from playwright.sync_api import sync_playwright

    # Playwright runs an event loop in this thread; the ORM calls made around it are ours.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        context = browser.new_context(viewport={"width": 390, "height": 844}, locale="fr-FR")
        context.set_default_timeout(10_000)
        violations = watch_csp_violations(context)
        yield context.new_page()
        context.close()
        browser.close()
    assert violations == []


def test_delegate_registers_in_french_and_sees_reference(live_server, page):
    conference = ConferenceFactory(name="Sécurité, démocratie et villes", capacity=50)
    AuthorityFactory(name="Nice", country="FR")
    liege = AuthorityFactory(name="Liège", country="BE")

    page.goto(f"{live_server.url}/fr/")
    assert page.locator("h1").inner_text() == conference.name
    page.get_by_role("link", name="S'inscrire maintenant").click()

    page.locator("#id_authority-ts-control").fill("lieg")
    # The box filters its list a moment after typing (Tom Select throttles the refresh); a click
    # that the refresh interrupts selects nothing. Pick the city from the filtered list, as the
    # delegate does, and go on once the form's own <select> holds it.
    expect(page.locator(".ts-dropdown .option")).to_have_count(1)
    page.locator(".ts-dropdown .option", has_text="Liège").click()
    expect(page.locator("#id_authority")).to_have_value(str(liege.pk))
    page.get_by_label("Prénom").fill("Émilie")
    page.locator("#id_last_name").fill("Dubois-Lefèvre")
    page.locator("#id_email").fill("emilie.dubois@liege.be")
    page.get_by_label("Fonction").fill("Échevine de la sécurité")
    page.get_by_label("politique de confidentialité").check()
    page.get_by_role("button", name="S'inscrire", exact=True).click()

    # The thanks page names no reference (it reads the same for an address already
    # registered): the reference comes in the confirmation email.
    page.get_by_role("heading", name="Merci").wait_for()
    page.screenshot(path="/tmp/registration-done.png", full_page=True)
    registration = Registration.objects.get()
    assert registration.reference in mail.outbox[0].body
    assert registration.preferred_language == "fr"
    assert registration.authority.name == "Liège"
    assert page.locator("h1").inner_text() == "Merci"
    assert registration.status == Registration.Status.CONFIRMED
