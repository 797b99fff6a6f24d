"""The dashboard's charts, drawn on the server as inline SVG: no JavaScript and no third party,
readable by screen readers (each chart has a summary and a table of the same figures beside
it) and printable. The geometry is computed here; the markup is in
templates/admin/registrations/charts/."""

import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext, ngettext

from registrations.organiser.dashboard import Dashboard, Tally
from registrations.questions.figures import ChoiceTally, QuestionFigures

# Geometry in SVG user units; the SVG scales to the width of its column (CSS), text with it.
CHART_WIDTH = 640

BAR_LABEL_WIDTH = 210

BAR_FIGURE_WIDTH = 150

BAR_HEIGHT = 18

# About as many characters as fit beside a bar, and above it, at 13 units a letter's height.
BAR_LABEL_CHARS = 26

BAR_LABEL_CHARS_ABOVE = 80

COLUMN_CHART_HEIGHT = 220

COLUMN_MARGINS = {"top": 18, "right": 8, "bottom": 40, "left": 40}

COLUMN_MAX_LABELS = 12

COLUMN_VALUES_UP_TO = 31  # beyond this many columns their figures would overlap

SUMMARY_ITEMS = 5


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    figure: str  # the figure written at the end of the bar
    limit: int | None = None  # drawn as an outline the bar fills, e.g. a session's capacity


def _number(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


class Chart:
    """A chart's geometry; its markup is its template's. Rendered where a template prints it."""

    template_name: str

    def __html__(self) -> SafeString:
        # The template's output is escaped already; only the file's final newline goes.
        return mark_safe(render_to_string(self.template_name, {"chart": self}).strip())

    __str__ = __html__


@dataclass(frozen=True)
class BarRow:
    label: str
    short_label: str
    figure: str
    label_x: int
    label_y: str
    anchor: str
    top: int
    width: str
    figure_x: str
    figure_y: str
    track_width: str | None  # the outline of the limit, if the bar has one


@dataclass(frozen=True)
class BarChart(Chart):
    summary: str
    width: int
    height: int
    bar_x: int
    bar_height: int
    rows: list[BarRow]
    template_name = "admin/registrations/charts/bar_chart.html"


@dataclass(frozen=True)
class GridLine:
    value: int
    y: str
    label_y: str
    stroke_width: str


@dataclass(frozen=True)
class ColumnShape:
    label: str
    figure: str
    x: str
    y: str
    width: str
    height: str
    centre: str
    value: int | None  # written above the column, when there is room
    value_y: str
    labelled: bool  # whether its label is written below the axis


@dataclass(frozen=True)
class ColumnChart(Chart):
    summary: str
    width: int
    height: int
    left: int
    right: int
    axis_label_x: int
    label_y: int
    grid: list[GridLine]
    columns: list[ColumnShape]
    template_name = "admin/registrations/charts/column_chart.html"


def chart_summary(title: str, bars: Sequence[Bar]) -> str:
    """What the chart shows, in words, for those who cannot see it: the first figures, and
    where to find the others."""
    if not bars:
        return gettext("%(title)s: no figures yet.") % {"title": title}
    shown = "; ".join(f"{bar.label}: {bar.figure}" for bar in bars[:SUMMARY_ITEMS])
    more = len(bars) - SUMMARY_ITEMS
    if more > 0:
        return ngettext(
            "%(title)s: %(shown)s; and %(more)d more in the table.",
            "%(title)s: %(shown)s; and %(more)d more in the table.",
            more,
        ) % {"title": title, "shown": shown, "more": more}
    return f"{title}: {shown}."


def bar_chart(bars: Sequence[Bar], *, title: str, labels_above: bool = False) -> BarChart:
    """Horizontal bars, one a row: label, bar, figure. A bar with a limit sits in an outline
    as long as the limit, so that fullness reads from shapes and words, not colour. Long
    labels (session titles) go above their bar, on the chart's whole width."""
    if labels_above:
        label_width, label_chars, row_height, bar_offset = 0, BAR_LABEL_CHARS_ABOVE, 46, 20
    else:
        label_width, label_chars, row_height, bar_offset = BAR_LABEL_WIDTH, BAR_LABEL_CHARS, 28, 4
    bar_x = label_width + 8 if label_width else 0
    bar_space = CHART_WIDTH - bar_x - BAR_FIGURE_WIDTH
    largest = max([max(bar.value, bar.limit or 0) for bar in bars] + [1])
    scale = bar_space / largest
    rows = []
    for position, bar in enumerate(bars):
        top = position * row_height + bar_offset
        bar_text_y = _number(top + BAR_HEIGHT / 2 + 4.5)
        if labels_above:
            label_x, label_y, anchor = 0, _number(top - 6), "start"
        else:
            label_x, label_y, anchor = label_width, bar_text_y, "end"
        width = bar.value * scale
        if bar.value:
            width = max(width, 2)  # a single delegate stays visible
        rows.append(
            BarRow(
                label=bar.label,
                short_label=Truncator(bar.label).chars(label_chars),
                figure=bar.figure,
                label_x=label_x,
                label_y=label_y,
                anchor=anchor,
                top=top,
                width=_number(width),
                figure_x=_number(bar_x + max(bar.value, bar.limit or 0) * scale + 6),
                figure_y=bar_text_y,
                track_width=(_number(max(bar.limit * scale, 2)) if bar.limit is not None else None),
            )
        )
    return BarChart(
        summary=chart_summary(title, bars),
        width=CHART_WIDTH,
        height=max(len(bars), 1) * row_height + bar_offset + 4,
        bar_x=bar_x,
        bar_height=BAR_HEIGHT,
        rows=rows,
    )


def _axis_maximum(largest: int) -> int:
    """A round top for the value axis, halved for its middle line: 4, 10, 20, 50, 100…"""
    if largest <= 4:
        return max(largest + largest % 2, 2)
    magnitude = 10 ** math.floor(math.log10(largest))
    steps = (10, 20, 25, 50, 100)  # tenths of the magnitude; 2.5 only where it stays whole
    return next(
        step * magnitude // 10
        for step in steps
        if step * magnitude >= 10 * largest and step * magnitude % 10 == 0
    )


def column_chart(columns: Sequence[Bar], *, summary: str) -> ColumnChart:
    """Vertical columns over time (days, hours), labelled below at regular intervals."""
    margins = COLUMN_MARGINS
    plot_width = CHART_WIDTH - margins["left"] - margins["right"]
    plot_height = COLUMN_CHART_HEIGHT - margins["top"] - margins["bottom"]
    baseline = margins["top"] + plot_height
    top_value = _axis_maximum(max([column.value for column in columns] + [0]))
    step = plot_width / max(len(columns), 1)
    column_width = min(step * 0.75, 48)
    label_every = math.ceil(len(columns) / COLUMN_MAX_LABELS) or 1
    # A middle line only where it falls on a whole number.
    values = (0, top_value // 2, top_value) if top_value % 2 == 0 else (0, top_value)
    grid = []
    for value in values:
        y = baseline - plot_height * value / top_value
        grid.append(
            GridLine(
                value=value,
                y=_number(y),
                label_y=_number(y + 4),
                stroke_width="1" if value == 0 else "0.5",
            )
        )
    shapes = []
    for position, column in enumerate(columns):
        centre = margins["left"] + step * (position + 0.5)
        height = plot_height * column.value / top_value
        if column.value:
            height = max(height, 2)
        shapes.append(
            ColumnShape(
                label=column.label,
                figure=column.figure,
                x=_number(centre - column_width / 2),
                y=_number(baseline - height),
                width=_number(column_width),
                height=_number(height),
                centre=_number(centre),
                value=(
                    column.value if len(columns) <= COLUMN_VALUES_UP_TO and column.value else None
                ),
                value_y=_number(baseline - height - 4),
                labelled=position % label_every == 0,
            )
        )
    return ColumnChart(
        summary=summary,
        width=CHART_WIDTH,
        height=COLUMN_CHART_HEIGHT,
        left=margins["left"],
        right=CHART_WIDTH - margins["right"],
        axis_label_x=margins["left"] - 6,
        label_y=baseline + 18,
        grid=grid,
        columns=shapes,
    )


def _tally_bars(tallies: Sequence[Tally | ChoiceTally]) -> list[Bar]:
    return [Bar(tally.label, tally.count, str(tally.count)) for tally in tallies]


def _time_summary(title: str, columns: Sequence[Bar], total: int) -> str:
    if not total:
        return gettext("%(title)s: none yet.") % {"title": title}
    busiest = max(columns, key=lambda column: column.value)
    return gettext("%(title)s: %(total)d in all; busiest: %(busiest)s (%(count)d).") % {
        "title": title,
        "total": total,
        "busiest": busiest.label,
        "count": busiest.value,
    }


def dashboard_charts(dashboard: Dashboard) -> dict:
    """Every chart of the page, by name; `check_in_days` holds (day, chart) pairs."""
    per_day = [
        Bar(date_format(day.day, "j M"), day.count, str(day.count))
        for day in dashboard.registrations_per_day
    ]
    sessions = [
        Bar(
            fill.session.title,
            fill.booked,
            gettext("%(booked)d / %(capacity)s · %(waiting)d waiting")
            % {
                "booked": fill.booked,
                "capacity": fill.capacity if fill.capacity is not None else "∞",
                "waiting": fill.waiting,
            },
            limit=fill.capacity,
        )
        for fill in dashboard.sessions
    ]
    progress = dashboard.check_in
    charts = {
        "statuses": bar_chart(
            _tally_bars(dashboard.statuses), title=gettext("Registrations by status")
        ),
        "per_day": column_chart(
            per_day,
            summary=_time_summary(
                gettext("Registrations per day"),
                per_day,
                sum(day.count for day in dashboard.registrations_per_day),
            ),
        ),
        "countries": bar_chart(
            _tally_bars(dashboard.countries), title=gettext("Delegates by country")
        ),
        "authority_kinds": bar_chart(
            _tally_bars(dashboard.authority_kinds),
            title=gettext("Delegates by kind of authority"),
        ),
        "membership": bar_chart(
            _tally_bars(dashboard.membership),
            title=gettext("Delegates of members and non-members"),
        ),
        "sessions": bar_chart(
            sessions, title=gettext("Places booked in each session"), labels_above=True
        ),
        "check_in": bar_chart(
            [
                Bar(
                    gettext("Confirmed delegates checked in"),
                    progress.confirmed_checked_in,
                    gettext("%(arrived)d / %(confirmed)d (%(percentage)d%%)")
                    % {
                        "arrived": progress.confirmed_checked_in,
                        "confirmed": progress.confirmed,
                        "percentage": progress.percentage,
                    },
                    limit=progress.confirmed,
                )
            ],
            title=gettext("Check-in progress"),
            labels_above=True,
        ),
        "badges": bar_chart(
            _tally_bars(dashboard.badges), title=gettext("Badges to print by category")
        ),
    }
    check_in_days = []
    for day in progress.days:
        hours = [
            Bar(date_format(hour.hour, "H:i"), hour.count, str(hour.count)) for hour in day.hours
        ]
        title = gettext("Arrivals per hour on %(day)s") % {"day": date_format(day.day, "l j F")}
        chart = column_chart(
            hours, summary=_time_summary(title, hours, sum(hour.count for hour in day.hours))
        )
        check_in_days.append((day, chart))
    return {
        **charts,
        "check_in_days": check_in_days,
        **(answer_charts(dashboard.questions) if dashboard.questions is not None else {}),
    }


def answer_charts(figures: QuestionFigures) -> dict:
    """The charts of the answers: `question_counts` holds (counts, chart) pairs, one per
    question someone answered; `meals` the takers of each meal, once someone chose one."""
    return {
        "question_counts": [
            (counts, bar_chart(_tally_bars(counts.choices), title=counts.question.label))
            for counts in figures.counts
            if counts.answered
        ],
        "meals": bar_chart(
            [Bar(meal.choice.label, meal.count, str(meal.count)) for meal in figures.meals],
            title=gettext("Meals chosen"),
        )
        if figures.meals_taken
        else None,
    }
