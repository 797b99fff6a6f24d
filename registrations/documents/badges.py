"""Badges: A6, one per page or four per A4 sheet with cutting marks, a signed QR code each."""

import itertools
from collections.abc import Iterable
from io import BytesIO

from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext
from reportlab.graphics.barcode import qrencoder
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4, A6
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from conference.models import Conference
from registrations.documents.pdf import FONT, FONT_BOLD, fit_lines, fonts_register, size_to_fit
from registrations.documents.tokens import badge_token
from registrations.models import Registration

BADGE_WIDTH, BADGE_HEIGHT = A6

MARGIN = 7 * mm

CONTENT_WIDTH = BADGE_WIDTH - 2 * MARGIN

BAND_HEIGHT = 18 * mm

QR_SIZE = 30 * mm

TEXT = HexColor("#1a1a1a")

MUTED = HexColor("#404040")

RULE = CUT_MARK = HexColor("#808080")

CUT_MARK_LENGTH = 8 * mm

# The category is told by a word on a coloured band, never by the colour alone; each band's
# text colour keeps a contrast ratio of at least 7:1 (WCAG AAA) against it.
CATEGORY_COLOURS: dict[str, tuple[str, str]] = {
    Registration.Category.DELEGATE: ("#0b4f6c", "#ffffff"),
    Registration.Category.ELECTED_OFFICIAL: ("#6a1b4d", "#ffffff"),
    Registration.Category.SPEAKER: ("#9b1c1c", "#ffffff"),
    Registration.Category.PRESS: ("#f5c518", "#000000"),
    Registration.Category.EXHIBITOR: ("#a8dcb4", "#000000"),
    Registration.Category.STAFF: ("#1a1a1a", "#ffffff"),
}

# An A4 sheet holds four A6 badges, two by two; the slack (1 mm in height) is shared out.
SHEET_COLUMNS, SHEET_ROWS = 2, 2

SHEET_MARGIN_X = (A4[0] - SHEET_COLUMNS * BADGE_WIDTH) / 2

SHEET_MARGIN_Y = (A4[1] - SHEET_ROWS * BADGE_HEIGHT) / 2


def badge_qr_payload(registration: Registration) -> str:
    """What the badge's QR code carries: the signed token the check-in desk reads."""
    return badge_token(registration)


def qr_modules(payload: str) -> list[list[bool]]:
    """The QR code's matrix, dark modules True, with ReportLab's own encoder. Level M survives
    a scratched or bent badge; the token is short enough to keep the modules large."""
    code = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    code.addData(payload)
    code.make()
    return [[bool(module) for module in row] for row in code.modules]


def conference_dates_text(conference: Conference) -> str:
    """The conference's dates, as in 12–14 May 2026, in the active language."""
    start, end = conference.start_date, conference.end_date
    if start == end:
        return date_format(start, "j F Y")
    if (start.year, start.month) == (end.year, end.month):
        return f"{date_format(start, 'j')}–{date_format(end, 'j F Y')}"
    if start.year == end.year:
        return f"{date_format(start, 'j F')} – {date_format(end, 'j F Y')}"
    return f"{date_format(start, 'j F Y')} – {date_format(end, 'j F Y')}"


NAME_LARGEST = 30

# Fewer lines read better: a name takes one more line only if on fewer it is smaller than this.
NAME_SMALLEST_ON = {1: 22, 2: 18, 3: 0}


def fit_name(name: str, width: float = CONTENT_WIDTH) -> tuple[list[str], float]:
    """The delegate's name as large as it fits, on one to three lines, split where the font
    can be largest."""
    words = name.split() or [name]
    best_lines, best_size = [name], 0.0
    for line_count, smallest in NAME_SMALLEST_ON.items():
        if line_count > len(words):
            break
        for cuts in itertools.combinations(range(1, len(words)), line_count - 1):
            bounds = [0, *cuts, len(words)]
            lines = [" ".join(words[a:b]) for a, b in itertools.pairwise(bounds)]
            size = min(size_to_fit(line, FONT_BOLD, width, NAME_LARGEST) for line in lines)
            if size > best_size:
                best_lines, best_size = lines, size
        if best_size >= smallest:
            break
    return best_lines, best_size


CAP_HEIGHT = 0.73  # of DejaVu Sans, in ems

DESCENT = 0.24


def _lines_height(lines: list[str], *, size: float, leading: float) -> float:
    return size * (CAP_HEIGHT + DESCENT) + (len(lines) - 1) * leading


def _draw_lines(
    canvas: Canvas, lines: list[str], *, font: str, size: float, top: float, leading: float
) -> float:
    """Draws centred lines, the first one's capitals reaching `top`; returns their bottom."""
    canvas.setFont(font, size)
    baseline = top - size * CAP_HEIGHT
    for line in lines:
        canvas.drawCentredString(BADGE_WIDTH / 2, baseline, line)
        baseline -= leading
    return baseline + leading - size * DESCENT


def _draw_qr(canvas: Canvas, payload: str, *, x: float, y: float, size: float) -> None:
    modules = qr_modules(payload)
    module = size / len(modules)
    # One path for the whole code: abutting rectangles filled at once leave no hairline seams.
    path = canvas.beginPath()
    for row_index, row in enumerate(modules):
        row_y = y + size - (row_index + 1) * module
        column = 0
        for dark, run in itertools.groupby(row):
            length = len(list(run))
            if dark:
                path.rect(x + column * module, row_y, length * module, module)
            column += length
    canvas.setFillColor(HexColor("#000000"))
    canvas.drawPath(path, stroke=0, fill=1)


def _draw_badge(canvas: Canvas, registration: Registration, dates: str) -> None:
    """Draws one badge with its lower left corner at the origin, in the active language."""
    conference = registration.conference
    canvas.setFillColor(TEXT)

    # The conference, at the top.
    lines, size = fit_lines(
        conference.name, font=FONT_BOLD, width=CONTENT_WIDTH, largest=12, smallest=9, max_lines=2
    )
    bottom = _draw_lines(
        canvas, lines, font=FONT_BOLD, size=size, top=BADGE_HEIGHT - MARGIN, leading=size * 1.2
    )
    canvas.setFillColor(MUTED)
    header_bottom = _draw_lines(
        canvas,
        [f"{dates} · {conference.venue.city}"],
        font=FONT,
        size=9,
        top=bottom - 2 * mm,
        leading=11,
    )
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.5)
    canvas.line(MARGIN, header_bottom - 2 * mm, BADGE_WIDTH - MARGIN, header_bottom - 2 * mm)

    # The category, as a word on a coloured band, at the bottom.
    background, foreground = CATEGORY_COLOURS[registration.category]
    canvas.setFillColor(HexColor(background))
    canvas.roundRect(MARGIN, MARGIN, CONTENT_WIDTH, BAND_HEIGHT, 2 * mm, stroke=0, fill=1)
    category = registration.get_category_display().upper()
    size = size_to_fit(category, FONT_BOLD, CONTENT_WIDTH - 8 * mm, 22)
    canvas.setFillColor(HexColor(foreground))
    canvas.setFont(FONT_BOLD, size)
    canvas.drawCentredString(BADGE_WIDTH / 2, MARGIN + (BAND_HEIGHT - size * 0.72) / 2, category)

    # The QR code for the check-in desk, with the reference below it for typing by hand.
    canvas.setFillColor(MUTED)
    canvas.setFont(FONT, 8)
    reference_y = MARGIN + BAND_HEIGHT + 3 * mm
    canvas.drawCentredString(BADGE_WIDTH / 2, reference_y, registration.reference)
    qr_y = reference_y + 6 * mm  # above the reference, with a quiet zone of 4 modules
    _draw_qr(
        canvas,
        badge_qr_payload(registration),
        x=(BADGE_WIDTH - QR_SIZE) / 2,
        y=qr_y,
        size=QR_SIZE,
    )

    # The delegate, their authority and its country, centred in the space between.
    name_lines, name_size = fit_name(registration.name_on_badge)
    authority_lines, authority_size = fit_lines(
        registration.authority.name,
        font=FONT,
        width=CONTENT_WIDTH,
        largest=14,
        smallest=10,
        max_lines=2,
    )
    blocks = [
        (name_lines, FONT_BOLD, name_size, name_size * 1.1, TEXT, 0),
        (authority_lines, FONT, authority_size, authority_size * 1.2, TEXT, 5 * mm),
        ([str(registration.authority.country.name)], FONT, 11, 13, MUTED, 2 * mm),
    ]
    height = sum(
        gap + _lines_height(lines, size=size, leading=leading)
        for lines, _font, size, leading, _colour, gap in blocks
    )
    space_top, space_bottom = header_bottom - 2 * mm, qr_y + QR_SIZE
    bottom = space_bottom + (space_top - space_bottom + height) / 2
    for lines, font, size, leading, colour, gap in blocks:
        canvas.setFillColor(colour)
        bottom = _draw_lines(canvas, lines, font=font, size=size, top=bottom - gap, leading=leading)


def _draw_cut_marks(canvas: Canvas, x: float, y: float) -> None:
    """Short lines along the edges at each corner of the badge whose lower left corner is at
    (x, y): the guillotine follows them. Those at the page's edge fall partly in the printer's
    unprintable margin, which is why they are long."""
    canvas.setStrokeColor(CUT_MARK)
    canvas.setLineWidth(0.5)
    for corner_x, corner_y, towards_x, towards_y in (
        (x, y, 1, 1),
        (x + BADGE_WIDTH, y, -1, 1),
        (x, y + BADGE_HEIGHT, 1, -1),
        (x + BADGE_WIDTH, y + BADGE_HEIGHT, -1, -1),
    ):
        canvas.line(corner_x, corner_y, corner_x + towards_x * CUT_MARK_LENGTH, corner_y)
        canvas.line(corner_x, corner_y, corner_x, corner_y + towards_y * CUT_MARK_LENGTH)


def _sheet_origin(index: int) -> tuple[float, float]:
    """Where the badge at this place on its sheet goes: left to right, top to bottom."""
    column, row = index % SHEET_COLUMNS, index // SHEET_COLUMNS
    x = SHEET_MARGIN_X + column * BADGE_WIDTH
    y = A4[1] - SHEET_MARGIN_Y - (row + 1) * BADGE_HEIGHT
    return x, y


def badges_pdf(registrations: Iterable[Registration], *, layout: str = "sheet") -> bytes:
    """The badges in the order given: "sheet" puts four on each A4 page, with cutting marks;
    "single" one on each A6 page. Pass registrations with their conference, venue and
    authority selected, or each badge costs queries; and at least one."""
    if layout not in ("sheet", "single"):
        raise ValueError(f"unknown badge layout {layout!r}")
    fonts_register()
    buffer = BytesIO()
    canvas = Canvas(buffer, pagesize=A4 if layout == "sheet" else A6, pageCompression=1)
    canvas.setTitle(gettext("Badges"))
    canvas.setCreator("conference-registration")
    per_page = SHEET_COLUMNS * SHEET_ROWS if layout == "sheet" else 1
    # Dates are formatted per conference and language, not per badge.
    dates: dict[tuple[int, str], str] = {}
    count = 0
    for count, registration in enumerate(registrations, start=1):
        place = (count - 1) % per_page
        if count > 1 and place == 0:
            canvas.showPage()
        with translation.override(registration.preferred_language):
            key = (registration.conference_id, registration.preferred_language)
            if key not in dates:
                dates[key] = conference_dates_text(registration.conference)
            canvas.saveState()
            if layout == "sheet":
                x, y = _sheet_origin(place)
                _draw_cut_marks(canvas, x, y)
                canvas.translate(x, y)
            _draw_badge(canvas, registration, dates[key])
            canvas.restoreState()
    if not count:
        raise ValueError("no badges to print")  # a PDF without pages is not a valid file
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
