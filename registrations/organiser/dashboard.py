"""The figures of the organisers' dashboard, one conference at a time, in a fixed number of
queries."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext
from django_countries import countries

from conference.models import SESSION_LANGUAGES, Conference, Session
from registrations.models import Authority, Registration, SessionBooking
from registrations.network.directory import NetworkFigures, network_figures
from registrations.onsite.desk import check_in_figures
from registrations.organiser.diets import diet_groups
from registrations.places.selectors import session_availability, sessions_for_sign_up
from registrations.questions.figures import QuestionFigures, question_figures

CONFIRMED = Registration.Status.CONFIRMED

BOOKED = SessionBooking.Status.BOOKED


@dataclass(frozen=True)
class Tally:
    """One line of a breakdown: what is counted (`key`), its name for people, and how many."""

    key: str
    label: str
    count: int


@dataclass(frozen=True)
class DayCount:
    day: datetime.date
    count: int
    running_total: int


@dataclass(frozen=True)
class SessionFill:
    session: Session
    capacity: int | None  # None: places are unlimited
    booked: int
    waiting: int  # confirmed delegates on the session's waiting list

    @property
    def percentage(self) -> int | None:
        if not self.capacity:
            return None
        return round(100 * self.booked / self.capacity)

    @property
    def overbooked(self) -> bool:
        """More delegates booked than places: an organiser allowed to accepted it."""
        return self.capacity is not None and self.booked > self.capacity


@dataclass(frozen=True)
class HourCount:
    hour: datetime.datetime  # in the conference's time zone
    count: int


@dataclass(frozen=True)
class CheckInDay:
    day: datetime.date
    hours: list[HourCount]


@dataclass(frozen=True)
class CheckInProgress:
    confirmed: int
    confirmed_checked_in: int
    percentage: int
    checked_in: int  # everyone with a standing desk check-in, whatever their status
    days: list[CheckInDay]  # arrivals per hour, on the event days that have any


@dataclass(frozen=True)
class MealSheet:
    """Registration is for the whole event, so every day's sheet is the same: the caterers
    still get one per day."""

    days: list[datetime.date]
    confirmed: int
    needs: list[Tally]  # key and label: the need, in lower case with single spaces

    @property
    def without_needs(self) -> int:
        return self.confirmed - sum(need.count for need in self.needs)


@dataclass(frozen=True)
class SessionHeadsets:
    session: Session
    languages: list[Tally]  # one per interpretation language of the session, in its order

    @property
    def total(self) -> int:
        return sum(language.count for language in self.languages)


@dataclass(frozen=True)
class SiteVisitAccess:
    session: Session
    booked: int
    needing_access: int  # booked delegates who gave accessibility needs


@dataclass(frozen=True)
class Dashboard:
    conference: Conference
    statuses: list[Tally]
    registrations_per_day: list[DayCount]
    countries: list[Tally]
    authority_kinds: list[Tally]
    membership: list[Tally]
    sessions: list[SessionFill]
    check_in: CheckInProgress
    headsets: list[SessionHeadsets]
    badges: list[Tally]
    # Dietary and accessibility figures; None for users who may not see special needs.
    meals: MealSheet | None
    site_visit_access: list[SiteVisitAccess] | None
    # The delegate directory: listed delegates, meeting requests, accepted meetings.
    network: NetworkFigures | None = None
    # From the answers to the conference's questions: counts per choice, meals, gala, transfers.
    questions: QuestionFigures | None = None

    @property
    def registration_count(self) -> int:
        return sum(status.count for status in self.statuses)

    @property
    def delegate_count(self) -> int:
        return sum(group.count for group in self.membership)

    @property
    def badge_count(self) -> int:
        return sum(category.count for category in self.badges)


def conference_days(conference: Conference) -> list[datetime.date]:
    length = (conference.end_date - conference.start_date).days + 1
    return [conference.start_date + datetime.timedelta(days=n) for n in range(length)]


def _active_registrations(conference: Conference):
    return conference.registrations.active()


def _confirmed_registrations(conference: Conference):
    return conference.registrations.filter(status=CONFIRMED)


def registrations_by_status(conference: Conference) -> list[Tally]:
    """Every status, in the order of the workflow, those with no registration included."""
    counts = dict(
        conference.registrations.order_by()
        .values("status")
        .annotate(count=Count("pk"))
        .values_list("status", "count")
    )
    return [
        Tally(status.value, str(status.label), counts.get(status.value, 0))
        for status in Registration.Status
    ]


def registrations_per_day(
    conference: Conference, *, now: datetime.datetime | None = None
) -> list[DayCount]:
    """Registrations made each day (whatever became of them since), from the day registration
    opened to today or its closing day, days without any included. Days are those of the
    conference's time zone, where the organisers work."""
    now = now or timezone.now()
    tz = conference.tzinfo
    counts = dict(
        conference.registrations.order_by()
        .annotate(day=TruncDate("created_at", tzinfo=tz))
        .values("day")
        .annotate(count=Count("pk"))
        .values_list("day", "count")
    )
    first = timezone.localtime(conference.registration_opens_at, tz).date()
    last = timezone.localtime(min(now, conference.registration_closes_at), tz).date()
    if counts:
        # Registrations imported or written by an organiser may predate the opening.
        first, last = min(first, *counts), max(last, *counts)
    days, running_total = [], 0
    day = first
    while day <= last:
        running_total += counts.get(day, 0)
        days.append(DayCount(day, counts.get(day, 0), running_total))
        day += datetime.timedelta(days=1)
    return days


def delegates_by_country(conference: Conference) -> list[Tally]:
    """Countries that send delegates, most delegates first."""
    rows = (
        _active_registrations(conference)
        .order_by()
        .values("authority__country")
        .annotate(count=Count("pk"))
        .values_list("authority__country", "count")
    )
    tallies = [Tally(code, str(countries.name(code)) or code, count) for code, count in rows]
    return sorted(tallies, key=lambda tally: (-tally.count, tally.label))


def delegates_by_authority_kind(conference: Conference) -> list[Tally]:
    """Kinds of authority that send delegates, most delegates first."""
    rows = (
        _active_registrations(conference)
        .order_by()
        .values("authority__kind")
        .annotate(count=Count("pk"))
        .values_list("authority__kind", "count")
    )
    labels = dict(Authority.Kind.choices)
    tallies = [Tally(kind, str(labels.get(kind, kind)), count) for kind, count in rows]
    return sorted(tallies, key=lambda tally: (-tally.count, tally.label))


def delegates_by_membership(conference: Conference) -> list[Tally]:
    """Delegates of member authorities, then of the others."""
    counts = _active_registrations(conference).aggregate(
        members=Count("pk", filter=Q(authority__is_member=True)),
        non_members=Count("pk", filter=Q(authority__is_member=False)),
    )
    return [
        Tally("members", gettext("Members of the network"), counts["members"]),
        Tally("non_members", gettext("Non-members"), counts["non_members"]),
    ]


def session_fill(conference: Conference) -> list[SessionFill]:
    """Every session that needs sign-up, in programme order, with its waiting list."""
    sessions = list(sessions_for_sign_up(conference))
    availability = session_availability(sessions)
    return [
        SessionFill(
            session=session,
            capacity=session.effective_capacity,
            booked=availability[session.pk].booked,
            waiting=availability[session.pk].waiting,
        )
        for session in sessions
    ]


def check_in_progress(conference: Conference) -> CheckInProgress:
    """Arrivals at the desk, and per hour of each event day that has any (hours in between
    without arrivals included, so that a chart of them keeps its time scale)."""
    figures = check_in_figures(conference)
    first_day, last_day = conference.start_date, conference.end_date
    per_day: dict[datetime.date, dict[datetime.datetime, int]] = {}
    for row in figures["by_hour"]:
        hour = timezone.localtime(row["hour"], conference.tzinfo)
        if first_day <= hour.date() <= last_day:
            per_day.setdefault(hour.date(), {})[hour] = row["count"]
    days = []
    for day, counts in sorted(per_day.items()):
        first, last = min(counts), max(counts)
        hours = []
        for number in range(first.hour, last.hour + 1):
            hour = datetime.datetime.combine(day, datetime.time(number), conference.tzinfo)
            hours.append(HourCount(hour, counts.get(hour, 0)))
        days.append(CheckInDay(day, hours))
    return CheckInProgress(
        confirmed=figures["confirmed"],
        confirmed_checked_in=figures["confirmed_checked_in"],
        percentage=figures["percentage"],
        checked_in=figures["checked_in"],
        days=days,
    )


def meal_sheet(conference: Conference) -> MealSheet:
    """Confirmed delegates' dietary needs, grouped whatever their case, accents and language
    (organiser.diets: "Sans porc" and "No pork" are one need), most frequent first. The
    database counts each text; the few distinct texts are grouped here."""
    rows = (
        _confirmed_registrations(conference)
        .order_by()
        .values("dietary_needs")
        .annotate(count=Count("pk"))
        .values_list("dietary_needs", "count")
    )
    confirmed = 0
    needs = []
    for need, count in rows:
        confirmed += count
        needs.append((need, count))
    return MealSheet(
        days=conference_days(conference),
        confirmed=confirmed,
        needs=[Tally(group.key, group.label, group.count) for group in diet_groups(needs)],
    )


def headsets_needed(conference: Conference) -> list[SessionHeadsets]:
    """Interpretation headsets per language for each interpreted session: the booked delegates
    of a session that needs sign-up, and every confirmed delegate for the others (a plenary is
    open to all), who asked for interpretation into one of the session's languages."""
    sessions = [
        session
        for session in conference.sessions.select_related("room").order_by(
            "starts_at", "room__position", "title"
        )
        if session.interpretation_languages
    ]
    booked = {
        (session_id, language): count
        for session_id, language, count in SessionBooking.objects.filter(
            session__conference=conference,
            status=BOOKED,
            registration__status=CONFIRMED,
        )
        .exclude(registration__interpretation_language="")
        .order_by()
        .values("session_id", "registration__interpretation_language")
        .annotate(count=Count("pk"))
        .values_list("session_id", "registration__interpretation_language", "count")
    }
    everyone = dict(
        _confirmed_registrations(conference)
        .exclude(interpretation_language="")
        .order_by()
        .values("interpretation_language")
        .annotate(count=Count("pk"))
        .values_list("interpretation_language", "count")
    )
    names = dict(SESSION_LANGUAGES)
    headsets = []
    for session in sessions:
        languages = []
        for language in session.interpretation_languages:
            if session.requires_sign_up:
                count = booked.get((session.pk, language), 0)
            else:
                count = everyone.get(language, 0)
            languages.append(Tally(language, str(names.get(language, language)), count))
        headsets.append(SessionHeadsets(session, languages))
    return headsets


def site_visit_access(conference: Conference) -> list[SiteVisitAccess]:
    """For each site visit, its booked delegates and how many of them need step-free or other
    access (they wrote accessibility needs): a count for the coach and the route, no names."""
    booked = Q(bookings__status=BOOKED, bookings__registration__status=CONFIRMED)
    sessions = (
        conference.sessions.filter(kind=Session.Kind.SITE_VISIT)
        .annotate(
            booked=Count("bookings", filter=booked),
            needing_access=Count(
                "bookings",
                filter=booked & ~Q(bookings__registration__accessibility_needs=""),
            ),
        )
        .order_by("starts_at", "title")
    )
    return [
        SiteVisitAccess(session, session.booked, session.needing_access) for session in sessions
    ]


def badges_by_category(conference: Conference) -> list[Tally]:
    """Badges to print: confirmed delegates per category, every category listed."""
    counts = dict(
        _confirmed_registrations(conference)
        .order_by()
        .values("category")
        .annotate(count=Count("pk"))
        .values_list("category", "count")
    )
    return [
        Tally(category.value, str(category.label), counts.get(category.value, 0))
        for category in Registration.Category
    ]


def conference_dashboard(
    conference: Conference, *, special_needs: bool, now: datetime.datetime | None = None
) -> Dashboard:
    """Every figure of the dashboard. Without `special_needs` (the permission to see dietary
    and accessibility needs) those figures are not even counted."""
    return Dashboard(
        conference=conference,
        statuses=registrations_by_status(conference),
        registrations_per_day=registrations_per_day(conference, now=now),
        countries=delegates_by_country(conference),
        authority_kinds=delegates_by_authority_kind(conference),
        membership=delegates_by_membership(conference),
        sessions=session_fill(conference),
        check_in=check_in_progress(conference),
        headsets=headsets_needed(conference),
        badges=badges_by_category(conference),
        meals=meal_sheet(conference) if special_needs else None,
        site_visit_access=site_visit_access(conference) if special_needs else None,
        network=network_figures(conference),
        questions=question_figures(conference, special_needs=special_needs),
    )
