"""CPU of registering through the public form, in-process, beside a bare CSRF form in one run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_registration \\
        REDIS_URL=redis://127.0.0.1:6379/11 .venv/bin/python bench/registration.py [--count 30]

Loads the demo conference (seed_demo, which changes nothing on a second run), lifts its places
and allotments so that every bench delegate is confirmed, then, through Django's test client
(config.settings.local, DEBUG off, the whole middleware stack, CSRF checked as a browser's
request is), --count times:

- GET the form as a new visitor (a session of its own), then POST it, valid, with an address
  of its own: the registration, its email queued, the redirect to the thank-you page;
- GET the form again as the same visitor;
- GET the form cold: right after a change to the conference's questions (the cached
  rendering retired, as an organiser's edit does).

Prints the median and the lowest CPU time (time.process_time, this process: the database
server's work is not in it) of each, and the queries one runs. The baseline, in the same run
and through the same middleware stack: a view that renders a two-field form with its CSRF token
and, on POST, validates it and INSERTs one row (a temporary table). The per-client rate limits
are lifted for the run (every request comes from one address). Without DATABASE_URL the demo is
the SQLite file of the embedded set-up; without REDIS_URL the cache is this process's memory.
The bench adds registrations whose addresses end in @bench-registration.example; give --flush
to delete them first. --urlencoded POSTs the forms as a browser sends one without a file field
(bench/load.py does), rather than the test client's multipart. --queries prints the SQL of one
GET and one POST and stops; --profile FILE runs the measured GETs and POSTs of the form under
cProfile, timed in CPU, and writes its stats (pstats) to FILE (their figures then include the
profiler's cost)."""

import argparse
import cProfile
import itertools
import os
import re
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
parser.add_argument("--count", type=int, default=30, help="registrations (and requests) each")
parser.add_argument("--flush", action="store_true", help="delete earlier bench registrations")
parser.add_argument(
    "--queries", action="store_true", help="print the SQL of one GET and one POST, then stop"
)
parser.add_argument(
    "--urlencoded",
    action="store_true",
    help="POST the forms urlencoded, as a browser sends a form without a file field (bench/load.py "
    "does), instead of the test client's multipart",
)
parser.add_argument(
    "--profile",
    metavar="FILE",
    help="cProfile the measured GETs and POSTs of the form into FILE (pstats), beside the figures",
)
arguments = parser.parse_args()

os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
os.environ["DJANGO_DEBUG"] = "False"
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "127.0.0.1")
os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
os.environ["DJANGO_RATE_LIMITS"] = "register=1000000/h,register:email=1000/h"
# No collected static files here: whitenoise says so once per process.
warnings.filterwarnings("ignore", message="No directory at")

import django  # noqa: E402

django.setup()

from django import forms  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.http import HttpResponse, HttpResponseRedirect  # noqa: E402
from django.template import engines  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django.urls import path, reverse  # noqa: E402
from django.utils import translation  # noqa: E402

from conference.models import Conference  # noqa: E402
from conference.page_cache import questions_changed  # noqa: E402
from config.urls import urlpatterns as project_urlpatterns  # noqa: E402
from registrations.models import Authority, AuthorityAllotment, Registration  # noqa: E402

HOST = "127.0.0.1"
EMAIL_DOMAIN = "@bench-registration.example"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
FORM_TOKEN = re.compile(r'name="form_token" value="([^"]+)"')


def demo_prepare() -> tuple[Conference, Authority]:
    call_command("migrate", verbosity=0)
    if arguments.flush:
        Registration.objects.filter(email__endswith=EMAIL_DOMAIN).delete()
    call_command("seed_demo", open_registration=True, verbosity=0)
    conference = Conference.objects.published().order_by("pk").first()
    assert conference is not None
    # Room for every bench delegate, so that each is confirmed, and no limit per authority.
    Conference.objects.filter(pk=conference.pk).update(
        capacity=Registration.objects.filter(conference=conference).count()
        + 3 * arguments.count
        + 100,
        default_allotment=None,
    )
    AuthorityAllotment.objects.filter(conference=conference).delete()
    authority = Authority.objects.filter(is_member=True, needs_review=False).first()
    assert authority is not None
    return Conference.objects.get(pk=conference.pk), authority


# --profile: the measured requests of the registration form run under it, timed in CPU (their
# figures then include the profiler's own cost, and compare only with each other).
profiler = cProfile.Profile(time.process_time) if arguments.profile else None


def cpu_ms(request: Callable[[], None], *, profiled: bool = False) -> float:
    started = time.process_time()
    if profiled and profiler is not None:
        profiler.enable()
        request()
        profiler.disable()
    else:
        request()
    return (time.process_time() - started) * 1000


def queries_of(request: Callable[[], None], label: str = "") -> int:
    statements = []

    def counted(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counted):
        request()
    if arguments.queries and label:
        print(f"\n{label}: {len(statements)} queries")
        for number, sql in enumerate(statements, 1):
            print(f"{number:3}. {sql[:300]}")
    return len(statements)


def line(label: str, times: list[float], queries: int) -> str:
    median, lowest = statistics.median(times), min(times)
    return f"| {label} | {median:.2f} | {lowest:.2f} | {len(times)} | {queries} |"


addresses = (f"delegate{os.getpid()}.{n}{EMAIL_DOMAIN}" for n in itertools.count())


def form_post(client: Client, address: str, data: dict):
    if arguments.urlencoded:
        return client.post(
            address, urlencode(data, doseq=True), content_type="application/x-www-form-urlencoded"
        )
    return client.post(address, data)


def registration_figures(conference: Conference, authority: Authority) -> list[str]:
    with translation.override("en"):
        address = reverse("registrations:register", kwargs={"slug": conference.slug})

    def form_data(page: bytes) -> dict:
        html = page.decode()
        return {
            "csrfmiddlewaretoken": CSRF.search(html)[1],
            "form_token": FORM_TOKEN.search(html)[1],
            "authority": authority.pk,
            "first_name": "Sanne",
            "last_name": "de Vries",
            "email": next(addresses),
            "job_title": "Policy adviser",
            "category": "delegate",
            "preferred_language": "en",
            "privacy_consent": "on",
        }

    gets, posts, both, again, cold = [], [], [], [], []
    get_queries = post_queries = cold_queries = 0
    for n in range(arguments.count + 4):
        client = Client(HTTP_HOST=HOST, enforce_csrf_checks=True)
        pages = []

        def get(client=client, pages=pages) -> None:
            response = client.get(address)
            assert response.status_code == 200, response.status_code
            pages.append(response.content)

        def post(client=client, pages=pages) -> None:
            response = form_post(client, address, form_data(pages[-1]))
            assert response.status_code == 302, (response.status_code, response.content[:2000])

        def retire_then_get(get=get) -> None:
            questions_changed(conference.pk)
            get()

        if n < 3:  # warming up: the first of each builds what later ones reuse
            get(), post(), get(), retire_then_get()
            continue
        if n == 3:
            get_queries, post_queries = queries_of(get, "GET"), queries_of(post, "POST")
            if arguments.queries:
                sys.exit(0)
            questions_changed(conference.pk)
            cold_queries = queries_of(get)
            continue
        gets.append(cpu_ms(get, profiled=True))
        posts.append(cpu_ms(post, profiled=True))
        both.append(gets[-1] + posts[-1])
        again.append(cpu_ms(get))
        questions_changed(conference.pk)
        cold.append(cpu_ms(get))
    return [
        line("registration form, GET (a new visitor)", gets, get_queries),
        line("registration form, POST (valid: registered, redirected)", posts, post_queries),
        line("registration, GET + POST", both, get_queries + post_queries),
        line("registration form, GET again (the same visitor)", again, get_queries),
        line("registration form, GET cold (questions just changed)", cold, cold_queries),
    ]


class BareForm(forms.Form):
    name = forms.CharField(max_length=100)
    email = forms.EmailField()


BARE_PAGE = engines["django"].from_string(
    "<!doctype html><title>Register</title><form method=post>{% csrf_token %}"
    "{{ form.as_p }}<button>Register</button></form>"
)


def bare_form(request) -> HttpResponse:
    form = BareForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO bench_bare_row (name, email) VALUES (%s, %s)",
                [form.cleaned_data["name"], form.cleaned_data["email"]],
            )
        return HttpResponseRedirect("/bench-bare-form/")
    return HttpResponse(BARE_PAGE.render({"form": form}, request))


urlpatterns = [path("bench-bare-form/", bare_form), *project_urlpatterns]


def baseline_figures() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE bench_bare_row (name varchar(100), email text)")
    gets, posts = [], []
    with override_settings(ROOT_URLCONF=__name__):
        for n in range(arguments.count + 3):
            client = Client(HTTP_HOST=HOST, enforce_csrf_checks=True)
            pages = []

            def get(client=client, pages=pages) -> None:
                response = client.get("/bench-bare-form/")
                assert response.status_code == 200, response.status_code
                pages.append(response.content.decode())

            def post(client=client, pages=pages) -> None:
                data = {
                    "csrfmiddlewaretoken": CSRF.search(pages[-1])[1],
                    "name": "Sanne de Vries",
                    "email": next(addresses),
                }
                response = form_post(client, "/bench-bare-form/", data)
                assert response.status_code == 302, response.status_code

            if n < 3:
                get(), post()
                continue
            gets.append(cpu_ms(get))
            posts.append(cpu_ms(post))
    return [
        line("bare form, GET", gets, 0),
        line("bare form, POST (one INSERT)", posts, 1),
        line("bare form, GET + POST", [g + p for g, p in zip(gets, posts, strict=True)], 1),
    ]


def main() -> None:
    conference, authority = demo_prepare()
    rows = registration_figures(conference, authority) + baseline_figures()
    print(f"\n{arguments.count} each, CPU of this process ({connection.vendor})\n")
    print("| request | CPU ms, median | lowest | requests | queries |")
    print("| --- | --- | --- | --- | --- |")
    print("\n".join(rows))
    if profiler is not None:
        profiler.dump_stats(arguments.profile)
        print(f"\nProfile of the form's GETs and POSTs: {arguments.profile}")


if __name__ == "__main__":
    main()
