"""Django's database sessions, without the query before a new session's INSERT.

Django picks a new session's key by asking the table whether a random key is taken, then
INSERTs it, and picks again if the INSERT hits the primary key anyway (CreateError). With
32 characters of 36 (165 bits), the question never finds one taken: the INSERT's own check
decides, as it already did for two requests that raced. One query less for every session
begun (a delegation's thank-you mark, a sign-in; the registration form begins none)."""

from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import VALID_KEY_CHARS
from django.utils.crypto import get_random_string


class SessionStore(db.SessionStore):
    def _get_new_session_key(self) -> str:
        # create() and cycle_key() save it with must_create: a key taken is tried again.
        return get_random_string(32, VALID_KEY_CHARS)
