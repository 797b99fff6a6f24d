"""The public registration form, shown blank, rendered once and kept in the shared cache.

Its HTML (crispy-forms' layout, most of the page's cost: the country and authority lists, the
sessions, the questions) is the same for everyone who opens the form in one language, but for
the CSRF token and the form's one-time token. It is rendered with a random mark in place of
each, kept in three parts cut at the marks, and joined around the request's own tokens.

An entry per conference, language and whether newcomers join the waiting list (the button
says so) holds the versions of what the form shows (conference.page_cache), read with it in one
go: the programme's (the conference, its sessions and rooms), the questions', the
authorities'. Places left of the
sessions and seats left of the questions' choices are not versioned: a rendering lives at most
page_cache_seconds, as the programme's fragments do. A form sent back with errors is rendered
afresh, never from here."""

import secrets
from collections.abc import Callable

from crispy_forms.utils import render_crispy_form
from django import forms
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from conference.models import Conference
from conference.page_cache import (
    authorities_changed,
    page_cache_seconds,
    questions_changed,
    registration_form_versions_read,
)
from config.cache_safety import without_cache_if_down
from registrations.models import Authority, Question, QuestionChoice

FormParts = tuple[str, str, str]


def registration_form_key(conference: Conference, *, waiting_list: bool) -> str:
    """The entry of the form in this language; it holds the versions it was rendered under."""
    state = "waiting" if waiting_list else "open"
    return f"register-form:{conference.pk}:{get_language()}:{state}"


def _form_parts(build: Callable[[str], forms.Form]) -> FormParts | None:
    """The form built with a mark for its one-time token and rendered with one for the CSRF
    token, cut at the marks; None unless each is found once, the CSRF token's first."""
    csrf_mark, token_mark = secrets.token_hex(16), secrets.token_hex(16)
    html = str(render_crispy_form(build(token_mark), context={"csrf_token": csrf_mark}))
    if html.count(csrf_mark) != 1 or html.count(token_mark) != 1:
        return None
    head, _, rest = html.partition(csrf_mark)
    if token_mark not in rest:
        return None
    middle, _, tail = rest.partition(token_mark)
    return head, middle, tail


def registration_form_html(
    request: HttpRequest,
    conference: Conference,
    *,
    waiting_list: bool,
    token: str,
    build: Callable[[str], forms.Form],
) -> SafeString:
    """The blank form's HTML for this request: `build(token)` builds the unbound form with
    that one-time token, called only when the cache has no rendering."""
    key = registration_form_key(conference, waiting_list=waiting_list)
    parts: FormParts | None = None
    # With the cache down, nothing is found and versions are new: rendered for this request.
    versions, entry = registration_form_versions_read(conference.pk, entry_key=key)
    if entry is not None and entry[0] == versions:
        parts = entry[1]
    if parts is None:
        parts = _form_parts(build)
        if parts is None:
            # A mark found twice (it would take organisers' text holding it): uncached.
            return render_crispy_form(build(token), context={"csrf_token": get_token(request)})
        # Under the versions read before rendering: retired meanwhile, it is not served.
        _rendering_keep(key, (versions, parts), page_cache_seconds(conference))
    head, middle, tail = parts
    # Both tokens are URL-safe already; escaped all the same, as the template would.
    return mark_safe(f"{head}{escape(get_token(request))}{middle}{escape(token)}{tail}")


@without_cache_if_down("a registration form kept", default=lambda: None)
def _rendering_keep(key: str, entry: tuple, timeout: int) -> None:
    cache.set(key, entry, timeout)


def _retire(retire: Callable[[], None]) -> None:
    # Now, and again once committed: a request rendering in between would keep the old content
    # under the new version.
    retire()
    transaction.on_commit(retire)


def _question_changed(sender, instance: Question, **kwargs) -> None:
    conference_id = instance.conference_id
    _retire(lambda: questions_changed(conference_id))


def _choice_changed(sender, instance: QuestionChoice, **kwargs) -> None:
    conference_id = (
        Question.objects.filter(pk=instance.question_id)
        .values_list("conference_id", flat=True)
        .first()
    )
    if conference_id is not None:  # else the question goes too, and tells
        _retire(lambda: questions_changed(conference_id))


def _conference_saved(sender, instance: Conference, **kwargs) -> None:
    # The built-in questions' choices a change of dates adds are created in bulk, without
    # signals of their own.
    conference_id = instance.pk
    _retire(lambda: questions_changed(conference_id))


def _authority_changed(sender, instance: Authority, created: bool = False, **kwargs) -> None:
    # One a stranger names as they register waits for review: not in the list.
    if created and instance.needs_review:
        return
    _retire(authorities_changed)


def registration_form_cache_connect() -> None:
    """Connected once, from the app's ready(), after the built-in questions' receiver."""
    for signal in (post_save, post_delete):
        name = "save" if signal is post_save else "delete"
        signal.connect(_question_changed, sender=Question, dispatch_uid=f"form_cache.q.{name}")
        signal.connect(
            _choice_changed, sender=QuestionChoice, dispatch_uid=f"form_cache.choice.{name}"
        )
        signal.connect(
            _authority_changed, sender=Authority, dispatch_uid=f"form_cache.authority.{name}"
        )
    post_save.connect(_conference_saved, sender=Conference, dispatch_uid="form_cache.conference")
