"""The dashboard's figures as anonymous counts, kept before the purge removes what they are
counted from: the needs (a week after the conference) and the people (the final purge). What is
kept is counts and the keys they count (a status, a country, a session's title), never a need's
words, which a delegate wrote and may identify them."""

import datetime
from collections.abc import Callable

from django.db import transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from conference.models import SESSION_LANGUAGES, Conference
from registrations.models import Authority, Registration, RetainedFigures
from registrations.organiser.dashboard import conference_dashboard

# One line of the figures: what is counted, where (a day, a session), which item, how many.
FigureRow = dict[str, str | int]

# Figures counted from delegates' dietary and accessibility needs: only for staff who may see
# those needs (view_special_needs), even as counts.
SPECIAL_NEEDS_FIGURES = frozenset({"meals", "site_visit_access"})


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


# What each figure counts, for a reader of the export; its key stays beside it for a program.
FIGURE_LABELS = {
    "registrations_by_status": _("Registrations by status"),
    "registrations_per_day": _("Registrations per day"),
    "delegates_by_country": _("Delegates by country"),
    "delegates_by_authority_kind": _("Delegates by kind of authority"),
    "delegates_by_membership": _("Delegates by membership of the network"),
    "session_bookings": _("Session places"),
    "check_ins": _("Check-in"),
    "interpretation_headsets": _("Interpretation headsets by language"),
    "badges_by_category": _("Badges by category"),
    "meals": _("Meals"),
    "site_visit_access": _("Site visits and accessibility needs"),
}

_FIXED_ITEM_LABELS = {
    "members": _("Members of the network"),
    "non_members": _("Non-members"),
    "booked": _("Places taken"),
    "waiting": _("On the waiting list"),
    "confirmed": _("Confirmed delegates"),
    "confirmed_checked_in": _("Confirmed delegates checked in"),
    "checked_in": _("Everyone checked in"),
    "with_dietary_needs": _("With dietary needs"),
    "without_dietary_needs": _("Without dietary needs"),
    "needing_access": _("With accessibility needs"),
}


def _choice_labels(choices) -> Callable[[str], str]:
    labels = dict(choices)
    return lambda key: str(labels.get(key, key))


# Items whose key is a value of a list kept elsewhere: named from that list when exported, so
# figures kept before a translation changed read in today's words.
_ITEM_LABELS_BY_FIGURE: dict[str, Callable[[str], str]] = {
    "registrations_by_status": _choice_labels(Registration.Status.choices),
    "delegates_by_country": lambda code: str(countries.name(code)) or code,
    "delegates_by_authority_kind": _choice_labels(Authority.Kind.choices),
    "interpretation_headsets": _choice_labels(SESSION_LANGUAGES),
    "badges_by_category": _choice_labels(Registration.Category.choices),
}


def figure_labels(row: FigureRow) -> tuple[str, str]:
    """The figure's and the item's names in the active language (the organiser's), for the
    export's readers; a key this code does not know (kept by an older version) is shown as it
    is."""
    figure, item = str(row["figure"]), str(row["item"])
    figure_label = str(FIGURE_LABELS.get(figure, figure))
    if not item:
        return figure_label, ""
    # A status "confirmed" is not the check-in figure "confirmed": the figure decides first.
    if figure in _ITEM_LABELS_BY_FIGURE:
        return figure_label, _ITEM_LABELS_BY_FIGURE[figure](item)
    return figure_label, str(_FIXED_ITEM_LABELS.get(item, item))


def figure_columns() -> list[tuple[str, Callable[[FigureRow], str | int]]]:
    """The export's columns, headers in the active language: each key beside its name."""
    return [
        (gettext("Figure"), lambda row: figure_labels(row)[0]),
        (gettext("Figure key"), lambda row: row["figure"]),
        (gettext("Day or session"), lambda row: row["where"]),
        (gettext("Item"), lambda row: figure_labels(row)[1]),
        (gettext("Item key"), lambda row: row["item"]),
        (gettext("Count"), lambda row: row["count"]),
    ]
