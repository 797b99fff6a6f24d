"""Every page a delegate, a coordinator or desk staff can see, in a real browser (Playwright
driving Debian's Chromium), on a phone (320 px) and on a desktop (1280 px), in English and in
French: no sideways scroll, no axe-core violation of WCAG 2.1 A/AA, nothing the
Content-Security-Policy refuses; on a phone every button and header link is a 44 x 44 px target
and the home page's primary action is on the first screen.

The pages are listed once, in PAGES: a new page joins the check by one line."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.sessions.backends.db import SessionStore
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone, translation

from registrations.access.links import management_link_issue
from registrations.demo.seed import demo_load
from registrations.models import (
    Delegation,
    DirectoryListing,
    MeetingRequest,
    Registration,
    VisaLetterRequest,
)
from registrations.network.directory import directory_listing_save, meeting_slots
from registrations.network.meetings import meeting_request_create
from registrations.network.tokens import meeting_answer_token
from registrations.views.delegations import DELEGATION_SESSION_KEY
from registrations.views.desk import door_sessions
from registrations.views.registration import SESSION_KEY as REGISTRATION_DONE_SESSION_KEY
from tests.factories import RegistrationFactory, VisaLetterRequestFactory
from tests.test_browser import CHROMIUM_ARGS, watch_csp_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Every rule of these levels runs; only the violations come back with all their nodes (the
# passes' nodes, a megabyte on a long page, only took time to serialise).
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}

# A small phone (iPhone SE, first generation) and a desktop.
VIEWPORTS = {"phone": {"width": 320, "height": 568}, "desktop": {"width": 1280, "height": 800}}


@dataclass(frozen=True)
class Demo:
    """What the pages are about: the demo conference and the people the visitors are."""

    conference: Any
    delegate: Registration
    delegation: Delegation
    member: Registration
    door: Any


@dataclass(frozen=True)
class PageSpec:
    """A page: its URL name, its arguments taken from the demo, its query string, and who looks
    at it: "public", "delegate" (personal link), "coordinator" (a delegation's personal link),
    "registered" (just submitted a form) or "desk" (staff with the check-in permission)."""

    name: str
    kwargs: Callable[[Demo], dict] = field(default=lambda demo: {})
    who: str = "public"
    query: Callable[[Demo], str] = field(default=lambda demo: "")
    status: int = 200


def slug(demo: Demo) -> dict:
    return {"slug": demo.conference.slug}


def issued_visa_letter(demo: Demo) -> dict:
    """The verification reference of a letter issued to the delegation's member (the
    delegate's own visa page keeps its request form)."""
    letter, _created = VisaLetterRequest.objects.get_or_create(
        registration=demo.member,
        status=VisaLetterRequest.Status.APPROVED,
        defaults={
            "passport_name": f"{demo.member.first_name} {demo.member.last_name}".upper(),
            "stay_from": demo.conference.start_date,
            "stay_until": demo.conference.end_date,
            "letter_language": "en",
            "reviewed_at": timezone.now(),
            "letter_sent_at": timezone.now(),
        },
    )
    return {"reference": letter.reference}


def directory_listed(demo: Demo) -> dict:
    """The delegate and a dozen confirmed delegates listed in the directory, with languages
    and themes, and a meeting asked of the delegate (their personal page lists it)."""
    themes = list(demo.conference.themes.order_by("pk")[:3])
    delegates = demo.conference.registrations.filter(status=Registration.Status.CONFIRMED)
    for number, delegate in enumerate(delegates.order_by("pk")[:13]):
        directory_listing_save(
            registration=delegate, languages=["en", "fr", "de"][: number % 3 + 1], themes=themes
        )
    return {}


def other_listed(demo: Demo) -> dict:
    directory_listed(demo)
    listing = DirectoryListing.objects.exclude(registration=demo.delegate).order_by("pk").first()
    return {"pk": listing.pk}


def meeting_answer_link(demo: Demo) -> dict:
    """The signed link of a meeting request's email, to the delegate."""
    directory_listed(demo)
    sender = DirectoryListing.objects.exclude(registration=demo.delegate).order_by("pk").first()
    meeting = MeetingRequest.objects.filter(recipient=demo.delegate).first()
    if meeting is None:
        meeting = meeting_request_create(
            sender=sender.registration,
            recipient=demo.delegate,
            message="Could we compare our night-time economy plans?",
            slot=meeting_slots(demo.conference).first(),
        )
    return {"token": meeting_answer_token(meeting)}


def withdrawn_visa_letter(demo: Demo) -> dict:
    """The verification reference of a letter issued to a delegate who later cancelled."""
    letter = VisaLetterRequest.objects.filter(
        registration__conference=demo.conference,
        registration__status=Registration.Status.CANCELLED,
        status=VisaLetterRequest.Status.APPROVED,
    ).first()
    if letter is None:
        cancelled = RegistrationFactory(
            conference=demo.conference,
            status=Registration.Status.CANCELLED,
            cancelled_at=timezone.now(),
        )
        letter = VisaLetterRequestFactory(
            registration=cancelled,
            status=VisaLetterRequest.Status.APPROVED,
            reviewed_at=timezone.now(),
        )
    return {"reference": letter.reference}


PAGES = [
    PageSpec("conference:list"),
    PageSpec("conference:detail", slug),
    PageSpec("conference:programme", slug),
    PageSpec("conference:session", lambda demo: {**slug(demo), "pk": demo.door.pk}),
    PageSpec("conference:speakers", slug),
    PageSpec("registrations:participants", slug),
    PageSpec("registrations:privacy"),
    PageSpec("registrations:privacy", slug),
    PageSpec("registrations:register", slug),
    PageSpec("registrations:delegation_register", slug),
    PageSpec("registrations:lost_link", slug),
    PageSpec("registrations:manage", status=403),  # no link: the page that says so
    PageSpec("registrations:manage_enter", lambda demo: {"token": "expired"}, status=404),
    PageSpec("conference:detail", lambda demo: {"slug": "no-such-conference"}, status=404),
    PageSpec("registrations:register_done", slug, who="registered"),
    PageSpec("registrations:delegation_done", slug, who="registered"),
    PageSpec("registrations:manage", who="delegate"),
    PageSpec("registrations:manage_details", who="delegate"),
    PageSpec("registrations:manage_sessions", who="delegate"),
    PageSpec("registrations:manage_answers", who="delegate"),
    PageSpec("registrations:manage_cancel", who="delegate"),
    PageSpec("registrations:manage_erase", who="delegate"),
    PageSpec("registrations:manage_visa_letter", who="delegate"),
    PageSpec("registrations:manage_visit_identity", who="delegate"),
    PageSpec("registrations:directory", lambda demo: directory_listed(demo), who="delegate"),
    PageSpec("registrations:directory_listing", who="delegate"),
    PageSpec("registrations:meeting_request", lambda demo: other_listed(demo), who="delegate"),
    PageSpec("registrations:meeting_answer", lambda demo: meeting_answer_link(demo)),
    PageSpec("visa_verify", lambda demo: issued_visa_letter(demo)),
    PageSpec("visa_verify", withdrawn_visa_letter, status=410),
    PageSpec("visa_verify", lambda demo: {"reference": "AAAA-BBBB-CCCC-DDDD"}, status=404),
    PageSpec("registrations:manage_delegation", who="coordinator"),
    PageSpec(
        "registrations:delegation_substitute",
        lambda demo: {"reference": demo.member.reference},
        who="coordinator",
    ),
    PageSpec(
        "registrations:delegation_cancel_member",
        lambda demo: {"reference": demo.member.reference},
        who="coordinator",
    ),
    PageSpec("registrations:desk", slug, who="desk"),
    PageSpec("registrations:desk", slug, who="desk", query=lambda demo: "?q=a"),
    PageSpec(
        "registrations:desk",
        slug,
        who="desk",
        query=lambda demo: f"?registration={demo.delegate.reference}",
    ),
    PageSpec(
        "registrations:desk_session", lambda demo: {**slug(demo), "pk": demo.door.pk}, who="desk"
    ),
]

# The elements wider than the window, for a failure message that says where to look.
OVERFLOWING_ELEMENTS = """
() => {
  const width = window.innerWidth;
  const name = (element) => element.tagName.toLowerCase()
    + (element.id ? "#" + element.id : "")
    + [...element.classList].map((c) => "." + c).join("");
  return [...document.querySelectorAll("body *")]
    .filter((element) => element.getBoundingClientRect().right > width + 0.5)
    .filter((element) => !element.parentElement
      || element.parentElement.getBoundingClientRect().right <= width + 0.5)
    .slice(0, 10)
    .map((element) => `${name(element)} (${Math.round(element.getBoundingClientRect().right)} px)`);
}
"""

# Tap targets smaller than 44 x 44 px: the header's links and language switch, every button.
# Links inside a sentence are exempt, as WCAG's target-size criterion exempts them.
SMALL_TAP_TARGETS = """
() => [...document.querySelectorAll(
    "header a, header button, button, .btn, input[type=submit]"
  )]
  .filter((element) => element.checkVisibility())
  .filter((element) => {
    const box = element.getBoundingClientRect();
    return box.width < 44 || box.height < 44;
  })
  .slice(0, 10)
  .map((element) => {
    const box = element.getBoundingClientRect();
    const text = element.textContent.trim().slice(0, 30);
    const size = `${Math.round(box.width)} x ${Math.round(box.height)} px`;
    return `${element.tagName.toLowerCase()} "${text}" (${size})`;
  })
"""


def load_demo() -> Demo:
    conference, _added = demo_load(
        open_registration=True, registrations=80, seed=11, organiser=False
    )
    delegate = (
        conference.registrations.filter(
            status=Registration.Status.CONFIRMED, delegation__isnull=True
        )
        .order_by("pk")
        .first()
    )
    # The largest delegation: the coordinator's table at its widest.
    delegation = (
        conference.delegations.annotate(size=Count("members")).order_by("-size", "pk").first()
    )
    member = delegation.members.active().order_by("pk").first()
    return Demo(
        conference=conference,
        delegate=delegate,
        delegation=delegation,
        member=member,
        door=door_sessions(conference).order_by("pk").first(),
    )


def session_cookie(data: dict, live_server) -> dict:
    store = SessionStore()
    store.update(data)
    store.create()
    return {"name": "sessionid", "value": store.session_key, "url": live_server.url}


def url(spec: PageSpec, demo: Demo, language: str) -> str:
    with translation.override(language):
        return reverse(spec.name, kwargs=spec.kwargs(demo)) + spec.query(demo)


def describe(violations: list[dict]) -> list[str]:
    return [
        f"axe {violation['id']} ({violation['impact']}): "
        + ", ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
        for violation in violations
    ]


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
def test_every_page_fits_and_passes_axe(live_server, browser, language, viewport):
    demo = load_demo()
    staff = get_user_model().objects.create_user("desk", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="check_in"))
    size = VIEWPORTS[viewport]
    context = browser.new_context(viewport=size, locale="fr-FR" if language == "fr" else "en-GB")
    context.set_default_timeout(10_000)
    csp_violations = watch_csp_violations(context)
    page = context.new_page()
    page_errors: list = []
    page.on("pageerror", lambda error: page_errors.append(f"{page.url}: {error}"))
    axe = Axe()

    # Each visitor is a session cookie of their own, set before their first page.
    cookies = {
        "public": None,
        "registered": lambda: session_cookie(
            {
                REGISTRATION_DONE_SESSION_KEY: {"conference": demo.conference.pk},
                DELEGATION_SESSION_KEY: demo.delegation.pk,
            },
            live_server,
        ),
        "desk": lambda: session_cookie(
            {
                "_auth_user_id": str(staff.pk),
                "_auth_user_backend": "django.contrib.auth.backends.ModelBackend",
                "_auth_user_hash": staff.get_session_auth_hash(),
            },
            live_server,
        ),
    }
    tokens = {
        "delegate": lambda: management_link_issue(registration=demo.delegate),
        "coordinator": lambda: management_link_issue(delegation=demo.delegation),
    }

    problems: list[str] = []
    visitor = None
    for spec in PAGES:
        if spec.who != visitor:
            visitor = spec.who
            context.clear_cookies()
            if visitor in tokens:
                with translation.override(language):
                    enter = reverse(
                        "registrations:manage_enter", kwargs={"token": tokens[visitor]()}
                    )
                page.goto(live_server.url + enter)
            elif cookies[visitor] is not None:
                context.add_cookies([cookies[visitor]()])
        address = url(spec, demo, language)
        response = page.goto(live_server.url + address)
        where = f"{address} ({spec.who})"
        if response is None or response.status != spec.status:
            problems.append(f"{where}: status {response.status if response else None}")
            continue
        scroll_width, inner_width = page.evaluate(
            "[document.documentElement.scrollWidth, window.innerWidth]"
        )
        if scroll_width > inner_width:
            wide = ", ".join(page.evaluate(OVERFLOWING_ELEMENTS))
            problems.append(f"{where}: {scroll_width} px wide in {inner_width} px: {wide}")
        if viewport == "phone" and (small := page.evaluate(SMALL_TAP_TARGETS)):
            problems.append(f"{where}: tap targets under 44 x 44 px: {', '.join(small)}")
        results = axe.run(page, options=AXE_OPTIONS)
        problems.extend(f"{where}: {line}" for line in describe(results.response["violations"]))

    # On a phone, the primary action of the home page is on the first screen: "Register now"
    # while places are left, "Join the waiting list" once the conference is full.
    if viewport == "phone":
        context.clear_cookies()
        for label, capacity in [
            ("Register now", demo.conference.capacity),
            (
                "Join the waiting list",
                demo.conference.registrations.filter(status=Registration.Status.CONFIRMED).count(),
            ),
        ]:
            demo.conference.capacity = capacity
            demo.conference.save(update_fields=["capacity"])
            page.goto(live_server.url + url(PAGES[1], demo, language))
            with translation.override(language):
                label = translation.gettext(label)
            bottom = page.get_by_role("link", name=label, exact=True).evaluate(
                "element => element.getBoundingClientRect().bottom"
            )
            if bottom > size["height"]:
                problems.append(
                    f"home: '{label}' ends at {bottom:.0f} px, "
                    f"below the first screen ({size['height']} px)"
                )

    context.close()
    report = "\n".join(problems + csp_violations + page_errors)
    assert problems + csp_violations + page_errors == [], f"{len(problems)} problems:\n{report}"
