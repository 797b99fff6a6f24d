"""The versions and lifetime of the public pages kept in the shared cache (Redis in
production): the programme and home pages whole (conference.cached_pages), the registration
form's blank rendering (registrations.forms.rendering).

A cached page is kept under the versions of what it shows: any change to the conference, its
sessions, rooms, speakers or themes raises the programme's version (the questions, the
authorities and the participants have theirs), so the next request renders afresh. Places left
(bookings and registrations, which change all day) are not versioned: a page lives at most
PAGE_CACHE_SECONDS, so the figures lag by that much at worst, and never past a boundary in time
(registration opening or closing, changes closing, the conference starting), where it expires."""

import datetime as dt
import math
import uuid
from collections.abc import Sequence
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from conference.models import Conference, Room, Session, Speaker, Theme, Venue
from config.cache_safety import without_cache_if_down

PAGE_CACHE_SECONDS = 30


def _version_key(conference_id: int) -> str:
    return f"programme-version:{conference_id}"


def programme_version(conference_id: int) -> str:
    """The current version of the conference's programme, created on first use."""
    return _current_version(_version_key(conference_id))


def _unshared_version() -> str:
    # With the cache down, a version no page was kept under: every page is rendered afresh.
    return uuid.uuid4().hex


@without_cache_if_down("page versions read", default=_unshared_version)
def _current_version(key: str) -> str:
    version = cache.get(key)
    if version is None:
        version = uuid.uuid4().hex
        # add(): two processes starting at once keep the same version.
        if not cache.add(key, version, timeout=None):
            version = cache.get(key) or version
    return version


def programme_changed(conference_id: int) -> None:
    """Retire every cached page of the conference."""
    _version_raise(_version_key(conference_id))


def _version_raise(key: str) -> None:
    """A new version now, and again once the transaction that made the change commits: a page
    rendered in between read the rows as they were before it, and would be kept under the new
    version until its time is up."""
    _version_new(key)
    transaction.on_commit(lambda: _version_new(key), robust=True)


@without_cache_if_down("a page version raised", default=lambda: None, always_try=True)
def _version_new(key: str) -> None:
    # Not raised if the cache is down: what was kept under the old one expires all the same.
    cache.set(key, uuid.uuid4().hex, timeout=None)


# The authorities taking part (the participants page, the home page's map) have a version of
# their own, raised by the app that holds registrations when a delegate is confirmed or no
# longer is, or an authority changes; the programme's version is not raised with it.
def _network_version_key(conference_id: int) -> str:
    return f"network-version:{conference_id}"


def network_version(conference_id: int) -> str:
    return _current_version(_network_version_key(conference_id))


def network_changed(conference_id: int) -> None:
    """Retire the cached pages that show who takes part in the conference."""
    _version_raise(_network_version_key(conference_id))


def page_versions_read(
    conference_id: int, *, network: bool, entry_keys: Sequence[str]
) -> tuple[tuple[str, ...], dict[str, Any]]:
    """The programme's version (then, if `network`, the network's) and whichever of the cache
    entries `entry_keys` exist, in one read of the cache: what a cached page needs to know
    whether it may be served (conference.cached_pages)."""
    version_keys = [_version_key(conference_id)]
    if network:
        version_keys.append(_network_version_key(conference_id))
    found = _cache_read([*entry_keys, *version_keys])
    versions = tuple(found.get(key) or _current_version(key) for key in version_keys)
    return versions, {key: found[key] for key in entry_keys if key in found}


def _nothing_found() -> dict[str, Any]:
    return {}


@without_cache_if_down("cached pages read", default=_nothing_found)
def _cache_read(keys: list[str]) -> dict[str, Any]:
    return cache.get_many(keys)


# The public registration form shows, besides the programme's sessions and rooms, the
# conference's questions and the authorities to choose from (of every conference at once): they
# have versions of their own, raised by the app that holds them (registrations.forms.rendering).
def _questions_version_key(conference_id: int) -> str:
    return f"questions-version:{conference_id}"


def questions_version(conference_id: int) -> str:
    return _current_version(_questions_version_key(conference_id))


def questions_changed(conference_id: int) -> None:
    """Retire the cached renderings that show the conference's questions and their choices."""
    _version_new(_questions_version_key(conference_id))


AUTHORITIES_VERSION_KEY = "authorities-version"


def authorities_version() -> str:
    return _current_version(AUTHORITIES_VERSION_KEY)


def authorities_changed() -> None:
    """Retire the cached renderings that list the authorities to choose from."""
    _version_new(AUTHORITIES_VERSION_KEY)


def registration_form_versions_read(
    conference_id: int, *, entry_key: str | None = None
) -> tuple[tuple[str, ...], Any]:
    """The versions of what the registration form shows (the programme's, the questions', the
    authorities') and the cache entry `entry_key` if one is named and exists, in one read of
    the cache."""
    version_keys = [
        _version_key(conference_id),
        _questions_version_key(conference_id),
        AUTHORITIES_VERSION_KEY,
    ]
    entry_keys = [] if entry_key is None else [entry_key]
    found = _cache_read([*entry_keys, *version_keys])
    versions = tuple(found.get(key) or _current_version(key) for key in version_keys)
    return versions, None if entry_key is None else found.get(entry_key)


def page_cache_seconds(conference: Conference, *, now: dt.datetime | None = None) -> int:
    """How long a page may be kept: PAGE_CACHE_SECONDS, cut short by the next boundary in
    time that changes what the pages say."""
    now = now or timezone.now()
    boundaries = [
        conference.registration_opens_at,
        conference.registration_closes_at,
        conference.changes_close_at,
        conference.starts_at,
    ]
    ahead = [
        (boundary - now).total_seconds()
        for boundary in boundaries
        if boundary is not None and boundary > now
    ]
    return max(1, min([PAGE_CACHE_SECONDS, *(math.ceil(seconds) for seconds in ahead)]))


def _conference_saved(sender, instance: Conference, **kwargs) -> None:
    programme_changed(instance.pk)


def _part_changed(sender, instance, **kwargs) -> None:
    programme_changed(instance.conference_id)


def _room_changed(sender, instance: Room, **kwargs) -> None:
    for conference_id in Conference.objects.filter(venue_id=instance.venue_id).values_list(
        "pk", flat=True
    ):
        programme_changed(conference_id)


def _venue_changed(sender, instance: Venue, **kwargs) -> None:
    for conference_id in instance.conferences.values_list("pk", flat=True):
        programme_changed(conference_id)


def page_cache_connect() -> None:
    """Connected once, from the app's ready()."""
    for signal in (post_save, post_delete):
        signal.connect(
            _conference_saved, sender=Conference, dispatch_uid=f"page_cache.conf.{signal}"
        )
        for model in (Session, Speaker, Theme):
            signal.connect(
                _part_changed, sender=model, dispatch_uid=f"page_cache.{model.__name__}.{signal}"
            )
        signal.connect(_room_changed, sender=Room, dispatch_uid=f"page_cache.room.{signal}")
        signal.connect(_venue_changed, sender=Venue, dispatch_uid=f"page_cache.venue.{signal}")
    # From either side (a session's speakers, a speaker's sessions): the same conference.
    for through in (Session.speakers.through, Session.themes.through):
        m2m_changed.connect(
            _part_changed, sender=through, dispatch_uid=f"page_cache.{through.__name__}"
        )
