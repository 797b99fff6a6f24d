"""Reading back the XLSX files the exports write: with openpyxl when it is installed (the dev
extra brings it, through django-import-export), otherwise from the sheet's XML."""

import io
import zipfile
from xml.etree import ElementTree

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
SHEET = "xl/worksheets/sheet1.xml"


def sheet_xml(data: bytes) -> ElementTree.Element:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return ElementTree.fromstring(archive.read(SHEET))


def _text(cell: ElementTree.Element) -> str:
    # constant_memory mode writes strings inline; a shared string would need sharedStrings.xml.
    assert cell.get("t") == "inlineStr", cell.attrib
    return "".join(node.text or "" for node in cell.iter(f"{MAIN}t"))


def _column(reference: str) -> int:
    letters = "".join(char for char in reference if char.isalpha())
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number - 1


def read_xlsx(data: bytes) -> list[list[str]]:
    """The sheet's rows, each padded with "" to the header's width."""
    try:
        import openpyxl
    except ImportError:
        rows = []
        for row in sheet_xml(data).iter(f"{MAIN}row"):
            cells: dict[int, str] = {
                _column(cell.get("r")): _text(cell) for cell in row.iter(f"{MAIN}c")
            }
            rows.append(cells)
        width = max(rows[0]) + 1
        return [[cells.get(index, "") for index in range(width)] for cells in rows]
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    return [
        ["" if value is None else value for value in row]
        for row in workbook.worksheets[0].iter_rows(values_only=True)
    ]


def cell_types(data: bytes) -> set[str | None]:
    """The `t` attribute of every cell: "inlineStr" for text; a formula would be "str" with an
    <f> child, a number would have none."""
    return {cell.get("t") for cell in sheet_xml(data).iter(f"{MAIN}c")}


def has_formula(data: bytes) -> bool:
    return any(True for _formula in sheet_xml(data).iter(f"{MAIN}f"))
