"""The XLSX row writer writes each row's XML itself (writers._row_writer): the workbook must be
the one xlsxwriter writes cell by cell, byte for byte, whatever the cells hold, but for a text
xlsxwriter would write as raw XML (test_xlsx_injection)."""

import datetime as dt
import io
import zipfile
from decimal import Decimal

import pytest

from registrations.organiser.exports import writers
from registrations.organiser.exports.columns import CellType, Column

COLUMNS = [
    Column("Text", lambda row: row[0]),
    Column("Number", lambda row: row[1], CellType.NUMBER),
    Column("Date", lambda row: row[2], CellType.DATE),
    Column("Moment", lambda row: row[3], CellType.DATETIME),
    Column("More text", lambda row: row[4]),
]

MOMENT = dt.datetime(2027, 1, 30, 8, 15)

ROWS = [
    ("Anna", 1, dt.date(2027, 1, 30), MOMENT, "Nowak"),
    ("", None, None, None, None),  # an empty row: nothing written
    ("a & b < c > d", Decimal("12.50"), None, MOMENT, '"quoted"'),
    (" leading", 2.5, dt.date(1900, 1, 1), None, "trailing "),
    ("line\nbreak", True, None, None, "tab\tinside"),  # a bool among numbers is its text
    ("bell\x07", 3, None, None, "x"),  # a control character: xlsxwriter's escape
    ("_x0041_", None, None, None, "y"),  # what looks like its escape
    ("<r>not rich<r>", None, None, None, "<r>"),  # rich-looking at one end only
    ("nul\x00inside", None, None, None, "w"),  # the joining character itself
    ("\ufffe", None, None, None, None),
    ("long " * 7000, None, None, None, "v"),  # over XLSX's limit: truncated
    ("=1+2", float("1e20"), None, None, 42),  # a number in a text column
    ("Ünïcödé Łucja Παπαδόπουλος", 0, dt.date(2027, 2, 1), MOMENT, "Шевченко"),
]


def _parts(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        # docProps/core.xml holds the time the file was made.
        return {
            name: archive.read(name) for name in archive.namelist() if name != "docProps/core.xml"
        }


def _cell_by_cell(sheet, workbook, columns):
    """Each cell through xlsxwriter: text with write_string (the header in bold), numbers
    with write_number, dates with write_datetime; nothing for None or empty text."""
    formats = writers._date_formats(workbook)

    def write(row, values, cell_format=None):
        if sheet.table:
            sheet._write_single_row(row)
        for index, value in enumerate(values):
            kind = columns[index].type
            if cell_format is not None:
                sheet.write_string(row, index, value, cell_format)
            elif value is None or value == "":
                continue
            elif (
                kind is CellType.NUMBER
                and isinstance(value, int | float | Decimal)
                and not isinstance(value, bool)
            ):
                sheet.write_number(row, index, value)
            elif kind in formats:
                sheet.write_datetime(row, index, value, formats[kind])
            else:
                sheet.write_string(row, index, value if type(value) is str else str(value))

    return write


@pytest.mark.parametrize("rows", [ROWS, ROWS[::-1], ROWS * 3, ROWS[:1]])
def test_rows_are_written_as_xlsxwriter_writes_them_cell_by_cell(tmp_path, monkeypatch, rows):
    fast = tmp_path / "fast.xlsx"
    writers.xlsx_write(rows, COLUMNS, str(fast), sheet_name="Attendees")
    monkeypatch.setattr(writers, "_row_writer", _cell_by_cell)
    reference = tmp_path / "reference.xlsx"
    writers.xlsx_write(rows, COLUMNS, str(reference), sheet_name="Attendees")

    written, expected = _parts(fast), _parts(reference)
    # The names of the parts that differ (comparing the parts themselves makes a slow diff).
    assert written.keys() == expected.keys()
    assert [name for name in written if written[name] != expected[name]] == []


def test_an_unwritable_number_fails_as_xlsxwriter_does():
    with pytest.raises(TypeError):
        writers.xlsx_write(
            [("nan", float("nan"), None, None, "")], COLUMNS, io.BytesIO(), sheet_name="A"
        )
