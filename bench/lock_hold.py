"""How long one registration holds the conference lock, the row every registration of a
conference waits for, at a small and a large number of registrations.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_lock .venv/bin/python bench/lock_hold.py \
        [--sizes 1000 100000] [--registrations 200] [--sessions 1]

PostgreSQL only (the lock is a row lock). The database is emptied of registrations first. For
each size, the conference is seeded with that many confirmed registrations written by COPY (a
few seconds for 100,000), each holding a place in --sessions limited sessions (workshops whose
capacity leaves places free, at different times), then --registrations delegates register one
after another through places.registrations.registration_create, as the form does, each choosing
those sessions (--sessions 0: none, as the bench ran before). The locked section is timed from
the statement that takes the conference lock (SELECT … FOR NO KEY UPDATE on
conference_conference) to the end of the commit, which releases it; also printed are the
statements run in between and the CPU time of a registration_create in this process: until its
commit (the web server's work), of which under the lock, and in all (with the emails, sent here
after the commit, a worker's work in production). --statements lists the statements run under
the lock by the last registration."""

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 100_000])
parser.add_argument("--registrations", type=int, default=200, help="timed per size")
parser.add_argument(
    "--sessions",
    type=int,
    default=1,
    help="limited sessions every registration books (the seeded ones hold a place in each)",
)
parser.add_argument(
    "--statements", action="store_true", help="list the statements run under the lock"
)
parser.add_argument(
    "--profile",
    type=int,
    default=0,
    metavar="N",
    help="profile the locked sections (cProfile) and print the N functions that take longest",
)
arguments = parser.parse_args()

if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
    sys.exit("Set DATABASE_URL to a PostgreSQL database (it is emptied of registrations).")
os.environ.pop("REDIS_URL", None)
# Emails are written and sent in-process after each commit, to nowhere.
os.environ["EMAIL_URL"] = "dummymail://"
os.environ["DJANGO_DEBUG"] = "False"
os.environ["DJANGO_LOG_LEVEL"] = "ERROR"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

import django  # noqa: E402

django.setup()

import datetime as dt  # noqa: E402

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from conference.models import Conference, Session, Venue  # noqa: E402
from registrations.models import Authority, Registration, SessionBooking  # noqa: E402
from registrations.places.registrations import (  # noqa: E402
    RegistrationData,
    registration_create,
)

call_command("migrate", verbosity=0)


class LockTimer:
    """Notes when the conference lock is taken, in the connection's statements, and when the
    transaction that took it has committed (its first on_commit callback)."""

    def __init__(self) -> None:
        self.locked_at: float | None = None
        self.locked_cpu = 0.0
        # The CPU time (process_time) when the lock was released, and of each hold.
        self.released_cpu = 0.0
        self.cpu_held: list[float] = []
        self.last_statements: list[str] = []
        self.statements = 0
        self.held: list[float] = []
        self.statement_counts: list[int] = []
        self.statement_times: dict[int, list[tuple[float, str]]] = {}
        self.last_statement_done = 0.0
        # Of each hold: the time in statements (the database's answers) and in the commit.
        self.in_statements: list[float] = []
        self.committing: list[float] = []
        # With --profile: on from the statement that takes the lock to the commit.
        self.profile = cProfile.Profile() if arguments.profile else None

    def __call__(self, execute, sql, params, many, context):
        if self.locked_at is None and "FOR NO KEY UPDATE" in sql and "conference_conference" in sql:
            self.locked_at = time.perf_counter()
            self.locked_cpu = time.process_time()
            self.statements = 0
            self.last_statements = []
            transaction.on_commit(self.released)
            if self.profile is not None:
                self.profile.enable()
        elif self.locked_at is not None:
            self.statements += 1
            self.last_statements.append(sql)
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                self.last_statement_done = time.perf_counter()
                self.statement_times.setdefault(self.statements, []).append(
                    (self.last_statement_done - started, sql[:90])
                )
        return execute(sql, params, many, context)

    def slowest_statement(self) -> str:
        """The statement under the lock that takes longest, by its median."""
        _position, timings = max(
            self.statement_times.items(),
            key=lambda item: statistics.median(seconds for seconds, _sql in item[1]),
        )
        median = statistics.median(seconds for seconds, _sql in timings)
        return f"{median * 1000:.2f} ms: {timings[-1][1]}"

    def released(self) -> None:
        assert self.locked_at is not None
        if self.profile is not None:
            self.profile.disable()
        released = time.perf_counter()
        self.released_cpu = time.process_time()
        self.cpu_held.append(self.released_cpu - self.locked_cpu)
        self.held.append(released - self.locked_at)
        self.in_statements.append(
            sum(timings[-1][0] for timings in self.statement_times.values() if timings)
        )
        self.committing.append(released - self.last_statement_done)
        self.statement_counts.append(self.statements)
        self.locked_at = None


def seed(conference: Conference, authority: Authority, count: int) -> None:
    """`count` confirmed registrations by COPY, and the conference's counters to match, as the
    migration that introduced them would set them."""
    columns = [
        field
        for field in Registration._meta.concrete_fields
        if not field.primary_key and field.column != "id"
    ]
    now = timezone.now()
    values = {
        "conference_id": conference.pk,
        "authority_id": authority.pk,
        "delegation_id": None,
        "status": Registration.Status.CONFIRMED,
        "category": Registration.Category.DELEGATE,
        "preferred_language": "en",
        "created_at": now,
        "updated_at": now,
        "confirmed_at": now,
    }
    buffer = io.StringIO()
    for index in range(count):
        row = []
        for field in columns:
            if field.attname in values:
                value = values[field.attname]
            elif field.attname == "reference":
                value = f"SEED-{index:07d}"
            elif field.attname == "email":
                value = f"seed{index}@example.org"
            elif field.attname in ("first_name", "last_name", "job_title"):
                value = f"Seed {index}"
            elif field.attname == "agenda_token":
                value = f"seed-agenda-{index:07d}"
            elif field.has_default():
                value = field.get_default()
            elif field.null:
                value = None
            else:
                value = ""
            row.append("\\N" if value is None else str(value))
        buffer.write("\t".join(row) + "\n")
    buffer.seek(0)
    with connection.cursor() as cursor:
        with cursor.cursor.copy(
            f"COPY {Registration._meta.db_table} ({', '.join(f.column for f in columns)}) "
            "FROM STDIN"
        ) as copy:
            copy.write(buffer.read())
        cursor.execute("ANALYZE " + Registration._meta.db_table)
    counters = [f.name for f in Conference._meta.concrete_fields if f.name == "confirmed_count"]
    if counters:
        Conference.objects.filter(pk=conference.pk).update(confirmed_count=count)


def seed_bookings(conference: Conference, sessions: list[Session]) -> None:
    """A place in each of `sessions` for every registration seeded, in one statement a session,
    and the sessions' counters to match (when the tree has them)."""
    table = SessionBooking._meta.db_table
    with connection.cursor() as cursor:
        for session in sessions:
            cursor.execute(
                f"INSERT INTO {table} (registration_id, session_id, status, created_at, booked_at) "
                f"SELECT id, %s, 'booked', now(), now() FROM {Registration._meta.db_table} "
                "WHERE conference_id = %s",
                [session.pk, conference.pk],
            )
            if any(f.name == "places_booked" for f in Session._meta.concrete_fields):
                Session.objects.filter(pk=session.pk).update(places_booked=cursor.rowcount)
        cursor.execute("ANALYZE " + table)


def empty() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE registrations_registration, registrations_authority, "
            "conference_conference, conference_venue RESTART IDENTITY CASCADE"
        )


def run(size: int) -> None:
    empty()
    now = timezone.now()
    venue = Venue.objects.create(
        name="Bench venue", street_address="1 rue", postal_code="06000", city="Nice", country="FR"
    )
    conference = Conference.objects.create(
        name="Bench",
        slug="bench",
        start_date=(now + dt.timedelta(days=60)).date(),
        end_date=(now + dt.timedelta(days=62)).date(),
        venue=venue,
        registration_opens_at=now - dt.timedelta(days=1),
        registration_closes_at=now + dt.timedelta(days=30),
        capacity=size + 10 * arguments.registrations,
        contact_email="bench@example.org",
        reference_prefix="BEN",
        is_published=True,
        approval_for_non_members=False,
    )
    authority = Authority.objects.create(name="Nice", country="FR", is_member=True)
    starts = dt.datetime.combine(conference.start_date, dt.time(9), tzinfo=dt.UTC)
    sessions = [
        Session.objects.create(
            conference=conference,
            kind=Session.Kind.WORKSHOP,
            title=f"Workshop {index}",
            starts_at=starts + dt.timedelta(hours=2 * index),
            ends_at=starts + dt.timedelta(hours=2 * index + 1),
            capacity=size + 10 * arguments.registrations,
        )
        for index in range(arguments.sessions)
    ]
    started = time.perf_counter()
    seed(conference, authority, size)
    seed_bookings(conference, sessions)
    seeded = time.perf_counter() - started

    timer = LockTimer()
    cpu: list[float] = []
    cpu_to_commit: list[float] = []
    with connection.execute_wrapper(timer):
        for index in range(arguments.registrations):
            cpu_before = time.process_time()
            registration_create(
                conference=conference,
                authority=authority,
                data=RegistrationData(
                    first_name="Timed",
                    last_name=f"Delegate {index}",
                    email=f"timed{index}@example.org",
                    job_title="Adviser",
                ),
                sessions=sessions,
            )
            cpu.append(time.process_time() - cpu_before)
            cpu_to_commit.append(timer.released_cpu - cpu_before)
    held = sorted(timer.held)
    print(
        f"{size:>7,} registrations, {len(sessions)} limited sessions booked by each "
        f"(seeded in {seeded:.1f} s): lock held "
        f"median {statistics.median(held) * 1000:.2f} ms, "
        f"p95 {held[int(len(held) * 0.95) - 1] * 1000:.2f} ms, "
        f"max {held[-1] * 1000:.2f} ms; "
        f"{statistics.median(timer.statement_counts):.0f} statements under the lock; "
        f"CPU of a registration_create {statistics.median(cpu_to_commit) * 1000:.2f} ms "
        f"to its commit, {statistics.median(timer.cpu_held) * 1000:.2f} ms of it under the lock "
        f"({statistics.median(cpu) * 1000:.2f} ms with the emails sent after)"
    )
    print(
        f"    of which in statements {statistics.median(timer.in_statements) * 1000:.2f} ms, "
        f"committing {statistics.median(timer.committing) * 1000:.2f} ms; slowest statement, "
        f"median {timer.slowest_statement()}"
    )
    if arguments.statements:
        # Each statement of the last registration, with the median time of the statement at its
        # place in every registration's locked section.
        for position, sql in enumerate(timer.last_statements, start=1):
            median = statistics.median(seconds for seconds, _sql in timer.statement_times[position])
            print(f"    {median * 1000:6.2f} ms  {sql[:100]}")
    if timer.profile is not None:
        # The figures are the profiler's (it slows what it measures), for where, not how long.
        stats = pstats.Stats(timer.profile, stream=sys.stdout)
        stats.sort_stats("cumulative").print_stats(arguments.profile)
        stats.sort_stats("tottime").print_stats(arguments.profile)


for size in arguments.sizes:
    run(size)
empty()
