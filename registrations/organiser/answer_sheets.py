"""The sheets read from the answers, for the caterers and the transfer company: the gala
dinner's guests, the arrivals and departures, and the transfers per hour. Typed columns: a
time is a date and time, a count a number, so that the sheet sorts, filters and sums."""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext

from conference.models import Conference
from registrations.organiser.exports.columns import CellType, Column
from registrations.questions.figures import (
    gala_guests,
    transfer_hours,
    travel_legs,
)

GALA = "gala"
TRAVEL = "travel"
TRANSFER_HOURS = "transfer_hours"


def _direction(direction: str) -> str:
    return gettext("Arrival") if direction == "arrival" else gettext("Departure")


def gala_columns(*, special_needs: bool) -> list[Column]:
    columns = [
        Column(gettext("Reference"), lambda guest: guest.reference),
        Column(gettext("Last name"), lambda guest: guest.last_name),
        Column(gettext("First name"), lambda guest: guest.first_name),
        Column(gettext("City or region"), lambda guest: guest.authority),
        Column(gettext("Country code"), lambda guest: guest.country),
    ]
    if special_needs:
        columns.append(Column(gettext("Dietary requirements"), lambda guest: guest.diet))
    return columns


def travel_columns() -> list[Column]:
    return [
        Column(gettext("Direction"), lambda leg: _direction(leg.direction)),
        Column(gettext("Day"), lambda leg: leg.at.date(), CellType.DATE),
        Column(gettext("Time"), lambda leg: leg.at.replace(tzinfo=None), CellType.DATETIME),
        Column(gettext("Place"), lambda leg: leg.place_label),
        Column(gettext("Flight or train number"), lambda leg: leg.number),
        Column(gettext("Reference"), lambda leg: leg.reference),
        Column(gettext("Last name"), lambda leg: leg.last_name),
        Column(gettext("First name"), lambda leg: leg.first_name),
    ]


def transfer_hour_columns() -> list[Column]:
    return [
        Column(gettext("Direction"), lambda hour: _direction(hour.direction)),
        Column(gettext("Day"), lambda hour: hour.hour.date(), CellType.DATE),
        Column(gettext("Hour"), lambda hour: hour.hour.replace(tzinfo=None), CellType.DATETIME),
        Column(gettext("Airport"), lambda hour: hour.airport, CellType.NUMBER),
        Column(gettext("Railway station"), lambda hour: hour.station, CellType.NUMBER),
        Column(gettext("Other or not given"), lambda hour: hour.other, CellType.NUMBER),
        Column(gettext("Total"), lambda hour: hour.total, CellType.NUMBER),
    ]


@dataclass(frozen=True)
class AnswerSheet:
    name: str  # the file's and the sheet's name
    rows: list
    columns: list[Column]


SHEET_NAMES: dict[str, Callable[[], str]] = {
    GALA: lambda: gettext("Gala dinner"),
    TRAVEL: lambda: gettext("Arrivals and departures"),
    TRANSFER_HOURS: lambda: gettext("Transfers per hour"),
}


def answer_sheet(conference: Conference, sheet: str, *, special_needs: bool) -> AnswerSheet:
    """One of the sheets (GALA, TRAVEL, TRANSFER_HOURS) of confirmed delegates' answers;
    KeyError for another name."""
    name = SHEET_NAMES[sheet]()
    if sheet == GALA:
        guests = gala_guests(conference, special_needs=special_needs)
        return AnswerSheet(name, guests, gala_columns(special_needs=special_needs))
    legs = travel_legs(conference)
    if sheet == TRAVEL:
        return AnswerSheet(name, legs, travel_columns())
    return AnswerSheet(name, transfer_hours(legs), transfer_hour_columns())
