"""Session rosters: who to expect at a session (a site visit's coach first), with a box to tick
each person off, on screen, as XLSX and as a PDF for the coach leader."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from io import BytesIO

import xlsxwriter
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from conference.models import Session
from registrations.documents.pdf import FONT, FONT_BOLD, fonts_register
from registrations.models import Registration, SessionBooking
from registrations.organiser.exports.writers import xlsx_write_text

# An empty box to tick on paper (DejaVu Sans has it).
CHECK_BOX = "☐"


@dataclass(frozen=True)
class RosterLine:
    registration: Registration
    name: str  # last name, first name: what the coach leader reads out
    authority: str
    country_code: str
    country: str
    phone: str  # E.164, or empty
    interpretation: str
    access_needs: str | None  # None: not shown to this user


@dataclass(frozen=True)
class Roster:
    session: Session
    booked: list[RosterLine]  # sorted by name
    waiting: list[RosterLine]  # in the waiting list's order
    special_needs: bool  # whether access needs are shown

    @property
    def starts_at(self) -> datetime.datetime:
        return timezone.localtime(self.session.starts_at, self.session.conference.tzinfo)

    @property
    def meeting_point(self) -> str:
        session = self.session
        if session.meeting_point:
            return session.meeting_point
        if session.room is not None:
            return session.room.name
        return session.location

    @property
    def meeting_time(self) -> datetime.time:
        return self.session.meeting_time or self.starts_at.time().replace(tzinfo=None)


def _line(registration: Registration, *, special_needs: bool) -> RosterLine:
    country = registration.authority.country
    return RosterLine(
        registration=registration,
        name=f"{registration.last_name}, {registration.first_name}",
        authority=registration.authority.name,
        country_code=country.code or "",
        country=str(country.name or ""),
        phone=registration.phone.as_e164 if registration.phone else "",
        interpretation=registration.get_interpretation_language_display(),
        access_needs=registration.accessibility_needs if special_needs else None,
    )


def session_roster(
    session: Session, *, special_needs: bool, name_key: Callable[[Registration], tuple]
) -> Roster:
    """The delegates holding a place in the session, sorted by `name_key` (the badge sheets'
    key, so that both change together), and below them the confirmed delegates waiting for a
    place, in the order places would go to them. Access needs only with `special_needs`."""
    bookings = (
        SessionBooking.objects.filter(session=session)
        .filter(registration__status=Registration.Status.CONFIRMED)
        .select_related("registration__authority")
        .order_by("created_at", "pk")
    )
    booked: list[RosterLine] = []
    waiting: list[RosterLine] = []
    for booking in bookings:
        line = _line(booking.registration, special_needs=special_needs)
        (booked if booking.status == SessionBooking.Status.BOOKED else waiting).append(line)
    booked.sort(key=lambda line: (*name_key(line.registration), line.registration.pk))
    return Roster(session=session, booked=booked, waiting=waiting, special_needs=special_needs)


def roster_headings(roster: Roster) -> list[str]:
    headings = [
        gettext("Name"),
        gettext("City or region"),
        gettext("Country code"),
        gettext("Country"),
        gettext("Phone"),
        gettext("Interpretation"),
    ]
    if roster.special_needs:
        headings.append(gettext("Access needs"))
    headings.append(gettext("Present"))
    return headings


def _cells(roster: Roster, line: RosterLine) -> list[str]:
    cells = [
        line.name,
        line.authority,
        line.country_code,
        line.country,
        line.phone,
        line.interpretation,
    ]
    if roster.special_needs:
        cells.append(line.access_needs or "")
    return cells


def _sections(roster: Roster) -> list[tuple[str, list[RosterLine]]]:
    """The booked delegates, then the waiting list when anyone waits."""
    sections = [(gettext("Booked delegates"), roster.booked)]
    if roster.waiting:
        sections.append((gettext("Waiting list"), roster.waiting))
    return sections


def roster_xlsx(roster: Roster) -> bytes:
    """The roster as a workbook: text cells written as text (never read as a formula), the
    day as a date and the meeting time as a time, and an empty column to tick."""
    output = BytesIO()
    workbook = xlsxwriter.Workbook(output, {"in_memory": True})
    sheet = workbook.add_worksheet(gettext("Roster")[:31])
    bold = workbook.add_format({"bold": True})
    date_cell = workbook.add_format({"num_format": "yyyy-mm-dd", "align": "left"})
    time_cell = workbook.add_format({"num_format": "hh:mm", "align": "left"})
    heading = workbook.add_format({"bold": True, "bottom": 1})
    box = workbook.add_format({"border": 1})
    xlsx_write_text(sheet, 0, 0, roster.session.title, bold)
    xlsx_write_text(sheet, 1, 0, gettext("Day"))
    sheet.write_datetime(1, 1, roster.starts_at.date(), date_cell)
    xlsx_write_text(sheet, 2, 0, gettext("Meeting point"))
    xlsx_write_text(sheet, 2, 1, roster.meeting_point)
    xlsx_write_text(sheet, 3, 0, gettext("Meeting time"))
    sheet.write_datetime(3, 1, roster.meeting_time, time_cell)
    headings = roster_headings(roster)
    row = 5
    for title, lines in _sections(roster):
        xlsx_write_text(sheet, row, 0, title, bold)
        row += 1
        for column, text in enumerate(headings):
            xlsx_write_text(sheet, row, column, text, heading)
        row += 1
        for line in lines:
            for column, text in enumerate(_cells(roster, line)):
                if text:  # an empty cell stays empty, not an empty text
                    xlsx_write_text(sheet, row, column, text)
            sheet.write_blank(row, len(headings) - 1, None, box)
            row += 1
        row += 1
    sheet.set_column(0, 1, 28)
    sheet.set_column(2, 2, 8)
    sheet.set_column(3, len(headings) - 2, 18)
    sheet.set_column(len(headings) - 1, len(headings) - 1, 9)
    workbook.close()
    return output.getvalue()


def roster_pdf(roster: Roster) -> bytes:
    """The roster on landscape A4 for the coach leader: the session, its meeting point and time,
    then a table of names with a box to tick; the waiting list below."""
    fonts_register()
    output = BytesIO()
    document = SimpleDocTemplate(
        output,
        pagesize=landscape(A4),
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
        title=roster.session.title,
    )
    title_style = ParagraphStyle("title", fontName=FONT_BOLD, fontSize=15, leading=19)
    text_style = ParagraphStyle("text", fontName=FONT, fontSize=10, leading=13)
    cell_style = ParagraphStyle("cell", fontName=FONT, fontSize=9, leading=11)
    heading_style = ParagraphStyle("heading", fontName=FONT_BOLD, fontSize=9, leading=11)
    meeting = gettext("Meeting point: %(place)s, at %(time)s") % {
        "place": roster.meeting_point or "—",
        "time": time_format(roster.meeting_time, "TIME_FORMAT"),
    }
    story: list = [
        Paragraph(_escape(roster.session.title), title_style),
        Paragraph(_escape(date_format(roster.starts_at, "DATE_FORMAT")), text_style),
        Paragraph(_escape(meeting), text_style),
        Spacer(1, 5 * mm),
    ]
    headings = roster_headings(roster)
    for title, lines in _sections(roster):
        story.append(Paragraph(_escape(f"{title} ({len(lines)})"), heading_style))
        story.append(Spacer(1, 2 * mm))
        rows = [[Paragraph(_escape(text), heading_style) for text in headings]]
        rows += [
            [Paragraph(_escape(text), cell_style) for text in _cells(roster, line)] + [CHECK_BOX]
            for line in lines
        ]
        table = Table(rows, repeatRows=1, hAlign="LEFT")
        table.setStyle(
            TableStyle(
                [
                    ("FONT", (0, 0), (-1, -1), FONT, 9),
                    ("FONTSIZE", (-1, 1), (-1, -1), 14),
                    ("ALIGN", (-1, 0), (-1, -1), "CENTER"),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                    ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
                ]
            )
        )
        story += [table, Spacer(1, 6 * mm)]
    document.build(story)
    return output.getvalue()


def _escape(text: str) -> str:
    # Paragraph reads a little markup: a name with "&" or "<" must stay text.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
