"""Loading the demo conference: Efus' Security, Democracy and Cities conference, Nice, 2021.

Every object is found by its natural key and brought up to date, so a second load changes
nothing; the whole load is one transaction, so a failure leaves nothing half-loaded. The data
lives in registrations/demo/data.py.

Generated registrations go through places.imports.registrations_import, in bulk and without
emails: demo data must never send mail (the addresses are @example.org), and one locked
transaction per registration is slow at the sizes they are meant for. They are dated over the
weeks registration was open, each with a first history record; then a few cancel and the rest
book sessions (registrations/demo/activity.py). Their email addresses depend only on the seed
and their position, so loading again skips the ones already there."""

import datetime as dt
import random
import re
import zoneinfo
from base64 import b32decode
from typing import Any, TypeVar

from anyascii import anyascii
from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.db import models, transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from conference.models import Conference, Room, Session, Speaker, Theme, Venue
from registrations.demo import data as demo_data
from registrations.demo.activity import demo_activity_generate
from registrations.models import (
    IDENTITY_FIELDS,
    Authority,
    AuthorityAllotment,
    Delegation,
    Registration,
    authority_name_key,
)
from registrations.network_map.coordinates import authority_coordinates_fill
from registrations.places.bookings import sessions_rebalance
from registrations.places.imports import ImportedRegistration, registrations_import
from registrations.places.registrations import RegistrationData
from registrations.questions.builtin import builtin_questions_create

M = TypeVar("M", bound=models.Model)


def demo_load(
    *, open_registration: bool, registrations: int, seed: int, organiser: bool
) -> tuple[Conference, int]:
    """Load or bring up to date the demo conference, in one transaction; with `registrations`
    generated registrations (those already there are kept) and the demo organiser if asked.
    Returns the conference and how many registrations were added."""
    now = timezone.now()
    tz = zoneinfo.ZoneInfo(demo_data.CONFERENCE["time_zone"])
    shift = dt.timedelta(0)
    if open_registration:
        shift = open_registration_shift(
            demo_data.CONFERENCE["start_date"], timezone.localdate(now, timezone=tz)
        )
    with transaction.atomic():
        authorities = load_authorities()
        authority_coordinates_fill()  # where the map places them (registrations/network_map)
        venue, rooms = load_venue()
        conference = load_conference(venue=venue, shift=shift)
        builtin_questions_create(conference)  # days, meals, diet, travel (if it lacks them)
        speakers = load_speakers(conference=conference)
        themes = load_themes(conference=conference)
        sessions = load_sessions(
            conference=conference, rooms=rooms, speakers=speakers, themes=themes
        )
        # A capacity raised by newer demo data frees places: they go to those waiting, as on
        # every other change of a capacity (a newcomer takes a free place with nobody
        # confirmed waiting for it).
        sessions_rebalance(session_ids=[session.pk for session in sessions])
        added = generate_registrations(
            conference=conference, authorities=authorities, count=registrations, seed=seed, now=now
        )
        demo_activity_generate(conference=conference, seed=seed, now=now)
        load_allotments(conference=conference, authorities=authorities)
        load_delegations(conference=conference, authorities=authorities)
        if organiser:
            load_organiser()
    return conference, added


# Public on purpose (it is printed and documented), hence refused unless DEBUG is on.
ORGANISER_USERNAME = "organiser"

ORGANISER_PASSWORD = "acropolis-2021"

ORGANISER_EMAIL = "organiser@example.org"

# The demo organiser's authenticator key (base32, as apps take it), public like the password: a
# superuser must pass a second factor, so the demo account comes enrolled (DEBUG only).
ORGANISER_TOTP_KEY = "ACROPOLISNICEDEMOORGANISERSECRET"

# The authority of organiser staff among generated registrations.
STAFF_AUTHORITY = ("European Forum for Urban Security (Efus)", "FR")


def open_registration_shift(start: dt.date, today: dt.date) -> dt.timedelta:
    """Whole weeks that bring a conference starting on `start` to 8 or 9 weeks after `today`.
    Whole weeks keep weekdays; the caller applies them to local dates and wall-clock times, so
    a change of daylight saving time does not move a session."""
    days = (today - start).days + 8 * 7
    return dt.timedelta(weeks=-(-days // 7))


def _upsert(model: type[M], lookup: dict[str, Any], values: dict[str, Any]) -> M:
    """update_or_create on a natural key, validating first so that bad demo data fails loudly."""
    # `objects` of every model loaded here, under the name generic code knows it by.
    instance = model._default_manager.filter(**lookup).first() or model(**lookup)
    for field, value in values.items():
        setattr(instance, field, value)
    instance.full_clean()
    instance.save()
    return instance


def load_authorities() -> list[Authority]:
    return [
        _upsert(
            Authority,
            {"country": country, "name_key": authority_name_key(name)},
            {
                "name": name,
                "kind": kind,
                "is_member": is_member,
                "region_code": demo_data.REGION_CODES.get((name, country), ""),
                "needs_review": False,
                **_coordinates(demo_data.AUTHORITY_COORDINATES.get((name, country))),
            },
        )
        for name, country, kind, is_member in demo_data.AUTHORITIES
    ]


def _coordinates(point: tuple[float, float] | None) -> dict[str, float]:
    # Only those the gazetteer cannot place; it places the others after the load.
    if point is None:
        return {}
    latitude, longitude = point
    return {"latitude": latitude, "longitude": longitude}


def load_allotments(*, conference: Conference, authorities: list[Authority]) -> None:
    by_key = {(authority.name, authority.country.code): authority for authority in authorities}
    for key, places in demo_data.ALLOTMENTS.items():
        _upsert(
            AuthorityAllotment,
            {"conference": conference, "authority": by_key[key]},
            {"places": places},
        )


def load_delegations(*, conference: Conference, authorities: list[Authority]) -> list[Delegation]:
    """The demo delegations, each joined by the first of its authority's active registrations
    (by email) that belong to no delegation yet, up to its number of members: a second run
    links nobody new, a run with more generated registrations completes them."""
    by_key = {(authority.name, authority.country.code): authority for authority in authorities}
    delegations = []
    for entry in demo_data.DELEGATIONS:
        authority = by_key[entry["authority"]]
        first_name, last_name, email, language = entry["coordinator"]
        delegation = _upsert(
            Delegation,
            {"conference": conference, "authority": authority},
            {
                "coordinator_first_name": first_name,
                "coordinator_last_name": last_name,
                "coordinator_email": email,
                "coordinator_language": language,
            },
        )
        wanted = entry["members"] - delegation.members.count()
        if wanted > 0:
            joining = (
                conference.registrations.active()
                .filter(authority=authority, delegation=None)
                .order_by("email")
                .values_list("pk", flat=True)[:wanted]
            )
            Registration.objects.filter(pk__in=list(joining)).update(delegation=delegation)
        delegations.append(delegation)
    return delegations


def _in_english(values: dict[str, Any], *fields: str) -> dict[str, Any]:
    """The values with the demo's English texts under their English columns (title →
    title_en), whatever language is active; the French ones (title_fr) are named already."""
    return {f"{key}_en" if key in fields else key: value for key, value in values.items()}


def load_venue() -> tuple[Venue, dict[str, Room]]:
    values = dict(demo_data.VENUE)
    venue = _upsert(Venue, {"name_en": values.pop("name"), "city": values.pop("city")}, values)
    rooms = {
        name: _upsert(
            Room, {"venue": venue, "name_en": name}, {"capacity": capacity, "position": position}
        )
        for position, (name, capacity) in enumerate(demo_data.ROOMS, start=1)
    }
    return venue, rooms


def load_conference(*, venue: Venue, shift: dt.timedelta) -> Conference:
    entry = demo_data.CONFERENCE
    tz = zoneinfo.ZoneInfo(entry["time_zone"])
    values: dict[str, object] = {
        **entry,
        "start_date": entry["start_date"] + shift,
        "end_date": entry["end_date"] + shift,
        # Shift the local wall-clock time, then attach the zone.
        "registration_opens_at": (entry["registration_opens_at"] + shift).replace(tzinfo=tz),
        "registration_closes_at": (entry["registration_closes_at"] + shift).replace(tzinfo=tz),
    }
    values = _in_english(
        values, "name", "tagline", "description", "organiser", "letter_signatory_title"
    )
    return _upsert(Conference, {"slug": values.pop("slug")}, {**values, "venue": venue})


def load_speakers(*, conference: Conference) -> dict[str, Speaker]:
    speakers = {}
    for entry in demo_data.SPEAKERS:
        values = _in_english(dict(entry), "role", "organisation", "biography")
        name = values.pop("full_name")
        speakers[name] = _upsert(Speaker, {"conference": conference, "full_name": name}, values)
    return speakers


def load_themes(*, conference: Conference) -> dict[str, Theme]:
    return {
        slug: _upsert(
            Theme, {"conference": conference, "slug": slug}, {"name_en": name, "name_fr": name_fr}
        )
        for slug, (name, name_fr) in demo_data.THEMES.items()
    }


def load_sessions(
    *,
    conference: Conference,
    rooms: dict[str, Room],
    speakers: dict[str, Speaker],
    themes: dict[str, Theme],
) -> list[Session]:
    tz = conference.tzinfo
    sessions = []
    for entry in demo_data.SESSIONS:
        day = conference.start_date + dt.timedelta(days=entry["day"])
        room = rooms[entry["room"]] if entry.get("room") else None
        if room and entry.get("capacity", 0) > room.capacity:
            raise CommandError(f"{entry['title']}: more places than {room.name} has seats")
        session = _upsert(
            Session,
            {"conference": conference, "title_en": entry["title"]},
            {
                "title_fr": entry["title_fr"],
                "kind": entry["kind"],
                "description_en": entry.get("description", ""),
                "description_fr": entry.get("description_fr", ""),
                "starts_at": dt.datetime.combine(day, dt.time.fromisoformat(entry["starts"]), tz),
                "ends_at": dt.datetime.combine(day, dt.time.fromisoformat(entry["ends"]), tz),
                "room": room,
                "location_en": entry.get("location", ""),
                "location_fr": entry.get("location_fr", ""),
                "capacity": entry.get("capacity"),
                "language": entry.get("language", "en"),
                "interpretation_languages": list(entry.get("interpretation", [])),
                **{
                    flag: field in entry.get("identity", [])
                    for flag, field in IDENTITY_FIELDS.items()
                },
            },
        )
        session.speakers.set([speakers[name] for name in entry.get("speakers", [])])
        session.themes.set(
            [themes[slug] for slug in demo_data.SESSION_THEMES.get(entry["title"], [])]
        )
        sessions.append(session)
    return sessions


def load_organiser() -> None:
    user_model = get_user_model()
    user = user_model.objects.filter(username=ORGANISER_USERNAME).first()
    user = user or user_model(username=ORGANISER_USERNAME)
    user.email = ORGANISER_EMAIL
    user.is_active = user.is_staff = user.is_superuser = True
    user.set_password(ORGANISER_PASSWORD)
    user.save()
    # Named "default": the device two_factor's login asks for first.
    TOTPDevice.objects.update_or_create(
        user=user,
        name="default",
        defaults={"key": b32decode(ORGANISER_TOTP_KEY).hex(), "confirmed": True},
    )


def generate_registrations(
    *,
    conference: Conference,
    authorities: list[Authority],
    count: int,
    seed: int,
    now: dt.datetime,
) -> int:
    """Add `count` generated registrations, skipping those already there; returns how many
    were added."""
    if count == 0:
        return 0
    rng = random.Random(seed)
    weights = [_authority_weight(authority) for authority in authorities]
    staff_authority = next(
        authority
        for authority in authorities
        if (authority.name, authority.country.code) == STAFF_AUTHORITY
    )

    last_moment = _moment_registration_was_open(conference, now)
    moments = _registration_moments(
        random.Random(f"{seed}:moments"),
        count,
        start=min(conference.registration_opens_at, last_moment),
        end=last_moment,
    )

    def entries():
        for number, moment in zip(range(1, count + 1), moments, strict=True):
            # Drawn for every number, even one that is then skipped as already there, so each
            # number always gets the same person whatever count was asked for.
            authority, data = _fake_registration(rng, number, authorities, weights, staff_authority)
            yield ImportedRegistration(
                authority=authority,
                data=data,
                special_needs_consent=bool(data.dietary_needs or data.accessibility_needs),
                registered_at=moment,
            )

    return registrations_import(conference=conference, entries=entries(), registered_at=last_moment)


def _registration_moments(
    rng: random.Random, count: int, *, start: dt.datetime, end: dt.datetime
) -> list[dt.datetime]:
    """`count` moments between start and end, in order, denser towards the end: delegates
    register more as the conference nears (the dashboard's chart by day shows that curve)."""
    span = (end - start).total_seconds()
    return sorted(start + dt.timedelta(seconds=span * rng.random() ** 0.6) for _ in range(count))


def _moment_registration_was_open(conference: Conference, now: dt.datetime) -> dt.datetime:
    """Now if registration is open, else the last minute it was open (or its first one, if it
    is yet to open): generated registrations must look like ones the service accepted."""
    if conference.registration_is_open(now):
        return now
    if now >= conference.registration_closes_at:
        return conference.registration_closes_at - dt.timedelta(minutes=1)
    return conference.registration_opens_at


def _authority_weight(authority: Authority) -> float:
    """Members and the host country send more people; international bodies few."""
    if authority.kind == Authority.Kind.INTERNATIONAL:
        return 0.5
    return (2 if authority.is_member else 1) * (3 if authority.country.code == "FR" else 1)


def _fake_registration(
    rng: random.Random,
    number: int,
    authorities: list[Authority],
    weights: list[float],
    staff_authority: Authority,
) -> tuple[Authority, RegistrationData]:
    category = rng.choices(
        [category for category, _weight in demo_data.CATEGORY_WEIGHTS],
        [weight for _category, weight in demo_data.CATEGORY_WEIGHTS],
    )[0]
    authority = rng.choices(authorities, weights)[0]
    if category == Registration.Category.STAFF:
        authority = staff_authority
    traditions = demo_data.COUNTRY_NAMES.get(authority.country.code)
    if not traditions or rng.random() < 0.08:
        traditions = sorted(demo_data.NAMES)
    tradition = rng.choice(traditions)
    names = demo_data.NAMES[tradition]
    gender = rng.choice(("female", "male"))
    first_name = rng.choice(names[gender])
    last_name = rng.choice(names.get(f"surnames_{gender}") or names["surnames"])
    language = "fr" if rng.random() < (0.85 if tradition == "french" else 0.12) else "en"
    interpretation = demo_data.NAMES_INTERPRETATION.get(tradition, "")
    if rng.random() >= 0.35:
        interpretation = ""
    job_title = rng.choice(demo_data.JOB_TITLES[language][category])
    if isinstance(job_title, tuple):
        masculine, feminine = job_title
        job_title = feminine if gender == "female" else masculine
    department = rng.choice(demo_data.DEPARTMENTS[language])
    dietary = rng.choice(demo_data.DIETARY_NEEDS[language])
    accessibility = rng.choice(demo_data.ACCESSIBILITY_NEEDS[language])
    data = RegistrationData(
        first_name=first_name,
        last_name=last_name,
        email=f"{ascii_fold(first_name)}.{ascii_fold(last_name)}.{number:03d}@example.org",
        job_title=job_title,
        organisation=department if rng.random() < 0.7 else "",
        category=category,
        preferred_language=language,
        interpretation_language=interpretation,
        dietary_needs=dietary if rng.random() < 0.10 else "",
        accessibility_needs=accessibility if rng.random() < 0.03 else "",
    )
    return authority, data


def ascii_fold(name: str) -> str:
    """An email-safe form of a name in any alphabet: "Łukasz" → "lukasz", "Γιώργος" →
    "giorgos", "van 't Hof" → "van-t-hof"."""
    text = anyascii(name).lower().replace("'", "")
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")
