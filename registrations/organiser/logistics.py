"""The dashboard's logistics figures as lines of a spreadsheet, for caterers, interpreters and
the venue: the day a date, the count a number, so that the sheet sorts, filters and sums."""

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext

from registrations.organiser.dashboard import Dashboard
from registrations.organiser.exports.columns import CellType, Column
from registrations.questions.figures import QuestionFigures


@dataclass(frozen=True)
class LogisticsLine:
    figure: str
    day: datetime.date | None  # the day of the meals or of the session; None: the whole event
    session: str  # the session's start time and title, for the figures per session
    item: str
    count: int


def logistics_lines(dashboard: Dashboard) -> list[LogisticsLine]:
    """The logistics figures as lines for a spreadsheet: meals per day, interpretation headsets
    per session and language, access needs per site visit (the last two only when the dashboard
    holds special needs), badges per category."""
    lines = []
    tz = dashboard.conference.tzinfo
    if dashboard.meals is not None:
        meals = gettext("Meals")
        for day in dashboard.meals.days:
            for need in dashboard.meals.needs:
                lines.append(LogisticsLine(meals, day, "", need.label, need.count))
            lines.append(
                LogisticsLine(
                    meals, day, "", gettext("No dietary need"), dashboard.meals.without_needs
                )
            )
    for headsets in dashboard.headsets:
        start = timezone.localtime(headsets.session.starts_at, tz)
        session = f"{start:%H:%M} {headsets.session.title}"
        for language in headsets.languages:
            lines.append(
                LogisticsLine(
                    gettext("Interpretation headsets"),
                    start.date(),
                    session,
                    language.label,
                    language.count,
                )
            )
    if dashboard.site_visit_access is not None:
        for visit in dashboard.site_visit_access:
            start = timezone.localtime(visit.session.starts_at, tz)
            session = f"{start:%H:%M} {visit.session.title}"
            figure = gettext("Site visits")
            lines.append(
                LogisticsLine(figure, start.date(), session, gettext("Booked"), visit.booked)
            )
            lines.append(
                LogisticsLine(
                    figure,
                    start.date(),
                    session,
                    gettext("Needing accessible arrangements"),
                    visit.needing_access,
                )
            )
    if dashboard.questions is not None:
        lines += answered_meal_lines(dashboard.questions)
    for category in dashboard.badges:
        lines.append(LogisticsLine(gettext("Badges"), None, "", category.label, category.count))
    return lines


def answered_meal_lines(figures: QuestionFigures) -> list[LogisticsLine]:
    """The meals confirmed delegates chose (the built-in meals question), each with its takers
    per diet (the built-in diet question, a choice: exact counts) when the figures hold them."""
    figure = gettext("Meals chosen")
    lines = []
    for meal in figures.meals:
        lines.append(LogisticsLine(figure, meal.day, "", meal.choice.label, meal.count))
        for diet in meal.diets or ():
            item = f"{meal.choice.label}: {diet.label}"
            lines.append(LogisticsLine(figure, meal.day, "", item, diet.count))
        if meal.without_diet is not None:
            item = f"{meal.choice.label}: {gettext('No dietary requirement')}"
            lines.append(LogisticsLine(figure, meal.day, "", item, meal.without_diet))
    return lines


def logistics_columns() -> list[Column]:
    return [
        Column(gettext("Figure"), lambda line: line.figure),
        Column(gettext("Day"), lambda line: line.day, CellType.DATE),
        Column(gettext("Session"), lambda line: line.session),
        Column(gettext("Item"), lambda line: line.item),
        Column(gettext("Count"), lambda line: line.count, CellType.NUMBER),
    ]
