"""Django's log records hold no token and no query string (gunicorn's access log is tested in
test_gunicorn_logging.py)."""

import io
import logging

import pytest

from config.log_masking import SecretsFilter, text_for_log

TOKEN = "kT3vX9pQ2mW8rY5zB1nC7dF4gH6jL0sA"


@pytest.mark.parametrize(
    ("message", "logged"),
    [
        (f"Not Found: /agenda/{TOKEN}.ics", "Not Found: /agenda/<token>.ics"),
        (f"Gone: /agenda/{TOKEN}.ics", "Gone: /agenda/<token>.ics"),
        (
            f'"GET /fr/manage/enter/{TOKEN}/ HTTP/1.1" 302 0',
            '"GET /fr/manage/enter/<token>/ HTTP/1.1" 302 0',
        ),
        (
            '"GET /en/desk/nice-2021/?q=Nowak HTTP/1.1" 200 512',
            '"GET /en/desk/nice-2021/ HTTP/1.1" 200 512',
        ),
        (
            "Bad Request: /admin/registrations/registration/?q=Nowak&status=x",
            "Bad Request: /admin/registrations/registration/",
        ),
        ("registration 42 created as confirmed", "registration 42 created as confirmed"),
        # Typed or pasted without the trailing slash (redirected) or the feed's suffix.
        (
            f'"GET /en/manage/enter/{TOKEN} HTTP/1.1" 301 0',
            '"GET /en/manage/enter/<token> HTTP/1.1" 301 0',
        ),
        (f"Not Found: /en/manage/enter/{TOKEN}", "Not Found: /en/manage/enter/<token>"),
        (f"Not Found: /agenda/{TOKEN}", "Not Found: /agenda/<token>"),
        (f'"GET /agenda/{TOKEN}?x=1 HTTP/1.1" 404', '"GET /agenda/<token> HTTP/1.1" 404'),
    ],
)
def test_text_for_log_masks_tokens_and_drops_query_strings(message, logged):
    assert text_for_log(message) == logged


def test_django_request_records_reach_the_console_without_tokens():
    """The project's console handler filters every record, whatever its logger."""
    console = next(
        handler
        for handler in logging.getLogger().handlers
        if any(isinstance(f, SecretsFilter) for f in handler.filters)
    )
    stream = io.StringIO()
    saved = console.setStream(stream)
    try:
        logging.getLogger("django.request").warning("Not Found: %s", f"/agenda/{TOKEN}.ics")
        logging.getLogger("django.server").info('"%s" %s', "GET /en/desk/x/?q=Nowak HTTP/1.1", 200)
    finally:
        console.setStream(saved)

    logged = stream.getvalue()
    assert "Not Found: /agenda/<token>.ics" in logged
    assert '"GET /en/desk/x/ HTTP/1.1" 200' in logged
    assert TOKEN not in logged
    assert "Nowak" not in logged
