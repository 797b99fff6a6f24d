"""Certificates of attendance: an A4 landscape PDF in the delegate's language."""

from io import BytesIO
from xml.sax.saxutils import escape

from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext
from reportlab.lib.colors import HexColor
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

from registrations.documents.pdf import FONT, FONT_BOLD, fonts_register, size_to_fit
from registrations.models import Registration

PAGE_WIDTH, PAGE_HEIGHT = landscape(A4)

ACCENT = HexColor("#0b4f6c")

TEXT = HexColor("#1a1a1a")

MUTED = HexColor("#404040")

LINE_WIDTH = PAGE_WIDTH - 60 * mm


def certificate_filename(registration: Registration) -> str:
    return f"certificate-{registration.reference}.pdf"


def _attendance_sentence(registration: Registration) -> str:
    """The certifying sentence as Paragraph markup, the name in bold; in the active language."""
    conference = registration.conference
    venue = conference.venue
    values = {
        "name": f'<font name="{FONT_BOLD}" size="20">{escape(registration.name_on_badge)}</font>',
        "authority": escape(
            f"{registration.authority.name} ({registration.authority.country.name})"
        ),
        "conference": f'<font name="{FONT_BOLD}">{escape(conference.name)}</font>',
        "venue": escape(f"{venue.name}, {venue.city}"),
    }
    start, end = conference.start_date, conference.end_date
    if start == end:
        values["date"] = date_format(start, "j F Y")
        return (
            gettext(
                "This is to certify that %(name)s, %(authority)s, attended %(conference)s, "
                "held at %(venue)s on %(date)s."
            )
            % values
        )
    values["start"] = date_format(start, "j F" if start.year == end.year else "j F Y")
    values["end"] = date_format(end, "j F Y")
    return (
        gettext(
            "This is to certify that %(name)s, %(authority)s, attended %(conference)s, "
            "held at %(venue)s from %(start)s to %(end)s."
        )
        % values
    )


def _draw_certificate(canvas: Canvas, registration: Registration) -> None:
    conference = registration.conference
    centre = PAGE_WIDTH / 2

    # A double frame, inset from the edge so that office printers keep all of it.
    canvas.setStrokeColor(ACCENT)
    canvas.setLineWidth(2.5)
    canvas.rect(12 * mm, 12 * mm, PAGE_WIDTH - 24 * mm, PAGE_HEIGHT - 24 * mm)
    canvas.setLineWidth(0.75)
    canvas.rect(15 * mm, 15 * mm, PAGE_WIDTH - 30 * mm, PAGE_HEIGHT - 30 * mm)

    canvas.setFillColor(ACCENT)
    canvas.setFont(FONT_BOLD, 30)
    canvas.drawCentredString(centre, PAGE_HEIGHT - 48 * mm, gettext("Certificate of attendance"))
    canvas.setFillColor(MUTED)
    canvas.setFont(FONT, size_to_fit(conference.name, FONT, LINE_WIDTH, 14))
    canvas.drawCentredString(centre, PAGE_HEIGHT - 60 * mm, conference.name)
    canvas.setStrokeColor(ACCENT)
    canvas.setLineWidth(0.75)
    canvas.line(centre - 30 * mm, PAGE_HEIGHT - 68 * mm, centre + 30 * mm, PAGE_HEIGHT - 68 * mm)

    style = ParagraphStyle(
        "certificate",
        fontName=FONT,
        fontSize=16,
        leading=30,
        alignment=TA_CENTER,
        textColor=TEXT,
    )
    paragraph = Paragraph(_attendance_sentence(registration), style)
    _width, height = paragraph.wrapOn(canvas, PAGE_WIDTH - 80 * mm, PAGE_HEIGHT)
    # Centred between the rule under the title and the organisers' name.
    space_top, space_bottom = PAGE_HEIGHT - 72 * mm, 52 * mm
    paragraph.drawOn(canvas, 40 * mm, space_bottom + (space_top - space_bottom - height) / 2)

    # The organisers, and the reference by which the certificate can be checked.
    canvas.setFillColor(TEXT)
    if conference.organiser:
        canvas.setFont(FONT, 11)
        canvas.drawCentredString(centre, 42 * mm, gettext("For the organisers"))
        canvas.setFont(FONT_BOLD, size_to_fit(conference.organiser, FONT_BOLD, LINE_WIDTH, 13))
        canvas.drawCentredString(centre, 35 * mm, conference.organiser)
    canvas.setFillColor(MUTED)
    canvas.setFont(FONT, 9)
    canvas.drawRightString(
        PAGE_WIDTH - 22 * mm,
        21 * mm,
        gettext("Reference: %(reference)s") % {"reference": registration.reference},
    )


def certificate_pdf(registration: Registration) -> bytes:
    """The certificate, in the delegate's language. Whether they attended is the caller's to
    check (`registration_attended`)."""
    fonts_register()
    buffer = BytesIO()
    with translation.override(registration.preferred_language):
        canvas = Canvas(buffer, pagesize=landscape(A4), pageCompression=1)
        canvas.setTitle(gettext("Certificate of attendance"))
        canvas.setCreator("conference-registration")
        _draw_certificate(canvas, registration)
        canvas.showPage()
        canvas.save()
    return buffer.getvalue()
