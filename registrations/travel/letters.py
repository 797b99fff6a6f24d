"""The visa invitation letter: an A4 PDF on the conference's letterhead, in the language the
delegate chose for it, signed with the organisers' signatory and a verification reference."""

from io import BytesIO
from xml.sax.saxutils import escape

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from registrations.documents.pdf import FONT, FONT_BOLD, fonts_register
from registrations.models import VisaLetterRequest

ACCENT = HexColor("#0b4f6c")

MUTED = HexColor("#404040")

PAGE_WIDTH, PAGE_HEIGHT = A4

MARGIN = 22 * mm

LETTERHEAD_HEIGHT = 32 * mm


def visa_letter_filename(request: VisaLetterRequest) -> str:
    return f"visa-letter-{request.registration.reference}.pdf"


def visa_letter_verification_url(request: VisaLetterRequest) -> str:
    return settings.SITE_URL + reverse("visa_verify", kwargs={"reference": request.reference})


def _letterhead(canvas: Canvas, request: VisaLetterRequest) -> None:
    conference = request.registration.conference
    venue = conference.venue
    canvas.saveState()
    canvas.setFillColor(ACCENT)
    canvas.rect(0, PAGE_HEIGHT - 8 * mm, PAGE_WIDTH, 8 * mm, stroke=0, fill=1)
    top = PAGE_HEIGHT - 8 * mm - 10 * mm
    canvas.setFont(FONT_BOLD, 14)
    canvas.drawString(MARGIN, top, conference.organiser or conference.name)
    canvas.setFillColor(MUTED)
    canvas.setFont(FONT, 9)
    lines = [
        conference.name,
        f"{venue.name}, {venue.street_address}, {venue.postal_code} {venue.city}, "
        f"{venue.country.name}",
        " · ".join(part for part in (conference.website, conference.contact_email) if part),
    ]
    for index, line in enumerate(lines, start=1):
        canvas.drawString(MARGIN, top - index * 4.5 * mm, line)
    canvas.setStrokeColor(ACCENT)
    canvas.setLineWidth(0.75)
    rule = PAGE_HEIGHT - LETTERHEAD_HEIGHT - 6 * mm
    canvas.line(MARGIN, rule, PAGE_WIDTH - MARGIN, rule)
    canvas.setFont(FONT, 8)
    canvas.drawString(
        MARGIN,
        12 * mm,
        gettext("Verification reference %(reference)s – %(url)s")
        % {"reference": request.reference, "url": visa_letter_verification_url(request)},
    )
    canvas.restoreState()


def _qr_code(payload: str, size: float) -> Drawing:
    widget = QrCodeWidget(payload, barLevel="M")
    left, bottom, right, top = widget.getBounds()
    drawing = Drawing(
        size, size, transform=[size / (right - left), 0, 0, size / (top - bottom), 0, 0]
    )
    drawing.add(widget)
    return drawing


def _invitation_paragraphs(request: VisaLetterRequest) -> list[str]:
    """The letter's paragraphs as Paragraph markup, in the active language."""
    registration = request.registration
    conference = registration.conference
    venue = conference.venue
    values = {
        "name": f'<font name="{FONT_BOLD}">{escape(request.passport_name)}</font>',
        "birth": date_format(request.date_of_birth, "j F Y") if request.date_of_birth else "",
        "nationality": escape(request.nationality.name),
        "passport": f'<font name="{FONT_BOLD}">{escape(request.passport_number)}</font>',
        "job": escape(registration.job_title),
        "authority": escape(
            f"{registration.authority.name} ({registration.authority.country.name})"
        ),
        "conference": f'<font name="{FONT_BOLD}">{escape(conference.name)}</font>',
        "venue": escape(f"{venue.name}, {venue.city}, {venue.country.name}"),
        "start": date_format(conference.start_date, "j F Y"),
        "end": date_format(conference.end_date, "j F Y"),
        "arrival": date_format(request.stay_from, "j F Y"),
        "departure": date_format(request.stay_until, "j F Y"),
        "registration": escape(registration.reference),
        "organiser": escape(conference.organiser or conference.name),
    }
    return [
        gettext(
            "We are pleased to invite %(name)s, born on %(birth)s (nationality: "
            "%(nationality)s), holder of passport number %(passport)s, %(job)s at "
            "%(authority)s, to take part in %(conference)s, held at %(venue)s from %(start)s "
            "to %(end)s."
        )
        % values,
        gettext(
            "%(name)s is registered for the conference under the reference %(registration)s "
            "and intends to stay in the country from %(arrival)s to %(departure)s, for the "
            "purpose of the conference only."
        )
        % values,
        gettext(
            "This letter is an invitation to attend the conference. %(organiser)s does not "
            "undertake to cover the travel, accommodation or living expenses of the delegate, "
            "and this letter does not guarantee that a visa will be granted."
        )
        % values,
    ]


def visa_letter_pdf(request: VisaLetterRequest) -> bytes:
    """The letter in its language (the request's choice), whatever the active language."""
    fonts_register()
    conference = request.registration.conference
    with translation.override(request.letter_language):
        body = ParagraphStyle("body", fontName=FONT, fontSize=10.5, leading=15, spaceAfter=8)
        small = ParagraphStyle("small", parent=body, fontSize=9, leading=12, textColor=MUTED)
        title = ParagraphStyle(
            "title", parent=body, fontName=FONT_BOLD, fontSize=13, leading=17, spaceAfter=12
        )
        issued = request.reviewed_at or timezone.now()
        consulate = request.consulate_city
        story = [
            Paragraph(
                escape(
                    gettext("%(city)s, %(date)s")
                    % {
                        "city": conference.venue.city,
                        "date": date_format(timezone.localdate(issued), "j F Y"),
                    }
                ),
                ParagraphStyle("date", parent=body, alignment=2),
            ),
            Paragraph(
                escape(gettext("To the embassy or consulate in %(city)s") % {"city": consulate}),
                body,
            ),
            Spacer(1, 4 * mm),
            Paragraph(escape(gettext("Letter of invitation")), title),
            Paragraph(escape(gettext("Dear Sir or Madam,")), body),
            *(Paragraph(text, body) for text in _invitation_paragraphs(request)),
            Paragraph(
                escape(gettext("Yours faithfully,")),
                body,
            ),
            Spacer(1, 10 * mm),
        ]
        signatory = [
            Paragraph(
                f'<font name="{FONT_BOLD}">{escape(conference.letter_signatory_name)}</font>',
                body,
            ),
            Paragraph(escape(conference.letter_signatory_title), body),
            Paragraph(escape(conference.organiser or conference.name), body),
        ]
        verification = Paragraph(
            escape(
                gettext(
                    "The authenticity of this letter can be checked at the address below with its "
                    "verification reference %(reference)s, or by scanning this code."
                )
                % {"reference": request.reference}
            ),
            small,
        )
        qr_size = 28 * mm
        story.append(
            Table(
                [
                    [
                        signatory,
                        [verification],
                        _qr_code(visa_letter_verification_url(request), qr_size),
                    ]
                ],
                colWidths=[
                    (PAGE_WIDTH - 2 * MARGIN - qr_size) * 0.5,
                    (PAGE_WIDTH - 2 * MARGIN - qr_size) * 0.5,
                    qr_size,
                ],
                style=TableStyle(
                    [("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (0, 0), 0)]
                ),
            )
        )
        buffer = BytesIO()
        document = SimpleDocTemplate(
            buffer,
            pagesize=A4,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=LETTERHEAD_HEIGHT + 14 * mm,
            bottomMargin=22 * mm,
            title=gettext("Letter of invitation"),
            author=conference.organiser or conference.name,
            lang=request.letter_language,
        )

        def on_page(canvas: Canvas, _document) -> None:
            _letterhead(canvas, request)

        document.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return buffer.getvalue()
