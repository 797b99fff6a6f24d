"""The dashboard's logistics figures as lines of a spreadsheet, for caterers, interpreters and
the venue."""

from dataclasses import dataclass

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from registrations.organiser.dashboard import Dashboard


@dataclass(frozen=True)
class LogisticsLine:
    figure: str
    where: str  # the day, or the session
    item: str
    count: int


def logistics_lines(dashboard: Dashboard) -> list[LogisticsLine]:
    """The logistics figures as lines for a spreadsheet: meals per day, interpretation headsets
    per session and language, access needs per site visit (the last two only when the dashboard
    holds special needs), badges per category."""
    lines = []
    tz = dashboard.conference.tzinfo
    if dashboard.meals is not None:
        for day in dashboard.meals.days:
            where = date_format(day, "DATE_FORMAT")
            for need in dashboard.meals.needs:
                lines.append(LogisticsLine(gettext("Meals"), where, need.label, need.count))
            lines.append(
                LogisticsLine(
                    gettext("Meals"),
                    where,
                    gettext("No dietary need"),
                    dashboard.meals.without_needs,
                )
            )
    for headsets in dashboard.headsets:
        start = timezone.localtime(headsets.session.starts_at, tz)
        where = f"{date_format(start, 'SHORT_DATETIME_FORMAT')} · {headsets.session.title}"
        for language in headsets.languages:
            lines.append(
                LogisticsLine(
                    gettext("Interpretation headsets"), where, language.label, language.count
                )
            )
    if dashboard.site_visit_access is not None:
        for visit in dashboard.site_visit_access:
            lines.append(
                LogisticsLine(
                    gettext("Site visits"), visit.session.title, gettext("Booked"), visit.booked
                )
            )
            lines.append(
                LogisticsLine(
                    gettext("Site visits"),
                    visit.session.title,
                    gettext("Needing accessible arrangements"),
                    visit.needing_access,
                )
            )
    for category in dashboard.badges:
        lines.append(LogisticsLine(gettext("Badges"), "", category.label, category.count))
    return lines


def logistics_columns() -> list:
    return [
        (gettext("Figure"), lambda line: line.figure),
        (gettext("Day or session"), lambda line: line.where),
        (gettext("Item"), lambda line: line.item),
        (gettext("Count"), lambda line: line.count),
    ]
