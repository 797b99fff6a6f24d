"""Gunicorn's access log, as the Docker image and the compose file run it: started for real on a
free loopback port, asked for token addresses, and its log read back."""

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
