"""Gunicorn's access log, as the Docker image and the compose file run it: started for real on a
free loopback port, asked for token addresses, and its log read back."""

import datetime
import logging
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from config.log_masking import path_for_log

ROOT = Path(__file__).resolve().parent.parent

TOKEN = "Zq3v_8Hn-0aXkP2mL9sT4wYb7cR1dE6fG5hJ0kL2mN4"

APP = """
def application(environ, start_response):
    start_response("404 Not Found", [("Content-Type", "text/plain")])
    return [b"not here"]
"""


@pytest.mark.parametrize(
    ("path", "logged"),
    [
        (f"/en/manage/enter/{TOKEN}/", "/en/manage/enter/<token>/"),
        (f"/fr/manage/enter/{TOKEN}/?utm=x", "/fr/manage/enter/<token>/"),
        (f"/agenda/{TOKEN}.ics", "/agenda/<token>.ics"),
        ("/fr/desk/nice-2021/?q=Nowak", "/fr/desk/nice-2021/"),
        (
            f"https://register.example.org/agenda/{TOKEN}.ics#x",
            "https://register.example.org/agenda/<token>.ics",
        ),
        ("/en/manage/", "/en/manage/"),
    ],
)
def test_path_for_log(path, logged):
    assert path_for_log(path) == logged


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def docker_logger_class() -> str:
    dockerfile = (ROOT / "Dockerfile").read_text()
    [logger_class] = re.findall(r'"--logger-class", "([\w.]+)"', dockerfile)
    return logger_class


def test_docker_image_and_compose_run_gunicorn_with_the_masking_logger():
    assert docker_logger_class() == "config.gunicorn_logging.AccessLogger"
    compose = (ROOT / "docker-compose.yml").read_text()
    assert "--logger-class config.gunicorn_logging.AccessLogger" in compose


def test_gunicorn_access_log_masks_tokens_and_drops_query_strings(tmp_path):
    (tmp_path / "tinyapp.py").write_text(APP)
    port = free_port()
    log = tmp_path / "access.log"
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "tinyapp:application",
            "--chdir",
            str(tmp_path),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--access-logfile",
            str(log),
            "--logger-class",
            docker_logger_class(),
            # The image's format is gunicorn's default; this one also prints every atom
            # that could hold the address.
            "--access-logformat",
            '%(h)s "%(r)s" %(s)s "%(f)s" %(U)s|%(q)s|%({raw_uri}e)s|%({query_string}e)s',
        ],
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        paths = [
            f"/en/manage/enter/{TOKEN}/?next=x",
            f"/agenda/{TOKEN}.ics",
            "/fr/desk/nice-2021/?q=Nowak",
        ]
        deadline = time.monotonic() + 20
        for path in paths:
            while True:
                request = urllib.request.Request(
                    f"http://127.0.0.1:{port}{path}",
                    headers={"Referer": f"http://127.0.0.1:{port}/agenda/{TOKEN}.ics?q=Nowak"},
                )
                try:
                    urllib.request.urlopen(request, timeout=2)
                except urllib.error.HTTPError as error:
                    assert error.code == 404
                    break
                except OSError:
                    assert time.monotonic() < deadline, "gunicorn did not start"
                    time.sleep(0.1)
        while log.read_text().count("\n") < len(paths) and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        server.terminate()
        server.wait(timeout=10)
    lines = log.read_text().splitlines()
    assert len(lines) == 3
    assert TOKEN not in log.read_text()
    assert "Nowak" not in log.read_text()
    referer = f"http://127.0.0.1:{port}/agenda/<token>.ics"
    assert lines[0] == (
        f'127.0.0.1 "GET /en/manage/enter/<token>/ HTTP/1.1" 404 "{referer}" '
        "/en/manage/enter/<token>/||/en/manage/enter/<token>/|"
    )
    assert lines[1].startswith('127.0.0.1 "GET /agenda/<token>.ics HTTP/1.1" 404')
    assert lines[2].startswith('127.0.0.1 "GET /fr/desk/nice-2021/ HTTP/1.1" 404')


class _Response:
    def __init__(self, status, sent, headers):
        self.status, self.sent, self.headers = status, sent, headers


class _Request:
    def __init__(self, headers):
        self.headers = headers


def _exchange(path, query, *, referer=None, agent='curl/8 "quoted"', authorization=None):
    headers = [("HOST", "register.example.org"), ("X-FORWARDED-FOR", "203.0.113.9")]
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"{path}?{query}" if query else path,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "172.30.42.2",
        "HTTP_HOST": "register.example.org",
        "HTTP_USER_AGENT": agent,
        "wsgi.url_scheme": "http",
    }
    if referer is not None:
        headers.append(("REFERER", referer))
        environ["HTTP_REFERER"] = referer
    if authorization is not None:
        headers.append(("AUTHORIZATION", authorization))
        environ["HTTP_AUTHORIZATION"] = authorization
    return _Request(headers), environ


EXCHANGES = [
    (
        _exchange(f"/en/manage/enter/{TOKEN}/", "next=x", referer=f"/agenda/{TOKEN}.ics?q=Nowak"),
        _Response("302 Found", 0, [("Location", "/en/manage/")]),
    ),
    (
        _exchange("/fr/desk/nice-2021/", "q=Nowak", authorization="Basic dXNlcjpzZWNyZXQ="),
        _Response("200 OK", 86000, [("Content-Type", "text/html")]),
    ),
    (_exchange(f"/agenda/{TOKEN}.ics", "", agent="-"), _Response(404, None, [])),
]

# Every atom gunicorn documents, request and response headers and environ variables included,
# in the case a format may write them.
EVERY_ATOM = (  # noqa: SIM905  (a list, read more easily as a line)
    "h l u t r m U q H s B b f a T D M L p {host}i {Referer}i {x-forwarded-for}i "
    "{location}o {Content-Type}o {raw_uri}e {PATH_INFO}e {query_string}e {http_referer}e "
    "{remote_addr}e {missing}i {missing}e {missing}o missing"
).split()


@pytest.fixture
def access_logger(monkeypatch):
    from gunicorn.config import Config

    from config.gunicorn_logging import AccessLogger

    config = Config()
    config.set("accesslog", "-")
    logger = AccessLogger(config)
    monkeypatch.setattr(logger, "now", lambda: "[01/Dec/2026:10:00:00 +0000]")
    return logger


@pytest.mark.parametrize(("exchange", "response"), EXCHANGES)
def test_access_atoms_worked_out_as_asked_are_gunicorns_own_masked(
    access_logger, exchange, response
):
    """The atoms of a line, worked out one by one as the format asks for them, are the values
    gunicorn's SafeAtoms gives of every atom AccessLogger.atoms() builds (tokens masked, query
    strings dropped, double quotes escaped)."""
    from gunicorn.glogging import SafeAtoms

    from config.gunicorn_logging import _Atoms

    request, environ = exchange
    duration = datetime.timedelta(milliseconds=12)
    every = SafeAtoms(access_logger.atoms(response, request, environ, duration))
    for atom in EVERY_ATOM:
        asked = _Atoms(access_logger, response, request, environ, duration)
        assert asked[atom] == every[atom], atom
    line = access_logger.cfg.access_log_format % _Atoms(
        access_logger, response, request, environ, duration
    )
    assert TOKEN not in line
    assert "Nowak" not in line


@pytest.mark.parametrize(
    "log_format",
    [None, " ".join(f"%({atom})s" for atom in EVERY_ATOM)],
    ids=["gunicorn's default", "every atom"],
)
def test_access_line_is_the_one_gunicorns_access_writes(
    access_logger, log_format, caplog, monkeypatch
):
    """AccessLogger.access() writes, for gunicorn's default format and one of every atom, the
    line gunicorn's own Logger.access() writes from the masked atoms."""
    from gunicorn.glogging import Logger

    if log_format is not None:
        access_logger.cfg.set("access_log_format", log_format)
    monkeypatch.setattr(access_logger.access_log, "propagate", True)
    duration = datetime.timedelta(milliseconds=12)
    with caplog.at_level(logging.INFO, logger="gunicorn.access"):
        for (request, environ), response in EXCHANGES:
            access_logger.access(response, request, environ, duration)
            Logger.access(access_logger, response, request, environ, duration)
    lines = [record.getMessage() for record in caplog.records]
    assert len(lines) == 2 * len(EXCHANGES)
    assert lines[0::2] == lines[1::2]
    assert all(TOKEN not in line and "Nowak" not in line for line in lines)
