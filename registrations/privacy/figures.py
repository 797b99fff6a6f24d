"""The dashboard's figures as anonymous counts, kept before the purge removes what they are
counted from: the needs (a week after the conference) and the people (the final purge). What is
kept is counts and the keys they count (a status, a country, a session's title), never a need's
words, which a delegate wrote and may identify them."""

import datetime

from django.db import transaction

from conference.models import Conference
from registrations.models import RetainedFigures
from registrations.organiser.dashboard import conference_dashboard

# One line of the figures: what is counted, where (a day, a session), which item, how many.
FigureRow = dict[str, str | int]


def _row(figure: str, where: str, item: str, count: int) -> FigureRow:
    return {"figure": figure, "where": where, "item": item, "count": count}


def conference_figures_now(
    conference: Conference, *, now: datetime.datetime | None = None
) -> list[FigureRow]:
    """The dashboard's figures as they are now, needs as counts only."""
    dashboard = conference_dashboard(conference, special_needs=True, now=now)
    rows = [_row("registrations_by_status", "", t.key, t.count) for t in dashboard.statuses]
    rows += [
        _row("registrations_per_day", day.day.isoformat(), "", day.count)
        for day in dashboard.registrations_per_day
    ]
    rows += [_row("delegates_by_country", "", t.key, t.count) for t in dashboard.countries]
    rows += [
        _row("delegates_by_authority_kind", "", t.key, t.count) for t in dashboard.authority_kinds
    ]
    rows += [_row("delegates_by_membership", "", t.key, t.count) for t in dashboard.membership]
    for fill in dashboard.sessions:
        rows.append(_row("session_bookings", fill.session.title, "booked", fill.booked))
        rows.append(_row("session_bookings", fill.session.title, "waiting", fill.waiting))
    check_in = dashboard.check_in
    rows += [
        _row("check_ins", "", "confirmed", check_in.confirmed),
        _row("check_ins", "", "confirmed_checked_in", check_in.confirmed_checked_in),
        _row("check_ins", "", "checked_in", check_in.checked_in),
    ]
    for headsets in dashboard.headsets:
        rows += [
            _row("interpretation_headsets", headsets.session.title, t.key, t.count)
            for t in headsets.languages
        ]
    rows += [_row("badges_by_category", "", t.key, t.count) for t in dashboard.badges]
    meals = dashboard.meals
    assert meals is not None  # asked for with special needs
    with_needs = sum(need.count for need in meals.needs)
    rows += [
        _row("meals", "", "with_dietary_needs", with_needs),
        _row("meals", "", "without_dietary_needs", meals.without_needs),
    ]
    for visit in dashboard.site_visit_access or []:
        rows.append(_row("site_visit_access", visit.session.title, "booked", visit.booked))
        rows.append(
            _row("site_visit_access", visit.session.title, "needing_access", visit.needing_access)
        )
    return rows


def conference_figures_keep(
    *, conference: Conference, now: datetime.datetime, dry_run: bool = False
) -> bool:
    """Keep the figures once, before the first purge that would change them. Later purges keep
    this first copy: it is the one taken while everything was there. Returns whether it was
    taken now."""
    if dry_run:
        return not RetainedFigures.objects.filter(conference=conference).exists()
    with transaction.atomic():
        if RetainedFigures.objects.filter(conference=conference).exists():
            return False
        RetainedFigures.objects.create(
            conference=conference, figures=conference_figures_now(conference), taken_at=now
        )
    return True


def conference_figures(conference: Conference) -> tuple[list[FigureRow], datetime.datetime | None]:
    """The figures to export: those kept before the purge, or today's while there are none;
    and when they were taken (None: now)."""
    retained = RetainedFigures.objects.filter(conference=conference).first()
    if retained is not None:
        return retained.figures, retained.taken_at
    return conference_figures_now(conference), None
