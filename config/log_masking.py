"""What never goes into a log: the tokens of personal links (`/<lang>/manage/enter/<token>/`)
and agenda feeds (`/agenda/<token>.ics`), which open a delegate's page or calendar, and query
strings, which hold searches by surname at the desk and in the admin. Gunicorn's access log
(config/gunicorn_logging.py) and every record of Django's logging (the `console` handler's
filter, e.g. django.request's "Not Found: <path>" and runserver's request lines) go through
here."""

import logging
import re

# A token ends at the next slash, query, fragment, space or quote, or at the end of the text:
# an address typed without its trailing slash (redirected) or feed suffix still holds one.
_TOKEN_IN_PATH = re.compile(
    r"(/manage/enter/)[^/?#\s\"]+(/?)|(/agenda/)[^/?#\s\"]+?(\.ics|(?=[/?#\s\"]|$))"
)
# A query string inside a logged request line or path: up to the next space or quote.
_QUERY_STRING = re.compile(r"(/[^\s\"?#]*)\?[^\s\"#]*")


def _tokens_masked(text: str) -> str:
    return _TOKEN_IN_PATH.sub(
        lambda match: (
            f"{match[1]}<token>{match[2]}" if match[1] else f"{match[3]}<token>{match[4]}"
        ),
        text,
    )


def path_for_log(path: str) -> str:
    """The path (or address) without its query string or fragment, its tokens masked."""
    return _tokens_masked(path.split("?", 1)[0].split("#", 1)[0])


def text_for_log(text: str) -> str:
    """A log message with the tokens of any path in it masked and its query strings dropped."""
    return _QUERY_STRING.sub(r"\1", _tokens_masked(text))


class SecretsFilter(logging.Filter):
    """Rewrites a record's message so that it holds no token and no query string."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = text_for_log(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True
