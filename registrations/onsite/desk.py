"""Reads of the registration desk: finding the delegate in front of it, what to tell the staff,
the figures of the day."""

import unicodedata
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import User
from django.db import models
from django.db.models import Case, Count, Exists, F, Func, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import TruncHour
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from conference.models import Conference, Session
from registrations.collation import search_fold
from registrations.documents.tokens import reference_from_badge_token
from registrations.models import CheckIn, Registration, SessionBooking
from registrations.onsite.check_in import check_ins_standing

DESK_LOOKUP_LIMIT = 20

# Words of a query beyond these are ignored: each one adds a condition on every row.
DESK_LOOKUP_MAX_WORDS = 5


def _fold_table() -> tuple[str, str]:
    """Latin letters with diacritics and the plain letter each stands for, as two strings of
    equal length (for PostgreSQL's translate() and Python's str.translate)."""
    source, target = [], []
    for code in range(0xC0, 0x250):
        char = chr(code)
        decomposed = unicodedata.normalize("NFKD", char)
        base = "".join(part for part in decomposed if not unicodedata.combining(part))
        if len(base) == 1 and base.isascii() and base.isalpha() and base != char:
            source.append(char)
            target.append(base)
    # Letters with a stroke do not decompose, but are written without it on a keyboard.
    for char, base in {"Ł": "L", "ł": "l", "Ø": "O", "ø": "o", "Đ": "D", "đ": "d"}.items():
        source.append(char)
        target.append(base)
    return "".join(source), "".join(target)


FOLD_SOURCE, FOLD_TARGET = _fold_table()

_FOLD_TRANSLATION = str.maketrans(FOLD_SOURCE, FOLD_TARGET)


def fold(text: str) -> str:
    """Lower case without diacritics, the same way as Folded() does it in the database."""
    return text.translate(_FOLD_TRANSLATION).lower()


class Folded(Func):
    """A text column in lower case without diacritics, so that "lefevre" finds "Lefèvre" and
    "wroclaw" finds "Wrocław". PostgreSQL does it with translate(); SQLite, which has no such
    function, with fold() registered on its connection."""

    function = "LOWER"
    arity = 1
    output_field = models.CharField()

    def as_postgresql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"LOWER(TRANSLATE({sql}, %s, %s))", (*params, FOLD_SOURCE, FOLD_TARGET)

    def as_sqlite(self, compiler, connection, **extra_context):
        connection.ensure_connection()
        connection.connection.create_function("desk_fold", 1, _fold_or_none, deterministic=True)
        return self.as_sql(compiler, connection, function="DESK_FOLD", **extra_context)


def _fold_or_none(text: str | None) -> str | None:
    return None if text is None else fold(text)


def registrations_with_desk_check_in(queryset: QuerySet[Registration]) -> QuerySet[Registration]:
    """The registrations with `is_checked_in`: a desk check-in of theirs stands (not undone)."""
    standing = check_ins_standing(None).filter(registration=OuterRef("pk"))
    return queryset.annotate(is_checked_in=Exists(standing))


def desk_lookup(conference: Conference, query: str) -> list[Registration]:
    """Registrations of the conference matching what the desk typed or scanned: a badge token,
    or words each found in a name, the name on the badge, the authority or the reference,
    whatever their case and accents. Best matches first, at most 20, in one query."""
    query = " ".join(query.split())
    if not query:
        return []
    registrations = registrations_with_desk_check_in(
        conference.registrations.select_related("authority")
    )
    reference = reference_from_badge_token(query)
    if reference is not None:
        return list(registrations.filter(reference=reference))

    # Names and authorities are searched in their folded text (registrations.collation), so
    # that "aero" finds Ærø and "djordjevic" Đorđević; the badge's name, not kept folded, as
    # Folded() writes it.
    words = search_fold(query).split()[:DESK_LOOKUP_MAX_WORDS]
    if not words:  # nothing that folds to a letter or a digit
        return []
    registrations = registrations.annotate(badge_folded=Folded("badge_name"))
    for word in words:
        registrations = registrations.filter(
            Q(search_name__contains=word)
            | Q(badge_folded__contains=word)
            | Q(authority__search_name__contains=word)
            | Q(reference__icontains=word)
        )
    first_word = words[0]
    # The search text begins with the last name, and a space comes before each other word.
    match_rank = Case(
        When(reference__iexact=query, then=Value(0)),
        When(search_name__startswith=first_word, then=Value(1)),
        When(badge_folded__startswith=first_word, then=Value(1)),
        When(search_name__contains=f" {first_word}", then=Value(2)),
        default=Value(3),
    )
    # Delegates who still hold a registration come before cancelled and rejected namesakes.
    inactive = Case(
        When(status__in=Registration.INACTIVE_STATUSES, then=Value(1)), default=Value(0)
    )
    return list(
        registrations.annotate(match_rank=match_rank, inactive=inactive).order_by(
            "match_rank", "inactive", "sort_name", "pk"
        )[:DESK_LOOKUP_LIMIT]
    )


class DoorStatus(models.TextChoices):
    BOOKED = "booked", _("Booked for this session")
    WAITING = "waiting", _("On this session's waiting list")
    NONE = "none", _("Not booked for this session")


def door_status(session: Session, registration: Registration) -> DoorStatus:
    status = (
        SessionBooking.objects.filter(session=session, registration=registration)
        .values_list("status", flat=True)
        .first()
    )
    if status == SessionBooking.Status.BOOKED:
        return DoorStatus.BOOKED
    if status == SessionBooking.Status.WAITING:
        return DoorStatus.WAITING
    return DoorStatus.NONE


@dataclass(frozen=True)
class DeskWarning:
    code: str  # cancelled, rejected, pending, waitlisted, already_checked_in
    message: str
    severity: str  # "danger" (do not let in) or "warning" (check before letting in)


def _staff_name(user: User | None) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def already_checked_in_message(check_in: CheckIn, conference: Conference, now=None) -> str:
    """ "Already checked in at 09:12 by Marie Curie", in the conference's time zone, with the
    date when it was another day."""
    now = now or timezone.now()
    checked_in_at = timezone.localtime(check_in.checked_in_at, conference.tzinfo)
    today = timezone.localtime(now, conference.tzinfo).date()
    params = {
        "time": date_format(checked_in_at, "H:i"),
        "date": date_format(checked_in_at, "j F"),
        "person": _staff_name(check_in.checked_in_by),
    }
    if checked_in_at.date() == today:
        if params["person"]:
            return gettext("Already checked in at %(time)s by %(person)s") % params
        return gettext("Already checked in at %(time)s") % params
    if params["person"]:
        return gettext("Already checked in on %(date)s at %(time)s by %(person)s") % params
    return gettext("Already checked in on %(date)s at %(time)s") % params


# Keyed by the status as a registration holds it: a plain string.
STATUS_WARNINGS: dict[str, tuple[Promise, str]] = {
    Registration.Status.CANCELLED: (_("Registration cancelled"), "danger"),
    Registration.Status.REJECTED: (_("Registration rejected"), "danger"),
    Registration.Status.PENDING: (_("Registration pending approval: not confirmed yet"), "warning"),
    Registration.Status.WAITLISTED: (
        _("Registration on the waiting list: no confirmed place"),
        "warning",
    ),
}


def desk_warnings(
    registration: Registration, *, standing: CheckIn | None, now: datetime | None = None
) -> list[DeskWarning]:
    """What the desk must notice before letting the delegate in; `standing` is their standing
    check-in at the place the desk is checking, if any."""
    warnings = []
    if registration.status in STATUS_WARNINGS:
        label, severity = STATUS_WARNINGS[registration.status]
        warnings.append(DeskWarning(registration.status, str(label), severity))
    if standing is not None:
        message = already_checked_in_message(standing, registration.conference, now)
        warnings.append(DeskWarning("already_checked_in", message, "warning"))
    return warnings


@dataclass(frozen=True)
class DeskCard:
    """Everything the desk shows about the delegate in front of it."""

    registration: Registration
    session: Session | None
    standing: CheckIn | None
    door: DoorStatus | None
    warnings: list[DeskWarning]

    @property
    def can_check_in(self) -> bool:
        return self.registration.is_active and self.standing is None


def desk_card(
    registration: Registration, *, session: Session | None = None, now: datetime | None = None
) -> DeskCard:
    standing = (
        check_ins_standing(session)
        .filter(registration=registration)
        .select_related("checked_in_by")
        .first()
    )
    return DeskCard(
        registration=registration,
        session=session,
        standing=standing,
        door=door_status(session, registration) if session is not None else None,
        warnings=desk_warnings(registration, standing=standing, now=now),
    )


def check_in_figures(conference: Conference) -> dict:
    """Arrivals at the desk, in two queries: `confirmed` delegates, `checked_in` (everyone
    checked in, whatever their status), `confirmed_checked_in` and its `percentage` of
    `confirmed`, and `by_hour`: [{"hour": datetime in the conference's time zone, "count"}]."""
    arrived = Exists(check_ins_standing(None).filter(registration=OuterRef("pk")))
    counts = conference.registrations.aggregate(
        confirmed=Count("pk", filter=Q(status=Registration.Status.CONFIRMED)),
        checked_in=Count("pk", filter=arrived),
        confirmed_checked_in=Count("pk", filter=Q(arrived, status=Registration.Status.CONFIRMED)),
    )
    by_hour = (
        check_ins_standing(None)
        .filter(registration__conference=conference)
        .annotate(hour=TruncHour("checked_in_at", tzinfo=conference.tzinfo))
        .values("hour")
        .annotate(count=Count("pk"))
        .order_by("hour")
    )
    confirmed = counts["confirmed"]
    percentage = round(100 * counts["confirmed_checked_in"] / confirmed) if confirmed else 0
    return {**counts, "percentage": percentage, "by_hour": list(by_hour)}


def door_figures(session: Session) -> dict:
    """Delegates booked in the session, and everyone checked in at its door."""
    return {
        "booked": session.bookings.filter(status=SessionBooking.Status.BOOKED).count(),
        "checked_in": check_ins_standing(session).count(),
    }


def check_ins_recent(
    conference: Conference, *, session: Session | None = None, limit: int = 10
) -> list[CheckIn]:
    """The latest check-ins at the desk (or at the door of `session`), undone ones included."""
    return list(
        CheckIn.objects.filter(registration__conference=conference, session=session)
        .select_related("registration__authority", "checked_in_by", "undone_by")
        .order_by(F("checked_in_at").desc(), "-pk")[:limit]
    )
