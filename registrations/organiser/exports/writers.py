"""CSV and XLSX writers. Rows are written as they are read, so memory stays flat whatever the
number of registrations: CSV streams CHUNK_SIZE lines at a time, XLSX is written by xlsxwriter
in constant-memory mode, which sends each finished row to a temporary file."""

import csv
import io
import itertools
import math
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal
from typing import IO, Any

import xlsxwriter
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from xlsxwriter.utility import _utf16_len, _utf16_truncate, xl_col_to_name
from xlsxwriter.xmlwriter import XMLwriter

from registrations.errors import ExportTooLargeError
from registrations.models import ExportFormat, Registration
from registrations.organiser.exports.columns import (
    CellType,
    ColumnLike,
    Row,
    as_columns,
    cell_text,
    csv_value,
    delegation_columns,
    spreadsheet_safe,
    spreadsheet_safe_row,
)
from registrations.organiser.exports.csv_sql import CsvLines, attendee_csv_lines
from registrations.organiser.exports.questions import attendee_columns_with_questions
from registrations.organiser.exports.selectors import attendee_rows

CHUNK_SIZE = 2000

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

XLSX_MAX_ROWS = 1_048_575  # a worksheet's 1,048,576 rows, less the header

# Columns are as wide as their header and first rows need, within these bounds (characters).
XLSX_WIDTH_SAMPLE = 200

XLSX_MIN_WIDTH, XLSX_MAX_WIDTH = 8, 50

# How XLSX shows its date cells: unambiguous in every language.
XLSX_NUMBER_FORMATS = {CellType.DATE: "yyyy-mm-dd", CellType.DATETIME: "yyyy-mm-dd hh:mm"}

UTF8_BOM = "\ufeff"

# Each CSV flavour's separator. Both begin with a byte-order mark (Excel reads the accents
# right) and end their lines with CRLF (the csv module's default).
CSV_DELIMITERS = {ExportFormat.CSV: ",", ExportFormat.CSV_EXCEL: ";"}

FILE_EXTENSIONS = {
    ExportFormat.CSV: "csv",
    ExportFormat.CSV_EXCEL: "csv",
    ExportFormat.XLSX: "xlsx",
}

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"


def content_type(export_format: str) -> str:
    return XLSX_CONTENT_TYPE if export_format == ExportFormat.XLSX else CSV_CONTENT_TYPE


def _batches(rows: Iterable[Row]) -> Iterator[list[Row]]:
    iterator = iter(rows)
    while batch := list(itertools.islice(iterator, CHUNK_SIZE)):
        yield batch


def _csv_getter(get: Callable[[object], object], cell_type: CellType) -> Callable[[object], object]:
    if cell_type is CellType.TEXT or getattr(get, "gives_csv_text", False):
        return get
    return lambda row: csv_value(get(row), cell_type)


def _csv_writer(export_format: str):
    """A csv writer of the flavour into a buffer, and a function that empties the buffer and
    returns what was written."""
    buffer = io.StringIO()
    writer = csv.writer(
        buffer, delimiter=CSV_DELIMITERS[ExportFormat(export_format)], quoting=csv.QUOTE_ALL
    )

    def drained() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    return writer, drained


def csv_header(columns: Sequence[ColumnLike], *, export_format: str = ExportFormat.CSV) -> str:
    """The beginning of a CSV file of the columns: the byte-order mark and the header line."""
    writer, drained = _csv_writer(export_format)
    writer.writerow([spreadsheet_safe(column.label) for column in as_columns(columns)])
    return UTF8_BOM + drained()


def csv_stream(
    rows: Iterable[Row],
    columns: Sequence[ColumnLike],
    *,
    export_format: str = ExportFormat.CSV,
) -> Iterator[str]:
    """UTF-8 CSV text in the flavour of `export_format` (CSV_DELIMITERS), the header line first,
    beginning with a byte-order mark so that Excel reads accents right, then CHUNK_SIZE lines
    at a time (a line per piece of a streamed response costs more than writing it). Numbers
    and dates are written as text a spreadsheet reads back as such (CSV_DATETIME_FORMAT). Every
    field is quoted, so a separator in the data never splits it for a reader that uses ours;
    spreadsheet_safe disarms formulas for readers that split on another one."""
    writer, drained = _csv_writer(export_format)
    typed = as_columns(columns)
    getters = [_csv_getter(column.get, column.type) for column in typed]
    yield csv_header(typed, export_format=export_format)
    for batch in _batches(rows):
        writer.writerows([spreadsheet_safe_row([get(row) for get in getters]) for row in batch])
        yield drained()


def attendee_csv_in_sql(
    queryset: QuerySet[Registration],
    *,
    special_needs: bool = False,
    export_format: str = ExportFormat.CSV,
) -> CsvLines | None:
    """The attendee list's CSV lines written by PostgreSQL (exports.csv_sql), the same text as
    attendee_csv_in_python(); None where the database cannot write them."""
    return attendee_csv_lines(
        queryset,
        special_needs=special_needs,
        delimiter=CSV_DELIMITERS[ExportFormat(export_format)],
        chunk_size=CHUNK_SIZE,
    )


def attendee_csv(
    queryset: QuerySet[Registration],
    *,
    special_needs: bool = False,
    export_format: str = ExportFormat.CSV,
) -> Iterator[str]:
    """The attendee list as CSV text, the header first, then CHUNK_SIZE lines at a time:
    written by PostgreSQL where it can (attendee_csv_in_sql), else in Python. The columns,
    questions and labels are read at the call, the rows as the text is read."""
    built = attendee_csv_in_sql(queryset, special_needs=special_needs, export_format=export_format)
    if built is None:
        return attendee_csv_in_python(
            queryset, special_needs=special_needs, export_format=export_format
        )
    return _header_then(csv_header(built.columns, export_format=export_format), built.chunks)


def _header_then(header: str, chunks: Iterator[str]) -> Iterator[str]:
    # A generator, so that the response closes it when the download stops halfway: closing
    # ends the COPY and its transaction at once (itertools.chain has no close() to call).
    yield header
    yield from chunks


def attendee_csv_in_python(
    queryset: QuerySet[Registration],
    *,
    special_needs: bool = False,
    export_format: str = ExportFormat.CSV,
) -> Iterator[str]:
    """The attendee list as CSV, each cell read from the row by its column (the reference
    the database's lines are held to)."""
    return csv_stream(
        attendee_rows(queryset, special_needs=special_needs, chunk_size=CHUNK_SIZE),
        attendee_columns_with_questions(
            queryset, special_needs=special_needs, export_format=export_format
        ),
        export_format=export_format,
    )


def _width_text(value: object, cell_type: CellType) -> str:
    # As wide as the CSV writes it: XLSX_NUMBER_FORMATS show dates as long.
    return cell_text(value) if cell_type is CellType.TEXT else csv_value(value, cell_type)


def _date_formats(workbook) -> dict:
    """XLSX_NUMBER_FORMATS as the workbook's formats, added once per workbook."""
    if not hasattr(workbook, "_export_date_formats"):
        workbook._export_date_formats = {
            cell_type: workbook.add_format({"num_format": number_format})
            for cell_type, number_format in XLSX_NUMBER_FORMATS.items()
        }
    return workbook._export_date_formats


# Strings whose XML is not just the escaped text: control characters and what looks like
# their _xHHHH_ escapes, non-characters, strings over XLSX's limit. The separator joining a
# row's strings (to look at them in one search) is a control character too: a string holding
# it is found by counting.
_XLSX_SEPARATOR = "\x00"
_XLSX_UNUSUAL = re.compile(r"[\x01-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_")
_XLSX_ESCAPED = re.compile("[&<>]")
_XLSX_LONG_STRING = 32767 // 2  # below it a string cannot exceed XLSX's 32,767 UTF-16 units
_XLSX_MAX_STRING = 32767


def _escaped_xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _unusual_string(text: str) -> str:
    """A string's text as xlsxwriter writes it in a cell: cut to XLSX's limit, control
    characters as _xHHHH_ (and a literal _xHHHH_ kept literal)."""
    if len(text) > _XLSX_LONG_STRING and _utf16_len(text) > _XLSX_MAX_STRING:
        text = _utf16_truncate(text, _XLSX_MAX_STRING)
    return XMLwriter._escape_control_characters(text)


def _string_cell(reference: str, style: str, text: str, escaped: str) -> str:
    preserve = ' xml:space="preserve"' if text and (text[0].isspace() or text[-1].isspace()) else ""
    return f'<c r="{reference}"{style} t="inlineStr"><is><t{preserve}>{escaped}</t></is></c>'


def _row_writer(sheet, workbook, columns: Sequence) -> Callable[..., None]:
    """How a row of cells is written: as XML straight to the worksheet's row file, as
    xlsxwriter writes each cell in constant-memory mode, without its bookkeeping per cell
    (most of an export's time: 20 to 40 cells a row). Text becomes a string cell (never
    evaluated: a formula stays text and needs no prefix), numbers numbers, dates and moments
    dates in their format; nothing is written for None or empty text. Every string is written
    escaped, as its text: xlsxwriter writes one that begins with <r> and ends with </r> as
    raw XML (it takes it for a rich string), which would let a delegate's text put cells,
    formulas included, into the sheet. The sheet must have no row or column formats.
    `write(row, cells, cell_format=None)`: with a format, every cell of the row has it and
    every value is written as text, even empty (the header)."""
    letters = [xl_col_to_name(index) for index in range(len(columns))]
    formats = _date_formats(workbook)
    kinds = [column.type for column in columns]
    # A format's index is given when a cell first uses it, as xlsxwriter does.
    styles: dict[CellType, str] = {}
    convert = sheet._convert_date_time

    def write(row: int, cells: list, cell_format=None) -> None:
        number = str(row + 1)
        parts: list[Any] = []  # cells' XML, and (column, text) for strings until escaped
        strings = []
        if cell_format is not None:
            for index in (0, len(cells) - 1):
                sheet._check_dimensions(row, index)
        for index, value in enumerate(cells):
            if cell_format is not None:
                text = value if type(value) is str else str(value)
                strings.append(text)
                parts.append((index, text))
                continue
            if value is None or value == "":
                continue
            kind = kinds[index]
            if kind is CellType.NUMBER and (
                isinstance(value, int | float | Decimal) and not isinstance(value, bool)
            ):
                if type(value) is not int and not math.isfinite(value):
                    raise TypeError(  # as xlsxwriter's write_number()
                        "NAN/INF not supported in write_number() "
                        "without 'nan_inf_to_errors' Workbook() option"
                    )
                parts.append(f'<c r="{letters[index]}{number}"><v>{value:.16G}</v></c>')
            elif kind is CellType.DATE or kind is CellType.DATETIME:
                if kind not in styles:
                    styles[kind] = f' s="{formats[kind]._get_xf_index()}"'
                parts.append(
                    f'<c r="{letters[index]}{number}"{styles[kind]}>'
                    f"<v>{convert(value):.16G}</v></c>"
                )
            else:
                text = value if type(value) is str else str(value)
                strings.append(text)
                parts.append((index, text))
        if not parts:
            return
        if strings:
            style = "" if cell_format is None else f' s="{cell_format._get_xf_index()}"'
            joined = _XLSX_SEPARATOR.join(strings)
            if (
                _XLSX_UNUSUAL.search(joined)
                or joined.count(_XLSX_SEPARATOR) != len(strings) - 1
                or any(len(text) > _XLSX_LONG_STRING for text in strings)
            ):
                # The whitespace kept is the written text's, as xlsxwriter decides it.
                written = [_unusual_string(text) for text in strings]
                escaped = [_escaped_xml(text) for text in written]
            else:
                written = strings
                escaped = (
                    _escaped_xml(joined).split(_XLSX_SEPARATOR)
                    if _XLSX_ESCAPED.search(joined)
                    else strings
                )
            position = 0
            for place, part in enumerate(parts):
                if type(part) is tuple:
                    parts[place] = _string_cell(
                        f"{letters[part[0]]}{number}",
                        style,
                        written[position],
                        escaped[position],
                    )
                    position += 1
        sheet.previous_row = row
        sheet._write_row(row, None)
        sheet.fh.write("".join(parts))
        sheet.fh.write("</row>")
        if sheet.dim_rowmax is None or row > sheet.dim_rowmax:
            sheet.dim_rowmax = row

    return write


def xlsx_write_text(sheet, row: int, col: int, text: str, cell_format=None) -> None:
    """sheet.write_string(), safe for any text: xlsxwriter writes a string that begins with
    <r> and ends with </r> as raw XML (it takes it for a rich string), so such a text is
    written as a rich string of three runs in the cell's font, which shows it as it is."""
    if not (text.startswith("<r>") and text.endswith("</r>")):
        sheet.write_string(row, col, text, cell_format)
        return
    pieces = [text[:1], text[1:2], text[2:]]
    if cell_format is None:
        sheet.write_rich_string(row, col, *pieces)
    else:
        sheet.write_rich_string(
            row,
            col,
            *itertools.chain.from_iterable((cell_format, piece) for piece in pieces),
            cell_format,
        )


def xlsx_write(
    rows: Iterable[Row],
    columns: Sequence[ColumnLike],
    output: str | IO[bytes],
    *,
    sheet_name: str,
    on_progress: Callable[[int], None] | None = None,
) -> int:
    """Write the rows to an XLSX workbook in `output` (a path, or a binary file open for
    writing) and return how many there were. Each cell is written as its column's type
    (_row_writer): a spreadsheet sums the numbers and sorts the dates, and text that looks
    like a formula, a number or a link stays text, shown as it is, with no prefix.
    `on_progress` is called with the rows written so far, every CHUNK_SIZE rows."""
    typed = as_columns(columns)
    # xlsxwriter's temporary files hold the rows until close(): a directory of our own is
    # removed with them however the writing ends.
    with tempfile.TemporaryDirectory(prefix="export-") as tmpdir:
        workbook = xlsxwriter.Workbook(
            output,
            {
                "constant_memory": True,
                "in_memory": False,
                "tmpdir": tmpdir,
                "strings_to_formulas": False,
                "strings_to_numbers": False,
                "strings_to_urls": False,
            },
        )
        sheet = workbook.add_worksheet(sheet_name[:31])
        header = [cell_text(column.label) for column in typed]
        getters = [column.get for column in typed]
        values = ([get(row) for get in getters] for row in rows)
        # Constant-memory mode writes rows in order and never goes back: widths are decided
        # from the first rows, which are held until then.
        first = list(itertools.islice(values, XLSX_WIDTH_SAMPLE))
        for index, label in enumerate(header):
            cell_type = typed[index].type
            lengths = (len(_width_text(cells[index], cell_type)) for cells in first)
            width = max([len(label), *lengths]) + 2
            sheet.set_column(index, index, min(max(width, XLSX_MIN_WIDTH), XLSX_MAX_WIDTH))
        bold = workbook.add_format({"bold": True})
        sheet.freeze_panes(1, 0)
        write_row = _row_writer(sheet, workbook, typed)
        write_row(0, header, bold)
        count = 0
        for cells in itertools.chain(first, values):
            count += 1
            if count > XLSX_MAX_ROWS:
                raise ExportTooLargeError(f"more than {XLSX_MAX_ROWS} rows")
            write_row(count, cells)
            if on_progress is not None and count % CHUNK_SIZE == 0:
                on_progress(count)
        sheet.autofilter(0, 0, count, len(header) - 1)
        workbook.close()
    return count


def xlsx_temporary_file(
    rows: Iterable[Row], columns: Sequence[ColumnLike], *, sheet_name: str
) -> tuple[IO[bytes], int]:
    """The rows as an XLSX workbook in an anonymous temporary file, rewound, and their count.
    The file disappears when it is closed, e.g. by the FileResponse that sends it."""
    output = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 (the response closes it)
    try:
        count = xlsx_write(rows, columns, output, sheet_name=sheet_name)
    except BaseException:
        output.close()
        raise
    output.seek(0)
    return output, count


def export_filename(kind: str, export_format: str) -> str:
    extension = FILE_EXTENSIONS[ExportFormat(export_format)]
    return f"{kind}-{timezone.localdate():%Y-%m-%d}.{extension}"


def attendee_export_write(
    *,
    registrations: QuerySet[Registration],
    export_format: ExportFormat,
    path: str,
    special_needs: bool = False,
    on_progress: Callable[[int], None] | None = None,
) -> int:
    """Write the attendee list to a file; returns how many rows."""
    if export_format != ExportFormat.XLSX:
        built = attendee_csv_in_sql(
            registrations, special_needs=special_needs, export_format=export_format
        )
        if built is not None:
            with open(path, "w", encoding="utf-8", newline="") as text_file:
                text_file.write(csv_header(built.columns, export_format=export_format))
                for text in built.chunks:
                    text_file.write(text)
                    if on_progress is not None and built.rows % CHUNK_SIZE == 0:
                        on_progress(built.rows)
            return built.rows
    columns = attendee_columns_with_questions(
        registrations, special_needs=special_needs, export_format=export_format
    )
    rows = attendee_rows(registrations, special_needs=special_needs, chunk_size=CHUNK_SIZE)
    if export_format == ExportFormat.XLSX:
        # Opened first: xlsxwriter would only open it once every row is written.
        with open(path, "wb") as output:
            return xlsx_write(
                rows, columns, output, sheet_name=_("Attendees"), on_progress=on_progress
            )
    count = 0

    def counted() -> Iterator[tuple]:
        nonlocal count
        for count, row in enumerate(rows, start=1):  # noqa: B007 (read by the loop below)
            yield row

    with open(path, "w", encoding="utf-8", newline="") as text_file:
        for text in csv_stream(counted(), columns, export_format=export_format):
            text_file.write(text)
            if on_progress is not None and count and count % CHUNK_SIZE == 0:
                on_progress(count)
    return count


def delegation_csv(
    registrations: QuerySet[Registration], *, export_format: str = ExportFormat.CSV
) -> Iterator[str]:
    return csv_stream(
        registrations.iterator(chunk_size=2000), delegation_columns(), export_format=export_format
    )
