"""CPU of the programme and home pages, cold and cached, on the demo and on ten times its sessions,
beside a bare template render, in one run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_pages \\
        REDIS_URL=redis://127.0.0.1:6379/11 .venv/bin/python bench/pages.py [--cold 15] [--hits 300]

Loads the demo conference (seed_demo, which changes nothing on a second run) and, beside it, a
conference holding its sessions ten times over ("bench-pages-10x": copy k of each session, with
its speakers and themes but none of its bookings, k × the demo's length later, so that every day
has the demo's shape), then asks for each page in-process through Django's test client
(config.settings.local, DEBUG off, the whole middleware stack), as an anonymous visitor:

- cold: right after a change of the conference's programme (its version raised, as a session's
  save does), so that nothing cached is used: --cold requests;
- hit: the same page again, nothing changed: --hits requests;
- at once: --at-once requests from as many threads let go together right after the version was
  raised, --bursts times: how many renders each burst ran (one since the render lock of
  conference.cached_pages; each request rendered it before) and the process's CPU a burst.

Prints the median and the lowest CPU time (time.process_time, this process: the database
server's work is not in it) of a request, and the queries one runs; the baseline is the bare
project's template page (bench/bare) rendered by a template engine of its own, and a view
that returns a fixed body through the same middleware stack. Without REDIS_URL the cache is
this process's memory. The bench writes only its own conference, "bench-pages-10x"."""

import argparse
import datetime as dt
import os
import statistics
import sys
import threading
import time
import warnings
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
parser.add_argument("--cold", type=int, default=15, help="cold requests per page")
parser.add_argument("--hits", type=int, default=300, help="cached requests per page")
parser.add_argument(
    "--at-once", type=int, default=3, help="requests at once for a retired page (0: none)"
)
parser.add_argument("--bursts", type=int, default=10, help="bursts of --at-once requests")
arguments = parser.parse_args()

os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
os.environ["DJANGO_DEBUG"] = "False"
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "127.0.0.1")
os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
# No collected static files here: whitenoise says so once per process.
warnings.filterwarnings("ignore", message="No directory at")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, connections, transaction  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.template import Context, Engine  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django.urls import path, reverse  # noqa: E402
from django.utils import translation  # noqa: E402

from conference import cached_pages  # noqa: E402
from conference.models import Conference, Session, Speaker, Theme  # noqa: E402
from conference.page_cache import network_changed, programme_changed  # noqa: E402
from config.urls import urlpatterns as project_urlpatterns  # noqa: E402

COPIES = 10
BIG_SLUG = "bench-pages-10x"
HOST = "127.0.0.1"


def demo_conference() -> Conference:
    call_command("migrate", verbosity=0)
    call_command("seed_demo", open_registration=True, verbosity=0)
    return Conference.objects.published().exclude(slug=BIG_SLUG).order_by("pk").first()


@transaction.atomic
def big_conference(demo: Conference) -> Conference:
    """The demo's sessions COPIES times over, in a conference of their own (made once)."""
    existing = Conference.objects.filter(slug=BIG_SLUG).first()
    if existing is not None:
        # Copies made before the counter was reset below carry their original's places booked
        # without its bookings: the programme's badges read the counter.
        Session.objects.filter(conference=existing, places_booked__gt=0).update(places_booked=0)
        Conference.objects.filter(pk=existing.pk).update(confirmed_count=0, waitlisted_count=0)
        return existing
    days = (demo.end_date - demo.start_date).days + 1
    big = Conference.objects.get(pk=demo.pk)
    big.pk = None
    big._state.adding = True
    big.slug = BIG_SLUG
    big.end_date = demo.start_date + dt.timedelta(days=days * COPIES - 1)
    # None of the demo's registrations is copied: nor are its counters.
    big.confirmed_count = big.waitlisted_count = 0
    big.save()
    speakers = {}
    for speaker in Speaker.objects.filter(conference=demo):
        original = speaker.pk
        speaker.pk = None
        speaker._state.adding = True
        speaker.conference = big
        speaker.save()
        speakers[original] = speaker
    themes = {}
    for theme in Theme.objects.filter(conference=demo):
        original = theme.pk
        theme.pk = None
        theme._state.adding = True
        theme.conference = big
        theme.save()
        themes[original] = theme
    demo_sessions = list(
        Session.objects.filter(conference=demo).prefetch_related("speakers", "themes")
    )
    for copy in range(COPIES):
        shift = dt.timedelta(days=days * copy)
        for session in demo_sessions:
            clone = Session.objects.get(pk=session.pk)
            clone.pk = None
            clone._state.adding = True
            clone.conference = big
            clone.starts_at += shift
            clone.ends_at += shift
            clone.places_booked = 0  # the copies have no bookings
            clone.save()
            clone.speakers.set([speakers[speaker.pk] for speaker in session.speakers.all()])
            clone.themes.set([themes[theme.pk] for theme in session.themes.all()])
    return big


def cpu_ms(request: Callable[[], None], count: int, before: Callable[[], None]) -> list[float]:
    times = []
    for _ in range(count):
        before()
        started = time.process_time()
        request()
        times.append((time.process_time() - started) * 1000)
    return times


def queries_of(request: Callable[[], None]) -> int:
    """The SQL statements a request runs (the test client's request_started signal empties
    connection.queries, so they are counted as they run)."""
    statements = []

    def counted(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counted):
        request()
    return len(statements)


def line(label: str, times: list[float], queries: int, size: int) -> str:
    return (
        f"| {label} | {statistics.median(times):.2f} | {min(times):.2f} | {len(times)} "
        f"| {queries} | {size / 1000:.0f} kB |"
    )


def page_figures(label: str, address: str, retire: Callable[[], None]) -> list[str]:
    client = Client(HTTP_HOST=HOST)

    def get() -> None:
        response = client.get(address)
        assert response.status_code == 200, (address, response.status_code)

    for _ in range(3):
        retire()
        get()
    retire()
    cold_queries = queries_of(get)
    hit_queries = queries_of(get)
    size = len(client.get(address).content)
    cold = cpu_ms(get, arguments.cold, retire)
    get()
    hits = cpu_ms(get, arguments.hits, lambda: None)
    return [
        line(f"{label}, cold", cold, cold_queries, size),
        line(f"{label}, hit", hits, hit_queries, size),
    ]


def at_once_figures(label: str, address: str, retire: Callable[[], None]) -> str:
    """--at-once requests for the page right after its version was raised, --bursts times: the
    renders of each burst (counted around cached_pages._rendered) and the CPU of the burst."""
    renders = [0]
    rendered = cached_pages._rendered

    def counted(*args, **kwargs):
        renders[0] += 1
        return rendered(*args, **kwargs)

    def get() -> None:
        response = Client(HTTP_HOST=HOST).get(address)
        assert response.status_code == 200, (address, response.status_code)
        connections.close_all()  # this thread's

    cached_pages._rendered = counted
    try:
        counts, times = [], []
        for _ in range(arguments.bursts):
            retire()
            renders[0] = 0
            start = threading.Barrier(arguments.at_once)

            def one(start: threading.Barrier = start) -> None:
                start.wait()
                get()

            threads = [threading.Thread(target=one) for _ in range(arguments.at_once)]
            started = time.process_time()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            times.append((time.process_time() - started) * 1000)
            counts.append(renders[0])
    finally:
        cached_pages._rendered = rendered
    return (
        f"| {label}, {arguments.at_once} at once after a change | {statistics.median(times):.2f} "
        f"| {min(times):.2f} | {arguments.bursts} bursts | renders a burst: "
        f"{min(counts)}–{max(counts)} | |"
    )


def fixed_body(request) -> HttpResponse:
    return HttpResponse(b"<!doctype html><title>A page</title>" + b"x" * 20000)


urlpatterns = [path("bench-fixed-body/", fixed_body), *project_urlpatterns]


def baseline_figures() -> list[str]:
    engine = Engine(dirs=[str(ROOT / "bench" / "bare" / "templates")])
    template = engine.get_template("bare/page.html")

    def render() -> None:
        template.render(Context({"items": range(20)}))

    render()
    size = len(template.render(Context({"items": range(20)})))
    rows = [line("bare template render", cpu_ms(render, arguments.hits, lambda: None), 0, size)]
    with override_settings(ROOT_URLCONF=__name__):
        client = Client(HTTP_HOST=HOST)

        def get() -> None:
            client.get("/bench-fixed-body/")

        get()
        rows.append(
            line(
                "fixed body through the middleware stack",
                cpu_ms(get, arguments.hits, lambda: None),
                0,
                len(client.get("/bench-fixed-body/").content),
            )
        )
    return rows


def main() -> None:
    demo = demo_conference()
    big = big_conference(demo)
    rows = []
    for conference in (demo, big):
        sessions = conference.sessions.count()
        with translation.override("en"):
            programme = reverse("conference:programme", kwargs={"slug": conference.slug})
            home = reverse("conference:detail", kwargs={"slug": conference.slug})

        def retire(pk: int = conference.pk) -> None:
            programme_changed(pk)
            network_changed(pk)

        rows += page_figures(f"programme, {sessions} sessions", programme, retire)
        if arguments.at_once:
            rows.append(at_once_figures(f"programme, {sessions} sessions", programme, retire))
        rows += page_figures(f"home, {sessions} sessions", home, retire)
        if arguments.at_once:
            rows.append(at_once_figures(f"home, {sessions} sessions", home, retire))
    rows += baseline_figures()
    print(f"CPU ms a request, in-process, cache {settings.CACHES['default']['BACKEND']}")
    print("| page | median | lowest | requests | queries | body |")
    print("| --- | --- | --- | --- | --- | --- |")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
