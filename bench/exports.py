"""Times the attendee exports and the registration changelist on a large conference, and the
same export done with django-import-export as a baseline.

    .venv/bin/python bench/exports.py [--rows 100000] [--flush | --reuse] [--no-baseline]
        [--csv-only]

Uses the database of DATABASE_URL when it is set (it must hold no registrations, or be given
--flush, which empties it), otherwise a throwaway SQLite file. Migrates, registers --rows
delegates through places.imports.registrations_import (as seed_demo does), then goes through the
admin with a superuser, as an organiser would: the CSV export, the XLSX export built in the
request (how lists of up to EXPORT_SYNC_LIMIT rows are sent) and as a background job (how
larger ones are; the job runs in-process, as without REDIS_URL), then the changelist. On
PostgreSQL, the same join sent by `COPY … TO STDOUT CSV` is the limit the CSV export is measured
against. --reuse keeps the registrations a previous run left (the same --rows), so that a
second run measures without registering them again.

Each export runs in a child process forked for it, so that its memory is its own: printed are
its rows per second of wall time and of the child's CPU time (the figure that other work on the
machine disturbs least), on PostgreSQL the CPU of the server process that served it (read from
/proc/<pid>/stat: an export that hands work to the database shows it) and the rows per CPU
second of both, and how far it raised the child's peak resident size (getrusage maxrss) above
the size at the fork. --csv-only stops after the CSV exports and the COPY limit. With
--tracemalloc, each also runs a second time under tracemalloc, for the peak of Python's own
allocations (several times slower)."""

import argparse
import contextlib
import datetime as dt
import json
import os
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
import tracemalloc
import warnings
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
parser.add_argument("--rows", type=int, default=100_000, help="registrations (default 100000)")
parser.add_argument(
    "--flush", action="store_true", help="empty the DATABASE_URL database first (all tables)"
)
parser.add_argument(
    "--reuse", action="store_true", help="keep the registrations of a previous run of --rows"
)
parser.add_argument(
    "--no-baseline", action="store_true", help="skip django-import-export (about 2 minutes)"
)
parser.add_argument(
    "--csv-only",
    action="store_true",
    help="the CSV exports and the COPY limit only (no XLSX, baseline nor changelist)",
)
parser.add_argument(
    "--tracemalloc", action="store_true", help="also measure Python allocations (slow)"
)
parser.add_argument(
    "--verbose", action="store_true", help="print the slowest queries of each changelist"
)
arguments = parser.parse_args()

throwaway = None
if not os.environ.get("DATABASE_URL"):
    throwaway = Path(tempfile.mkdtemp(prefix="bench-exports-")) / "db.sqlite3"
    os.environ["DATABASE_URL"] = f"sqlite:///{throwaway}"
# In-process tasks (the job completes within the request), no query log kept by DEBUG.
os.environ.pop("REDIS_URL", None)
os.environ["DJANGO_DEBUG"] = "False"
os.environ["DJANGO_LOG_LEVEL"] = "ERROR"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
media_root = None
if not os.environ.get("DJANGO_MEDIA_ROOT"):
    media_root = Path(tempfile.mkdtemp(prefix="bench-exports-media-"))
    os.environ["DJANGO_MEDIA_ROOT"] = str(media_root)

import django  # noqa: E402

django.setup()
# Static files are not collected for a bench; whitenoise says so at the first request.
warnings.filterwarnings("ignore", message="No directory at")

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.db.models import CharField, Value  # noqa: E402
from django.db.models.functions import Cast, Concat, LPad, Mod  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_otp import DEVICE_ID_SESSION_KEY  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402
from import_export import fields, resources  # noqa: E402

from conference.models import Conference, Session, Venue  # noqa: E402
from registrations.admin import exports as exports_admin  # noqa: E402
from registrations.admin import registrations as registrations_admin  # noqa: E402
from registrations.models import (  # noqa: E402
    Answer,
    Authority,
    ExportJob,
    Question,
    Registration,
    SessionBooking,
)
from registrations.organiser.exports import writers  # noqa: E402
from registrations.places.imports import ImportedRegistration, registrations_import  # noqa: E402
from registrations.places.registrations import RegistrationData  # noqa: E402

FIRST_NAMES = ["Anna", "Jiří", "Γιώργος", "Олена", "Søren", "Zoë", "Đorđe", "Ágnes", "Łucja"]
LAST_NAMES = ["Nowak", "Dvořák", "Παπαδόπουλος", "Шевченко", "Østergaard", "Ó Súilleabháin"]
COUNTRIES = ["FR", "BE", "PL", "CZ", "GR", "UA", "DK", "IE", "ME", "HU", "SK", "DE", "IT", "ES"]
JOB_TITLES = ["Head of prevention", "Deputy mayor", "=1+2", "Policy officer", "+33 crime unit"]


def maxrss_mb() -> float:
    # Linux reports ru_maxrss in kilobytes.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def verified_login(client: Client, user) -> None:
    """Logs the superuser in with a session that passed the second factor, which the admin
    asks of staff who may export."""
    device = TOTPDevice.objects.create(user=user, name="default", confirmed=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def prepare(rows: int) -> Conference:
    call_command("migrate", verbosity=0)
    if arguments.reuse and Registration.objects.filter(conference__slug="bench").count() == rows:
        get_user_model().objects.filter(username="bench").delete()
        print(f"{rows:,} registrations kept from a previous run")
        return Conference.objects.get(slug="bench")
    if arguments.flush:
        call_command("flush", interactive=False, verbosity=0)
    elif Registration.objects.exists():
        sys.exit("The database holds registrations: give --flush to empty it first.")
    venue = Venue.objects.create(name="Palais Acropolis", city="Nice", country="FR")
    now = timezone.now()
    conference = Conference.objects.create(
        name="Bench conference",
        slug="bench",
        start_date=timezone.localdate() + dt.timedelta(days=60),
        end_date=timezone.localdate() + dt.timedelta(days=62),
        venue=venue,
        registration_opens_at=now - dt.timedelta(days=10),
        registration_closes_at=now + dt.timedelta(days=30),
        capacity=int(rows * 0.9),
        contact_email="bench@example.org",
        reference_prefix="BEN",
        is_published=True,
    )
    authorities = Authority.objects.bulk_create(
        Authority(
            name=f"Ville {index}",
            name_key=f"ville {index}",
            country=COUNTRIES[index % len(COUNTRIES)],
            is_member=index % 10 != 0,
        )
        for index in range(500)
    )
    rng = random.Random(1)

    def entries():
        for index in range(rows):
            needs = rng.random() < 0.1
            yield ImportedRegistration(
                authority=authorities[index % len(authorities)],
                data=RegistrationData(
                    first_name=rng.choice(FIRST_NAMES),
                    last_name=f"{rng.choice(LAST_NAMES)}{index}",
                    email=f"delegate{index}@example.org",
                    job_title=rng.choice(JOB_TITLES),
                    organisation="Département sécurité",
                    category=rng.choice(Registration.Category.values),
                    dietary_needs="Vegetarian" if needs else "",
                ),
                special_needs_consent=needs,
            )

    started = time.perf_counter()
    added = registrations_import(conference=conference, entries=entries(), registered_at=now)
    programme_and_answers(conference, rng)
    print(f"{added:,} registrations written in {time.perf_counter() - started:.1f} s")
    if connection.vendor == "postgresql":
        # As autovacuum leaves the tables soon after: statistics, and the trigram indexes'
        # pending entries (the GIN "fast update" list, read in full by every search) merged.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    return conference


def programme_and_answers(conference: Conference, rng: random.Random) -> None:
    """What the attendee list's later columns read, written straight to the tables: a phone
    number and booked sessions (0 to 3 of 12 workshops) for each, an interpretation language
    for one in five, answers to the built-in questions (days and meals ticked, the arrival's
    moment, place and train or flight; a diet for those with dietary needs)."""
    registrations = Registration.objects.filter(conference=conference)
    registrations.update(phone=Concat(Value("+336"), LPad(Cast("pk", CharField()), 8, Value("0"))))
    registrations.annotate(fifth=Mod("pk", 5)).filter(fifth=0).update(interpretation_language="fr")
    starts = timezone.now().replace(minute=0, second=0, microsecond=0) + dt.timedelta(days=60)
    sessions = Session.objects.bulk_create(
        Session(
            conference=conference,
            kind=Session.Kind.WORKSHOP,
            title=f"Workshop {index + 1}: prévention",
            starts_at=starts + dt.timedelta(hours=3 * index),
            ends_at=starts + dt.timedelta(hours=3 * index + 2),
        )
        for index in range(12)
    )
    questions = Question.objects.filter(conference=conference).prefetch_related("choices")
    question = {question.builtin: question for question in questions}
    choices = {builtin: list(q.choices.all()) for builtin, q in question.items()}
    bookings, answers, chosen = [], [], []

    def answer(pk: int, builtin: str, picks: list | None = None, **values) -> None:
        answers.append(
            Answer(
                registration_id=pk,
                question=question[builtin],
                question_label=question[builtin].label,
                choice_labels=[choice.label for choice in picks or []],
                **values,
            )
        )
        chosen.append(picks or [])

    for pk, diet in registrations.order_by("pk").values_list("pk", "dietary_needs"):
        for session in rng.sample(sessions, rng.randrange(4)):
            bookings.append(
                SessionBooking(
                    registration_id=pk, session=session, status="booked", booked_at=starts
                )
            )
        answer(pk, "days_attended", rng.sample(choices["days_attended"], rng.randrange(1, 4)))
        answer(pk, "meals", rng.sample(choices["meals"], rng.randrange(0, 5)))
        if diet:
            answer(pk, "diet", rng.sample(choices["diet"], 1))
        answer(pk, "arrival_at", value_datetime=starts - dt.timedelta(hours=rng.randrange(48)))
        answer(pk, "arrival_place", [rng.choice(choices["arrival_place"])])
        answer(pk, "arrival_number", value_text=f"AF{rng.randrange(10000):04d}")
    SessionBooking.objects.bulk_create(bookings, batch_size=2000)
    Answer.objects.bulk_create(answers, batch_size=2000)
    through = Answer.choices.through
    through.objects.bulk_create(
        (
            through(answer_id=answer.pk, questionchoice_id=choice.pk)
            for answer, picks in zip(answers, chosen, strict=True)
            for choice in picks
        ),
        batch_size=2000,
    )


def in_child(run: Callable[[], dict]) -> dict:
    """run() in a forked child process, with database connections of its own; its result."""
    connections.close_all()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        status = 1
        try:
            result = run()
            with os.fdopen(write_end, "w") as pipe:
                json.dump(result, pipe)
            status = 0
        finally:
            connections.close_all()
            os._exit(status)
    os.close(write_end)
    with os.fdopen(read_end) as pipe:
        output = pipe.read()
    _pid, status = os.waitpid(pid, 0)
    if status != 0:
        sys.exit(f"the child process failed ({status})")
    return json.loads(output)


def backend_pid() -> int | None:
    """The PostgreSQL server process of this process's connection (None on SQLite)."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def process_cpu(pid: int) -> float:
    """User + system CPU seconds of a process of this machine, from /proc/<pid>/stat."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(label: str, rows: int, run: Callable[[], None]) -> None:
    def timed() -> dict:
        # One connection for the whole export, kept across its requests, so that its server
        # process's CPU can be read before and after: the work an export hands to PostgreSQL
        # is counted (CPU of the process alone would flatter the exports that move work there).
        connection.settings_dict["CONN_MAX_AGE"] = None
        pid = backend_pid()
        if pid:
            # Parallel workers are processes of their own, whose CPU would go uncounted.
            with connection.cursor() as cursor:
                cursor.execute("SET max_parallel_workers_per_gather = 0")
        backend_started = process_cpu(pid) if pid else 0.0
        at_fork = rss_mb()
        started, cpu_started = time.perf_counter(), time.process_time()
        run()
        result = {
            "seconds": time.perf_counter() - started,
            "cpu": time.process_time() - cpu_started,
            "rss": maxrss_mb() - at_fork,
        }
        if pid:
            assert backend_pid() == pid, "the export changed connections"
            result["backend"] = process_cpu(pid) - backend_started
        return result

    def traced() -> dict:
        tracemalloc.start()
        run()
        return {"peak": tracemalloc.get_traced_memory()[1] / 2**20}

    result = in_child(timed)
    line = (
        f"{label:<44} {result['seconds']:7.2f} s {rows / result['seconds']:10,.0f} rows/s "
        f"{result['rss']:+8.1f} MB maxrss, {rows / result['cpu']:8,.0f} rows/CPU s"
    )
    if "backend" in result:
        both = result["cpu"] + result["backend"]
        line += (
            f", PostgreSQL CPU {result['backend']:5.2f} s,"
            f" {rows / both if both else 0:8,.0f} rows/CPU s with it"
        )
    if arguments.tracemalloc:
        line += f" {in_child(traced)['peak']:8.1f} MB tracemalloc peak"
    print(line, flush=True)


def consume(response) -> int:
    assert response.status_code == 200, response.status_code
    return sum(len(chunk) for chunk in response.streaming_content)


def main() -> None:
    print(
        f"database: {connection.vendor} {settings.DATABASES['default']['NAME']}, "
        f"{arguments.rows:,} rows, Python {sys.version.split()[0]}, Django {django.__version__}"
    )
    prepare(arguments.rows)
    rows = Registration.objects.count()
    user = get_user_model().objects.create_superuser("bench", "bench@example.org", "x")
    client = Client(HTTP_HOST="localhost")
    verified_login(client, user)
    print(f"before the exports: {rss_mb():.0f} MB resident")
    print()

    export_csv = reverse("admin:registrations_registration_export_csv")
    export_xlsx = reverse("admin:registrations_registration_export_xlsx")

    def csv_export():
        consume(client.get(export_csv))

    def xlsx_in_request():
        with patched(exports_admin, "EXPORT_SYNC_LIMIT", rows + 1):
            consume(client.get(export_xlsx))

    def xlsx_job():
        with patched(exports_admin, "EXPORT_SYNC_LIMIT", 0):
            response = client.post(export_xlsx)
        assert response.status_code == 303, response.status_code
        job = ExportJob.objects.latest("pk")
        assert job.status == ExportJob.Status.DONE, job.status
        assert job.rows_done == rows

    def csv_export_in_python():
        # The reference the database's lines are held to (writers.attendee_csv_in_python).
        with patched(writers, "attendee_csv_in_sql", lambda *args, **kwargs: None):
            consume(client.get(export_csv))

    measure("admin CSV export (streamed)", rows, csv_export)
    if connection.vendor == "postgresql" and hasattr(writers, "attendee_csv_in_sql"):
        measure("admin CSV export, Python path", rows, csv_export_in_python)
    if connection.vendor == "postgresql":
        measure("PostgreSQL COPY of the same join (limit)", rows, copy_export)
    if arguments.csv_only:
        print(f"file size: CSV {consume(client.get(export_csv)) / 2**20:.1f} MB")
        return
    measure("admin XLSX export, in the request", rows, xlsx_in_request)
    measure("admin XLSX export, as a job (in-process)", rows, xlsx_job)
    job = ExportJob.objects.latest("pk")
    csv_size = consume(client.get(export_csv))
    print(f"file sizes: CSV {csv_size / 2**20:.1f} MB, XLSX {job.file.size / 2**20:.1f} MB")
    print()
    if not arguments.no_baseline:
        baseline(rows)
        print()
    changelists(client, rows)


@contextlib.contextmanager
def patched(target, name, value):
    saved = getattr(target, name)
    setattr(target, name, value)
    try:
        yield
    finally:
        setattr(target, name, saved)


def copy_export() -> None:
    """The attendee list's join, ordered as the export is, sent by PostgreSQL itself as CSV:
    what the database can do, with no Python between it and the file (labels untranslated,
    no formula escaping)."""
    registration, authority = Registration._meta.db_table, Authority._meta.db_table
    conference = Conference._meta.db_table
    query = f"""
        COPY (
            SELECT r.reference, r.status, r.first_name, r.last_name, r.email, r.job_title,
                   r.organisation, a.name, a.country, r.category, r.preferred_language,
                   to_char(r.created_at AT TIME ZONE c.time_zone, 'YYYY-MM-DD HH24:MI')
            FROM {registration} r
            JOIN {authority} a ON a.id = r.authority_id
            JOIN {conference} c ON c.id = r.conference_id
            ORDER BY r.conference_id, r.last_name, r.first_name, r.id
        ) TO STDOUT WITH (FORMAT csv, HEADER, FORCE_QUOTE *)"""
    size = 0
    with connection.cursor() as cursor, cursor.cursor.copy(query) as copy:
        for block in copy:
            size += len(block)
    assert size > 0


def baseline(rows: int) -> None:
    """The attendee list with django-import-export: a ModelResource of the same columns,
    exported to a tablib Dataset, then to CSV and XLSX, as its admin integration does."""
    settings.IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True

    class AttendeeResource(resources.ModelResource):
        status = fields.Field(column_name="Status")
        city_or_region = fields.Field(attribute="authority__name", column_name="City or region")
        country = fields.Field(column_name="Country")
        category = fields.Field(column_name="Category")
        language = fields.Field(column_name="Language")
        registered_at = fields.Field(column_name="Registered at")

        class Meta:
            model = Registration
            fields = [
                "reference",
                "status",
                "first_name",
                "last_name",
                "email",
                "job_title",
                "organisation",
                "city_or_region",
                "country",
                "category",
                "language",
                "registered_at",
            ]
            export_order = fields

        def dehydrate_status(self, registration):
            return registration.get_status_display()

        def dehydrate_country(self, registration):
            return registration.authority.country.name

        def dehydrate_category(self, registration):
            return registration.get_category_display()

        def dehydrate_language(self, registration):
            return registration.get_preferred_language_display()

        def dehydrate_registered_at(self, registration):
            local = timezone.localtime(registration.created_at, registration.conference.tzinfo)
            return local.strftime("%Y-%m-%d %H:%M")

    queryset = Registration.objects.select_related("authority", "conference").order_by(
        "conference", "last_name", "first_name", "pk"
    )
    for export_format in ("csv", "xlsx"):

        def run(export_format=export_format):
            AttendeeResource().export(queryset=queryset).export(export_format)

        measure(f"django-import-export {export_format.upper()} (baseline)", rows, run)


def changelists(client: Client, rows: int) -> None:
    url = reverse("admin:registrations_registration_changelist")
    middle = max(rows // 200, 1)  # 100 a page
    cases = [
        ("unfiltered", {}),
        ("filtered: status confirmed", {"status__exact": "confirmed"}),
        ("filtered: country and member", {"country": "PL", "authority__is_member__exact": "1"}),
        ("search: a last name", {"q": "Nowak1234"}),
        ("search: an email", {"q": "delegate4321@example"}),
        ("search: two words of a city's name", {"q": "Ville 123"}),
        ("search: first and last name", {"q": "Jiří Dvořák77"}),
        ("search: a reference", {"q": "BEN-"}),
        (f"unfiltered, page {middle:,}", {"p": str(middle)}),
    ]
    print("registration changelist (median of 5, after one warm-up request):")
    for label, params in cases:
        client.get(url, params)
        timings = []
        for _run in range(5):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(url, params)
                timings.append(time.perf_counter() - started)
            assert response.status_code == 200, response.status_code
        queries = captured.captured_queries
        counts = [float(q["time"]) for q in queries if "COUNT(" in q["sql"].upper()]
        print(
            f"  {label:<34} {statistics.median(timings) * 1000:7.0f} ms "
            f"{len(queries):3d} queries, SQL {sum(float(q['time']) for q in queries) * 1000:5.0f}"
            f" ms (COUNT {sum(counts) * 1000:4.0f} ms)"
        )
        if arguments.verbose:
            for query in sorted(queries, key=lambda q: -float(q["time"]))[:3]:
                print(f"      {float(query['time']) * 1000:6.0f} ms  {query['sql'][:150]}")
    if connection.vendor == "postgresql":
        with patched(registrations_admin, "ESTIMATE_COUNT_ABOVE", 10**12):
            client.get(url)
            timings = []
            for _run in range(5):
                started = time.perf_counter()
                client.get(url)
                timings.append(time.perf_counter() - started)
        print(f"  {'unfiltered, exact COUNT(*)':<34} {statistics.median(timings) * 1000:7.0f} ms")


if __name__ == "__main__":
    try:
        main()
    finally:
        connection.close()
        for folder in (throwaway and throwaway.parent, media_root):
            if folder is not None:
                shutil.rmtree(folder, ignore_errors=True)
