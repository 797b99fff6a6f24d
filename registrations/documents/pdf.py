"""What every PDF shares: the fonts, and fitting text into a width."""

import functools
from pathlib import Path

from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

# DejaVu Sans ships with the project (see fonts/README.md): it covers Latin with every European
# diacritic, Greek and Cyrillic, and a fresh server may have no fonts at all.
FONTS_DIR = Path(__file__).resolve().parent / "fonts"

FONT = "DejaVuSans"

FONT_BOLD = "DejaVuSans-Bold"


@functools.cache
def fonts_register() -> None:
    """Registers the fonts with ReportLab, once per process (parsing them takes a while)."""
    pdfmetrics.registerFont(TTFont(FONT, str(FONTS_DIR / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(FONTS_DIR / "DejaVuSans-Bold.ttf")))
    pdfmetrics.registerFontFamily(
        FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD
    )


def size_to_fit(text: str, font: str, width: float, largest: float) -> float:
    natural = pdfmetrics.stringWidth(text, font, 1)
    return min(largest, width / natural) if natural else largest


def fit_lines(
    text: str, *, font: str, width: float, largest: float, smallest: float, max_lines: int
) -> tuple[list[str], float]:
    """The largest size, from `largest` down to `smallest`, at which the text wraps into
    `max_lines` lines or fewer; at `smallest`, however many lines it takes."""
    size = largest
    while True:
        lines = simpleSplit(text, font, size, width)
        if len(lines) <= max_lines or size <= smallest:
            break
        size = max(size - 0.5, smallest)
    # A single word wider than the badge: shrink it rather than let it run off the edge.
    widest = max((pdfmetrics.stringWidth(line, font, size) for line in lines), default=0)
    if widest > width:
        size = size * width / widest
    return lines, size
