"""The participating cities and regions and their map, in a real browser (Playwright driving
Debian's Chromium) on a phone (320 px) and a desktop (1280 px), in English and in French: the
page and the home page's map fit without a sideways scroll, pass axe-core (WCAG 2.1 A/AA) and
break no Content-Security-Policy rule; the filters work without JavaScript."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from registrations.demo.seed import demo_load
from registrations.network_map.selectors import participating_authorities
from tests.test_browser import CHROMIUM_ARGS, watch_csp_violations
from tests.test_pages_browser import AXE_OPTIONS, OVERFLOWING_ELEMENTS, VIEWPORTS, describe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser(monkeypatch):
    from playwright.sync_api import sync_playwright

    # Playwright runs an event loop in this thread; the ORM calls made around it are ours.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_map_and_the_list_fit_and_pass_axe(live_server, browser, language, viewport):
    conference, _added = demo_load(
        open_registration=True, registrations=80, seed=11, organiser=False
    )
    listed = list(participating_authorities(conference))
    placed = [authority for authority in listed if authority.latitude is not None]
    assert placed, "the demo seed placed no authority"
    size = VIEWPORTS[viewport]
    context = browser.new_context(viewport=size, locale="fr-FR" if language == "fr" else "en-GB")
    context.set_default_timeout(10_000)
    csp_violations = watch_csp_violations(context)
    page = context.new_page()
    axe = Axe()
    problems: list[str] = []

    for address in (
        f"/{language}/{conference.slug}/participants/",
        f"/{language}/{conference.slug}/",
    ):
        response = page.goto(live_server.url + address)
        assert response is not None and response.status == 200, address
        svg = page.locator("svg.network-map-svg")
        assert svg.count() == 1, address
        assert page.locator("svg.network-map-svg .network-map-point").count() == len(placed)
        box = svg.bounding_box()
        assert box is not None and 0 < box["width"] <= size["width"], address
        scroll_width, inner_width = page.evaluate(
            "[document.documentElement.scrollWidth, window.innerWidth]"
        )
        if scroll_width > inner_width:
            wide = ", ".join(page.evaluate(OVERFLOWING_ELEMENTS))
            problems.append(f"{address}: {scroll_width} px wide in {inner_width} px: {wide}")
        results = axe.run(page, options=AXE_OPTIONS)
        problems.extend(f"{address}: {line}" for line in describe(results.response["violations"]))

    context.close()
    assert problems == []
    assert csp_violations == []


def test_the_filters_work_without_javascript(live_server, browser):
    conference, _added = demo_load(
        open_registration=True, registrations=80, seed=11, organiser=False
    )
    belgian = [a for a in participating_authorities(conference) if a.country.code == "BE"]
    assert belgian
    context = browser.new_context(
        viewport=VIEWPORTS["phone"], locale="en-GB", java_script_enabled=False
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/en/{conference.slug}/participants/")

    page.get_by_label("Country").select_option("BE")
    page.get_by_role("button", name="Filter").click()

    assert "country=BE" in page.url
    assert page.locator(".participants-authority").count() == len(belgian)
    assert page.locator("h3", has_text="Belgium").count() == 1
    assert page.locator("h3", has_text="France").count() == 0
    context.close()
