"""Load on the real stack, beside a bare Django project on the same stack, in one run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_load REDIS_URL=redis://127.0.0.1:6379/10 \
        .venv/bin/python bench/load.py [--registrations 200] [--clients 20] [--pages 300] [--flush]
        [--serial 100] [--access-log]

Starts, on loopback ports: an SMTP sink (aiosmtpd, tests/smtp.py), a Celery worker sending
through it, the project under gunicorn (3 sync workers, config.settings.local with DEBUG off, the
demo conference of seed_demo, registration open) and the bare project of bench/bare under
gunicorn (3 workers: a CSRF form that INSERTs one row, a template page), both on the PostgreSQL
of DATABASE_URL and the Redis of REDIS_URL. Then drives them with httpx's async client,
--clients at a time:

- registration: --registrations delegates, each with its own cookies and email, GET the form
  then POST it (the bare project: GET its form, POST it);
- the programme page and the home page, --pages requests each (the bare project: its page),
  each page rendered once into a fresh cache entry right before its phase: the phase measures
  a page nothing changed on.

Then, with --serial N, the same phases again with one client, N requests of each page and N / 5
registrations: what a request costs when nothing else of the run competes for the cores (the
load generator, the database and the other workers), to set beside the figures at --clients.

Prints for each: requests a second, p50/p95/p99 latency, errors, server CPU per request (user +
system time of the gunicorn master and workers, from /proc/<pid>/stat, before and after), the
load generator's own CPU per request (this process: it shares the cores with the servers), and
the ratios to the bare project; then whether every registration got exactly one email at the
sink.
Each phase stops at --phase-seconds; everything started is stopped at the end, whatever happens.
The database must hold no registrations, or be given --flush, which empties it."""

import argparse
import asyncio
import os
import re
import signal
import ssl
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
parser.add_argument("--registrations", type=int, default=200)
parser.add_argument("--clients", type=int, default=20, help="concurrent clients")
parser.add_argument("--pages", type=int, default=300, help="requests per page")
parser.add_argument("--phase-seconds", type=float, default=60, help="longest a phase may run")
parser.add_argument("--flush", action="store_true", help="empty the database first")
parser.add_argument(
    "--access-log",
    action="store_true",
    help="the project writes gunicorn's access log (masked) to the run's logs, as the image does",
)
parser.add_argument(
    "--serial",
    type=int,
    default=0,
    help="then N requests of each page and N / 5 registrations with one client at a time",
)
arguments = parser.parse_args()

if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
    sys.exit("Set DATABASE_URL to a PostgreSQL database, and REDIS_URL.")
if not os.environ.get("REDIS_URL"):
    sys.exit("Set REDIS_URL: the worker, the cache and the rate limits use it.")

ENV = {
    **os.environ,
    "DJANGO_SETTINGS_MODULE": "config.settings.local",
    "DJANGO_DEBUG": "False",
    "DJANGO_LOG_LEVEL": "WARNING",
    "REDIS_KEY_PREFIX": "bench-load",
    # Every client is 127.0.0.1 here: the per-client limit would refuse the run.
    "DJANGO_RATE_LIMITS": "register=1000000/h,register:email=1000/h",
    "PYTHONPATH": str(ROOT),
}
os.environ.update(ENV)

import django  # noqa: E402

django.setup()

import httpx  # noqa: E402
import redis  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import translation  # noqa: E402

from conference.models import Conference  # noqa: E402
from registrations.models import Authority, AuthorityAllotment, Registration  # noqa: E402
from tests.smtp import SMTPServer, free_port  # noqa: E402

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
# One TLS context for every client (none is used: loopback HTTP). httpx builds one for each client
# otherwise, loading the certificate store: about 60 ms of CPU for each delegate's client, on
# the cores the servers measured run on.
TLS = ssl.create_default_context()
EMAIL_DOMAIN = "bench-load.example.org"
WARM_UP_ROUNDS = 3


def process_tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by a process and its children alive now."""
    pids = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        children = []
    pids += [int(child) for child in children]
    total = 0
    for each in pids:
        try:
            fields = Path(f"/proc/{each}/stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        # Fields 14 and 15 of stat (utime, stime), counted from after the command's name.
        total += int(fields[11]) + int(fields[12])
    return total / CLOCK_TICKS


@dataclass
class Phase:
    name: str
    requests: int = 0
    errors: int = 0
    latencies: list[float] = field(default_factory=list)
    seconds: float = 0.0
    cpu: float = 0.0
    # CPU of this process (the load generator) during the phase.
    client_cpu: float = 0.0
    # Registrations count a GET and a POST as one unit.
    units: int = 0
    # What went wrong, by kind (an HTTP status, an exception's name), for the first lines.
    error_kinds: Counter = field(default_factory=Counter)

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, int(len(ordered) * share))] * 1000

    @property
    def rate(self) -> float:
        return self.units / self.seconds if self.seconds else 0.0

    @property
    def cpu_ms(self) -> float:
        return self.cpu / self.units * 1000 if self.units else float("nan")

    @property
    def client_cpu_ms(self) -> float:
        return self.client_cpu / self.units * 1000 if self.units else float("nan")

    def line(self, bare: "Phase | None" = None) -> str:
        ratio = ""
        if bare is not None and bare.rate and self.cpu_ms:
            ratio = f" | {self.rate / bare.rate:.3f} | {bare.cpu_ms / self.cpu_ms:.3f}"
        elif bare is None:
            ratio = " | | "
        return (
            f"| {self.name} | {self.units} | {self.rate:.1f} | {self.percentile(0.5):.0f} / "
            f"{self.percentile(0.95):.0f} / {self.percentile(0.99):.0f} | {self.errors} | "
            f"{self.cpu_ms:.1f} | {self.client_cpu_ms:.1f}{ratio} |"
        )


class Started:
    """Every process started, stopped at the end (their whole process group)."""

    def __init__(self) -> None:
        self.processes: list[subprocess.Popen] = []

    def start(self, command: list[str], log: Path) -> subprocess.Popen:
        with log.open("w") as out:
            process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=ENV,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.processes.append(process)
        return process

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def gunicorn(
    started: Started, application: str, port: int, log: Path, *options: str, **env
) -> subprocess.Popen:
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        application,
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "3",
        "--chdir",
        str(ROOT),
        *options,
    ]
    if env:
        command += [f"--env={name}={value}" for name, value in env.items()]
    return started.start(command, log)


def wait_until_serving(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"{url} did not start:\n{log.read_text()[-3000:]}")
        try:
            httpx.get(url, timeout=2)
            return
        except httpx.HTTPError:
            time.sleep(0.3)
    sys.exit(f"{url} did not answer within a minute:\n{log.read_text()[-3000:]}")


HIDDEN = re.compile(r'name="(csrfmiddlewaretoken|form_token)" value="([^"]*)"')


async def run_phase(
    phase: Phase, count: int, action, server_pid: int, clients: int | None = None
) -> None:
    semaphore = asyncio.Semaphore(clients or arguments.clients)

    async def one(index: int) -> None:
        async with semaphore:
            try:
                await action(index, phase)
            except (httpx.HTTPError, AssertionError) as error:
                phase.errors += 1
                phase.error_kinds[f"{type(error).__name__} {error}"] += 1

    cpu_before = process_tree_cpu(server_pid)
    client_before = time.process_time()
    started = time.perf_counter()
    tasks = [asyncio.ensure_future(one(index)) for index in range(count)]
    try:
        await asyncio.wait_for(asyncio.gather(*tasks), timeout=arguments.phase_seconds)
    except TimeoutError:
        for task in tasks:
            task.cancel()
        print(f"  {phase.name}: stopped at {arguments.phase_seconds:.0f} s")
    phase.seconds = time.perf_counter() - started
    phase.cpu = process_tree_cpu(server_pid) - cpu_before
    phase.client_cpu = time.process_time() - client_before


async def timed(phase: Phase, request) -> httpx.Response:
    started = time.perf_counter()
    response = await request
    phase.latencies.append(time.perf_counter() - started)
    phase.requests += 1
    return response


def registration_action(base: str, path: str, authority_id: int, first: int = 0):
    async def register(index: int, phase: Phase) -> None:
        index += first
        async with httpx.AsyncClient(base_url=base, timeout=30, verify=TLS) as client:
            form = await timed(phase, client.get(path))
            assert form.status_code == 200, form.status_code
            hidden = dict(HIDDEN.findall(form.text))
            posted = await timed(
                phase,
                client.post(
                    path,
                    data={
                        **hidden,
                        "authority": str(authority_id),
                        # Names take letters only: the index goes into them as letters.
                        "first_name": "Bench",
                        "last_name": "Delegate " + "".join(chr(97 + int(d)) for d in str(index)),
                        "email": f"delegate{index}@{EMAIL_DOMAIN}",
                        "job_title": "Adviser",
                        "category": Registration.Category.DELEGATE,
                        "preferred_language": "en",
                        "interpretation_language": "",
                        "privacy_consent": "on",
                        "website": "",
                    },
                ),
            )
            assert posted.status_code == 302, posted.status_code
            phase.units += 1

    return register


def bare_form_action(base: str, first: int = 0):
    async def sign_up(index: int, phase: Phase) -> None:
        index += first
        async with httpx.AsyncClient(base_url=base, timeout=30, verify=TLS) as client:
            form = await timed(phase, client.get("/form/"))
            assert form.status_code == 200
            hidden = dict(HIDDEN.findall(form.text))
            posted = await timed(
                phase,
                client.post(
                    "/form/",
                    data={**hidden, "name": f"Bare {index}", "email": f"bare{index}@example.org"},
                ),
            )
            assert posted.status_code == 302, posted.status_code
            phase.units += 1

    return sign_up


def page_action(client: httpx.AsyncClient, path: str):
    async def get(index: int, phase: Phase) -> None:
        response = await timed(phase, client.get(path))
        assert response.status_code == 200, response.status_code
        phase.units += 1

    return get


async def page_kept_fresh(client: httpx.AsyncClient, path: str) -> None:
    """Renders the page once, into a fresh cache entry, before its phase: the registrations
    just made retired the pages that show who takes part, and a page is kept
    PAGE_CACHE_SECONDS at most. Otherwise the phase's first requests, one per worker at once,
    would each render it (tens of ms each), and the phase would not measure a page nothing
    changed on."""
    store = redis.Redis.from_url(os.environ["REDIS_URL"])
    for key in store.scan_iter(match=f"{ENV['REDIS_KEY_PREFIX']}:*:page:*"):
        store.delete(key)
    response = await client.get(path)
    assert response.status_code == 200, response.status_code


def database_prepare() -> tuple[Conference, int]:
    call_command("migrate", verbosity=0)
    if arguments.flush:
        call_command("flush", interactive=False, verbosity=0)
    elif Registration.objects.filter(email__endswith=EMAIL_DOMAIN).exists():
        sys.exit("The database holds registrations of a previous run: give --flush.")
    subprocess.run(
        [sys.executable, "-m", "django", "migrate", "--settings=bench.bare.settings", "-v0"],
        cwd=ROOT,
        env=ENV,
        check=True,
    )
    call_command("seed_demo", open_registration=True, verbosity=0)
    conference = Conference.objects.published().get()
    # Room for every bench delegate, so that each is confirmed (one email each either way),
    # and no limit per authority: the bench registers many delegates of one authority.
    Conference.objects.filter(pk=conference.pk).update(
        capacity=Registration.objects.filter(conference=conference).count()
        + arguments.registrations
        + serial_registrations()
        + 100,
        default_allotment=None,
    )
    AuthorityAllotment.objects.filter(conference=conference).delete()
    authority = Authority.objects.filter(is_member=True, needs_review=False).first()
    assert authority is not None
    return conference, authority.pk


async def drive(app: str, bare: str, conference: Conference, authority_id: int, pids) -> list:
    """The phases at --clients, then (--serial) the same with one client: a list of rounds."""
    with translation.override("en"):
        register_path = reverse("registrations:register", kwargs={"slug": conference.slug})
        programme_path = reverse("conference:programme", kwargs={"slug": conference.slug})
        home_path = reverse("conference:detail", kwargs={"slug": conference.slug})
    # Each worker renders each page a first time (templates compiled, caches filled) before
    # the figures, which are of a server that has been running.
    async with httpx.AsyncClient(base_url=app, timeout=30, verify=TLS) as client:
        for path in (register_path, programme_path, home_path) * 3 * WARM_UP_ROUNDS:
            await client.get(path)
    async with httpx.AsyncClient(base_url=bare, timeout=30, verify=TLS) as client:
        for path in ("/form/", "/page/") * 3 * WARM_UP_ROUNDS:
            await client.get(path)
    paths = (register_path, programme_path, home_path)
    rounds = [
        await drive_round(
            app,
            bare,
            paths,
            authority_id,
            pids,
            clients=arguments.clients,
            registrations=arguments.registrations,
            pages=arguments.pages,
            first=0,
        )
    ]
    if arguments.serial:
        rounds.append(
            await drive_round(
                app,
                bare,
                paths,
                authority_id,
                pids,
                clients=1,
                registrations=serial_registrations(),
                pages=arguments.serial,
                first=arguments.registrations,
            )
        )
    return rounds


def serial_registrations() -> int:
    return max(1, arguments.serial // 5) if arguments.serial else 0


async def drive_round(
    app: str,
    bare: str,
    paths: tuple[str, str, str],
    authority_id: int,
    pids,
    *,
    clients: int,
    registrations: int,
    pages: int,
    first: int,
) -> dict:
    """Each phase once, `clients` at a time; delegates numbered from `first`."""
    register_path, programme_path, home_path = paths
    phases = {
        "registration": Phase("registration (GET form + POST)"),
        "bare form": Phase("bare form (GET + POST, one INSERT)"),
        "programme": Phase("programme page"),
        "home": Phase("home page"),
        "bare page": Phase("bare template page"),
    }
    await run_phase(
        phases["registration"],
        registrations,
        registration_action(app, register_path, authority_id, first),
        pids["app"],
        clients,
    )
    await run_phase(
        phases["bare form"], registrations, bare_form_action(bare, first), pids["bare"], clients
    )
    limits = httpx.Limits(max_connections=clients)
    async with (
        httpx.AsyncClient(base_url=app, timeout=30, limits=limits, verify=TLS) as app_client,
        httpx.AsyncClient(base_url=bare, timeout=30, limits=limits, verify=TLS) as bare_client,
    ):
        await page_kept_fresh(app_client, programme_path)
        await run_phase(
            phases["programme"],
            pages,
            page_action(app_client, programme_path),
            pids["app"],
            clients,
        )
        await page_kept_fresh(app_client, home_path)
        await run_phase(
            phases["home"], pages, page_action(app_client, home_path), pids["app"], clients
        )
        await run_phase(
            phases["bare page"],
            pages,
            page_action(bare_client, "/page/"),
            pids["bare"],
            clients,
        )
    return phases


def bench_recipients(smtp: SMTPServer) -> Counter:
    addresses = (str(message["To"]) for message in list(smtp.messages))
    return Counter(address for address in addresses if EMAIL_DOMAIN in address)


def emails_check(smtp: SMTPServer, expected: int) -> str:
    """Every bench registration's email, once: waits for the worker to send them all."""
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        recipients = bench_recipients(smtp)
        if len(recipients) >= expected:
            break
        time.sleep(1)
    time.sleep(3)  # a duplicate would come soon after
    recipients = bench_recipients(smtp)
    registered = Registration.objects.filter(email__endswith=EMAIL_DOMAIN).count()
    more_than_once = sum(1 for times in recipients.values() if times > 1)
    return (
        f"{registered} registrations, {len(recipients)} of them emailed, "
        f"{more_than_once} more than once, {max(registered - len(recipients), 0)} not at all"
    )


def main() -> None:
    conference, authority_id = database_prepare()
    logs = Path(os.environ.get("BENCH_LOG_DIR", "/tmp")) / f"bench-load-{os.getpid()}"
    logs.mkdir(parents=True, exist_ok=True)
    started = Started()
    smtp = SMTPServer().start()
    try:
        ENV["EMAIL_URL"] = f"smtp://127.0.0.1:{smtp.port}"
        started.start(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--pool=solo",
                "--without-gossip",
                "--without-mingle",
                "-l",
                "warning",
            ],
            logs / "worker.log",
        )
        app_port, bare_port = free_port(), free_port()
        app_log, bare_log = logs / "app.log", logs / "bare.log"
        access_log = (
            [
                f"--access-logfile={logs / 'access.log'}",
                "--logger-class=config.gunicorn_logging.AccessLogger",
            ]
            if arguments.access_log
            else []
        )
        app = gunicorn(started, "config.wsgi:application", app_port, app_log, *access_log)
        bare = gunicorn(
            started,
            "bench.bare.wsgi:application",
            bare_port,
            bare_log,
            DJANGO_SETTINGS_MODULE="bench.bare.settings",
        )
        app_url, bare_url = f"http://127.0.0.1:{app_port}", f"http://127.0.0.1:{bare_port}"
        wait_until_serving(app_url + "/", app, app_log)
        wait_until_serving(bare_url + "/page/", bare, bare_log)
        rounds = asyncio.run(
            drive(
                app_url,
                bare_url,
                conference,
                authority_id,
                {"app": app.pid, "bare": bare.pid},
            )
        )
        for phases, clients, registrations, pages in zip(
            rounds,
            (arguments.clients, 1),
            (arguments.registrations, serial_registrations()),
            (arguments.pages, arguments.serial),
            strict=False,
        ):
            print(
                f"\n{registrations} registrations, {pages} requests a page, "
                f"{clients} client{'s' if clients > 1 else ''} at a time; server CPU: "
                "the gunicorn master and 3 workers; client CPU: this process\n"
            )
            print(
                "| what | done | per second | p50 / p95 / p99 ms | errors | server CPU ms each "
                "| client CPU ms each | rate ÷ bare | bare CPU ÷ CPU |"
            )
            print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
            print(phases["registration"].line(phases["bare form"]))
            print(phases["bare form"].line())
            print(phases["programme"].line(phases["bare page"]))
            print(phases["home"].line(phases["bare page"]))
            print(phases["bare page"].line())
            for phase in phases.values():
                for kind, times in phase.error_kinds.most_common(3):
                    print(f"  {phase.name}: {times} × {kind}")
        registered = sum(phases["registration"].units for phases in rounds)
        print(f"\nEmails: {emails_check(smtp, registered)}")
        print(f"Logs in {logs}")
    finally:
        started.stop()
        smtp.stop()
        redis_keys_remove()


def redis_keys_remove() -> None:
    """Leaves the shared Redis as it was: the cache, rate-limit and broker keys of the run go."""
    if os.environ.get("REDIS_URL"):
        client = redis.Redis.from_url(os.environ["REDIS_URL"])
        for key in client.scan_iter(match=f"{ENV['REDIS_KEY_PREFIX']}*"):
            client.delete(key)


main()
