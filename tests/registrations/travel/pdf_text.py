"""The text of a ReportLab PDF, read back through its fonts' ToUnicode maps (neither pypdf nor
pdfminer is installed): what a reader's search or copy would get from it."""

import base64
import re
import zlib

_OBJECT = re.compile(rb"(\d+) 0 obj\s*(.*?)endobj", re.DOTALL)
_STREAM = re.compile(rb"stream\r?\n", re.DOTALL)
_FONT_REFERENCE = re.compile(rb"/(F\d+(?:\+\d+)?) (\d+) 0 R")
_TOKEN = re.compile(
    rb"/(F\d+(?:\+\d+)?) [\d.]+ Tf|\(((?:\\.|[^\\)])*)\)|\bT[dD]\b|T\*|\bET\b", re.DOTALL
)
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def _stream(body: bytes) -> bytes:
    match, length = _STREAM.search(body), re.search(rb"/Length (\d+)", body)
    if match is None or length is None:
        return b""
    data = body[match.end() : match.end() + int(length[1])]
    if b"ASCII85Decode" in body:
        data = base64.a85decode(data.strip().removesuffix(b"~>"))
    return zlib.decompress(data) if b"FlateDecode" in body else data


def _unescape(raw: bytes) -> bytes:
    def replace(match: re.Match) -> bytes:
        escaped = match[1]
        if escaped[:1].isdigit():
            return bytes([int(escaped, 8)])
        return _ESCAPES.get(escaped, escaped)

    return re.sub(rb"\\([0-7]{1,3}|.)", replace, raw, flags=re.DOTALL)


def pdf_text(pdf: bytes) -> str:
    objects = {int(match[1]): match[2] for match in _OBJECT.finditer(pdf)}
    decoders = {}
    for body in objects.values():
        for name, number in _FONT_REFERENCE.findall(body):
            font = objects.get(int(number), b"")
            to_unicode = re.search(rb"/ToUnicode (\d+) 0 R", font)
            if to_unicode is None:
                decoders[name] = None  # a standard font: WinAnsi, read as Latin-1
                continue
            cmap = _stream(objects[int(to_unicode[1])])
            decoders[name] = {
                int(code, 16): chr(int(char, 16))
                for code, char in re.findall(rb"<([0-9A-F]{2})> <([0-9A-F]{4})>", cmap)
            }
    pieces = []
    for body in objects.values():
        if b"/Type /Font" in body or b"/Length1" in body:
            continue
        content = _stream(body)
        if b" Tf" not in content:
            continue
        decoder = None
        for match in _TOKEN.finditer(content):
            if match[1] is not None:
                decoder = decoders.get(match[1])
            elif match[2] is not None:
                raw = _unescape(match[2])
                if decoder is None:
                    pieces.append(raw.decode("latin-1"))
                else:
                    pieces.append("".join(decoder.get(byte, "?") for byte in raw))
            else:
                pieces.append(" ")
    return " ".join("".join(pieces).split())
