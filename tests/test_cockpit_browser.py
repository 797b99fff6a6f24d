"""The registration list at 1280 px in a real browser (Playwright driving Debian's Chromium):
Category, Status and Registered at in view without scrolling sideways, and the authority filter's
autocomplete choosing an authority, under the Content-Security-Policy."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import translation

from tests.factories import AuthorityFactory, ConferenceFactory, RegistrationFactory
from tests.staff import verified_login
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
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
        context.set_default_timeout(10_000)
        context.violations = watch_csp_violations(context)
        yield context
        context.close()
        browser.close()


def test_registration_list_fits_1280_px_and_filters_by_authority(
    live_server, browser_context, client
):
    conference = ConferenceFactory()
    nice = AuthorityFactory(name="Métropole Nice Côte d’Azur", country="FR")
    liege = AuthorityFactory(name="Ville de Liège", country="BE")
    for index in range(4):
        RegistrationFactory(
            conference=conference,
            authority=nice,
            first_name="Aleksandra",
            last_name=f"Wiśniewska-Kowalczyk {index}",
            job_title="Deputy mayor for security and prevention",
        )
    RegistrationFactory(conference=conference, authority=liege, last_name="Peeters")
    # An organiser, whose list has the action check-boxes too. Permissions given directly:
    # flushing the database between transactional tests removes the groups.
    organiser = get_user_model().objects.create_user("organiser", is_staff=True)
    organiser.user_permissions.add(
        *Permission.objects.filter(
            codename__in=[
                "view_registration",
                "change_registration",
                "view_authority",
                "view_conference",
            ]
        )
    )
    verified_login(client, organiser)
    browser_context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = browser_context.new_page()
    errors: list = []
    page.on("pageerror", lambda error: errors.append(error))
    with translation.override("en"):
        changelist = live_server.url + reverse("admin:registrations_registration_changelist")

    page.goto(changelist)

    assert page.locator("#result_list tbody tr").count() == 5
    assert page.locator("#result_list thead .action-checkbox-column").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    for column in ("category_column", "status", "registered_at_column"):
        box = page.locator(f"#result_list thead th.column-{column}").bounding_box()
        assert box is not None
        assert box["x"] + box["width"] <= 1280, column
    # The table scrolls inside its box only if it must: it must not.
    assert page.evaluate(
        "(() => { const t = document.querySelector('#result_list');"
        " return t.scrollWidth <= t.parentElement.clientWidth; })()"
    )

    # The authority filter: a labelled select that searches as one types.
    assert page.locator("label[for='id_authority']").inner_text() == "City or region"
    page.locator("form.authority-filter .select2-selection").click()
    page.locator(".select2-search__field").fill("lieg")
    page.locator(".select2-results__option", has_text="Ville de Liège").click()
    page.locator("form.authority-filter button[type='submit']").click()
    page.wait_for_url(f"**authority={liege.pk}**")
    assert page.locator("#result_list tbody tr").count() == 1
    assert "Peeters" in page.locator("#result_list tbody").inner_text()

    assert errors == []
    assert browser_context.violations == []
