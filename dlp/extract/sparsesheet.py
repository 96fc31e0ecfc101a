"""Sparse xlsx worksheets, read cell by cell from their XML.

:mod:`dlp.extract.sheets` sends a sheet here when laying it out as a dense range
would cost far more memory than its cells (a crafted 4.7 KB workbook with one
cell at row 999,999,999). The sheet XML and the shared strings are streamed with
:func:`xml.etree.ElementTree.iterparse` through the input's budgets, each element
dropped once read, and every cell is reported at its own reference: memory stays
bounded by the strings and the current row, whatever the sheet declares.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Iterator
from typing import BinaryIO
from xml.etree.ElementTree import ParseError, iterparse

from dlp.extract.base import Context, Corrupt, Item, Rows, Section, cell_text

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_REF = re.compile(r"([A-Z]{1,4})([0-9]{1,10})$")
MAX_SHARED = 1_000_000
"""Shared strings kept (a sparse sheet's far cells are few)."""


def sheet_parts(archive: zipfile.ZipFile) -> list[str | None]:
    """The worksheet part of each sheet, in workbook order (None when not found)."""
    try:
        rels = _relations(archive, "xl/_rels/workbook.xml.rels")
        with archive.open("xl/workbook.xml") as stream:
            ids = [el.get(_REL) for _, el in iterparse(stream) if el.tag == f"{_MAIN}sheet"]
    except (KeyError, ParseError, zipfile.BadZipFile, OSError, EOFError):
        return []
    return [rels.get(i or "") for i in ids]


def _relations(archive: zipfile.ZipFile, name: str) -> dict[str, str]:
    out: dict[str, str] = {}
    with archive.open(name) as stream:
        for _, el in iterparse(stream):
            if el.tag == _PKG_REL:
                target = el.get("Target", "")
                path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
                out[el.get("Id", "")] = path
    return out


def extract_sheet(source: BinaryIO, part: str, title: str, ctx: Context) -> Iterator[Item]:
    source.seek(0)
    try:
        with zipfile.ZipFile(source) as archive:
            shared = _shared_strings(archive, ctx)
            info = archive.getinfo(part)
            stream = ctx.guard(archive.open(info), lambda: info.compress_size, account=False)
            try:
                yield from _cells(stream, shared, title, ctx)
            finally:
                stream.close()
    except (zipfile.BadZipFile, KeyError, ParseError, EOFError):
        raise Corrupt(f"damaged sheet data in workbook ({title})") from None


def _shared_strings(archive: zipfile.ZipFile, ctx: Context) -> list[str]:
    try:
        info = archive.getinfo("xl/sharedStrings.xml")
    except KeyError:
        return []
    out: list[str] = []
    stream = ctx.guard(archive.open(info), lambda: info.compress_size, account=False)
    try:
        for _, el in iterparse(stream):
            if el.tag == f"{_MAIN}si":
                if len(out) < MAX_SHARED:
                    out.append("".join(t.text or "" for t in el.iter(f"{_MAIN}t")))
                el.clear()
    finally:
        stream.close()
    return out


def _cells(stream: BinaryIO, shared: list[str], title: str, ctx: Context) -> Iterator[Item]:
    header_done = False
    row_number = 0
    for count, (_, el) in enumerate(iterparse(stream)):
        tag = el.tag
        if tag == f"{_MAIN}row":
            el.clear()
            continue
        if tag != f"{_MAIN}c":
            continue
        value = _value(el, shared)
        ref = _REF.match(el.get("r", ""))
        el.clear()
        if ref is None:
            row_number, col = row_number or 1, 0
        else:
            row_number, col = int(ref.group(2)), _column(ref.group(1))
        if value is None or value == "":
            continue
        if not header_done:
            yield Section(cell_text(value))
            header_done = True
        yield Rows(title, [[value]], row_number, col)
        if count % 1024 == 0:
            ctx.check_time()


def _column(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def _value(el, shared: list[str]) -> object:  # type: ignore[no-untyped-def]
    kind = el.get("t", "n")
    if kind == "inlineStr":
        return "".join(t.text or "" for t in el.iter(f"{_MAIN}t"))
    v = el.find(f"{_MAIN}v")
    text = v.text if v is not None else None
    if text is None:
        return None
    if kind == "s":
        try:
            return shared[int(text)]
        except (ValueError, IndexError):
            return None
    if kind == "b":
        return text.strip() == "1"
    if kind == "e":
        return None
    if kind in ("str", "d"):
        return text
    try:
        number = float(text)
    except ValueError:
        return text
    return number


# -- OpenDocument spreadsheets ----------------------------------------------------------------

_ODS_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_ODS_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_ODS_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
_BIG_REPEAT = re.compile(rb'number-(?:rows|columns)-repeated="(\d{5,})"')
_VALUE = re.compile(rb"office:value-type=")
_ODS_CARRY = 64


def ods_is_sparse(archive: zipfile.ZipFile, ctx: Context) -> bool:
    """True when ``content.xml`` repeats rows or columns 10,000 times or more and has
    a value after that: calamine stops at row 1,048,576 (the value would be lost) or
    lays the repeats out."""
    try:
        info = archive.getinfo("content.xml")
    except KeyError:
        return False
    stream = ctx.guard(archive.open(info), lambda: info.compress_size, account=False)
    seen_big = False
    carry = b""
    try:
        for piece in iter(lambda: stream.read(1 << 20), b""):
            data = carry + piece
            if not seen_big:
                match = _BIG_REPEAT.search(data)
                if match is not None:
                    seen_big = True
                    data = data[match.end() :]
            if seen_big and _VALUE.search(data):
                return True
            carry = data[-_ODS_CARRY:]
    finally:
        stream.close()
    return False


def extract_ods(source: BinaryIO, ctx: Context) -> Iterator[Item]:
    """Every sheet of an OpenDocument spreadsheet, cell by cell at its real position.

    A cell or row repeated many times holds the same value in every copy: it is
    reported once, at its first position; empty repeats only move the position on.
    """
    source.seek(0)
    try:
        with zipfile.ZipFile(source) as archive:
            info = archive.getinfo("content.xml")
            stream = ctx.guard(archive.open(info), lambda: info.compress_size, account=False)
            try:
                yield from _ods_cells(stream, ctx)
            finally:
                stream.close()
    except (zipfile.BadZipFile, KeyError, ParseError, EOFError, ValueError):
        raise Corrupt("damaged OpenDocument spreadsheet") from None


def _ods_cells(stream: BinaryIO, ctx: Context) -> Iterator[Item]:
    title = ""
    row = 0
    header_done = False
    for count, (event, el) in enumerate(iterparse(stream, events=("start", "end"))):
        tag = el.tag
        if event == "start":
            if tag == f"{_ODS_TABLE}table":
                title, row, header_done = el.get(f"{_ODS_TABLE}name", ""), 0, False
            continue
        if tag != f"{_ODS_TABLE}table-row":
            if tag == f"{_ODS_TABLE}table":
                el.clear()
            continue
        col = 0
        for cell in el:
            if cell.tag not in (f"{_ODS_TABLE}table-cell", f"{_ODS_TABLE}covered-table-cell"):
                continue
            value = _ods_value(cell)
            if value is not None and value != "":
                if not header_done:
                    yield Section(cell_text(value))
                    header_done = True
                yield Rows(title, [[value]], row + 1, col)
            col += int(cell.get(f"{_ODS_TABLE}number-columns-repeated") or 1)
        row += int(el.get(f"{_ODS_TABLE}number-rows-repeated") or 1)
        el.clear()
        if count % 1024 == 0:
            ctx.check_time()


def _ods_value(cell) -> object:  # type: ignore[no-untyped-def]
    kind = cell.get(f"{_ODS_OFFICE}value-type")
    if kind is None:
        return None
    if kind in ("float", "percentage", "currency"):
        try:
            return float(cell.get(f"{_ODS_OFFICE}value") or "")
        except ValueError:
            pass
    if kind == "boolean":
        return (cell.get(f"{_ODS_OFFICE}boolean-value") or "").lower() == "true"
    paragraphs = ["".join(p.itertext()) for p in cell.iter(f"{_ODS_TEXT}p")]
    return "\n".join(paragraphs)
