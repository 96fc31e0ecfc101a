"""Spreadsheets (xlsx, xlsm, xlsb, xls, ods), read with python-calamine.

Every sheet is read, hidden and very hidden ones included. Rows go to the native
core a batch at a time as calamine returns them (:class:`~dlp.extract.base.Rows`):
the core renders each value as people see it (a mobile stored as the number
13812345678 reads ``13812345678``, integers have no ``.0``, text stays text) and
locates it by ``sheet`` and ``cell``. The sheet's first non-empty row is its
header, so a mobile number in column C counts the word 手机 in C1 as context.
Formulas give their cached values; a merged range holds its value in its first
cell, as in Excel.

calamine holds a sheet as a dense range from its first to its last cell, so one
cell at row 999,999,999 would make it allocate a billion cells. Before calamine
opens an xlsx/xlsm sheet, its XML is inflated through the input's budgets (bytes,
ratio, time) and its cell references counted (:class:`dlp._core.SheetExtent`):
a sheet whose range would hold far more cells than it has is read instead by
:mod:`dlp.extract.sparsesheet`, cell by cell, and its far cells are reported
where they are. An OpenDocument spreadsheet that repeats rows or columns tens of
thousands of times and has values after them (calamine stops at row 1,048,576) is
read cell by cell the same way.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from typing import BinaryIO

from dlp._core import SheetExtent
from dlp.extract.base import Context, Corrupt, Encrypted, Item, Rows, Section, cell_text

BATCH = 2048
"""Rows handed to the core at a time."""
DENSE_FLOOR = 4_000_000
"""A range of up to this many cells is read by calamine whatever it holds (128 MB at most)."""
SPARSE_FACTOR = 8
"""A larger range is read by calamine only if it holds at least one cell in this many."""


def extract(source: BinaryIO, ctx: Context) -> Iterator[Item]:
    from python_calamine import CalamineError, CalamineWorkbook, PasswordError

    sparse = _sparse_sheets(source, ctx)
    if sparse.get(-1) == "ods":
        from dlp.extract import sparsesheet

        yield from sparsesheet.extract_ods(source, ctx)
        return
    source.seek(0)
    try:
        book = CalamineWorkbook.from_filelike(source)
    except PasswordError:
        raise Encrypted("password-protected workbook", "office") from None
    except (CalamineError, ValueError, OSError, KeyError, IndexError, EOFError):
        raise Corrupt("not a readable workbook (damaged or truncated)") from None
    with book:
        for index, meta in enumerate(book.sheets_metadata):
            ctx.check_time()
            if index in sparse:
                from dlp.extract import sparsesheet

                yield from sparsesheet.extract_sheet(source, sparse[index], meta.name, ctx)
                continue
            try:
                sheet = book.get_sheet_by_index(index)
            except PasswordError:
                raise Encrypted("password-protected workbook", "office") from None
            except (CalamineError, ValueError, OSError, KeyError, IndexError, EOFError):
                if str(meta.typ).endswith(("ChartSheet", "Vba", "DialogSheet")):
                    continue  # no cells to read
                raise Corrupt(f"damaged sheet data in workbook (sheet {index + 1})") from None
            yield from _sheet(sheet, meta.name, ctx)


def _sheet(sheet, title: str, ctx: Context) -> Iterator[Item]:  # type: ignore[no-untyped-def]
    start = sheet.start
    if start is None:
        return
    first_row, first_col = start
    batch: list[list[object]] = []
    batch_row = first_row + 1
    header_done = False
    for number, row in enumerate(sheet.iter_rows(), first_row + 1):
        if not header_done:
            header = "\t".join(t for v in row if v is not None and (t := cell_text(v)))
            if not header:
                batch_row = number + 1
                continue
            yield Section(header)
            header_done = True
        batch.append(row)
        if len(batch) >= BATCH:
            yield Rows(title, batch, batch_row, first_col)
            batch = []
            batch_row = number + 1
            ctx.check_time()
    if batch:
        yield Rows(title, batch, batch_row, first_col)


def _sparse_sheets(source: BinaryIO, ctx: Context) -> dict[int, str]:
    """Sheets (by index) of an xlsx/xlsm package whose dense range would be far
    larger than their cells: index -> the worksheet part's name; for an OpenDocument
    spreadsheet with far repeats and values after them, ``{-1: "ods"}``."""
    source.seek(0)
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return {}  # xls, ods read as zip elsewhere, or a damaged file calamine will reject
    from dlp.extract import sparsesheet

    with archive:
        if "content.xml" in archive.namelist():  # OpenDocument
            return {-1: "ods"} if sparsesheet.ods_is_sparse(archive, ctx) else {}
        parts = sparsesheet.sheet_parts(archive)
        out: dict[int, str] = {}
        for index, part in enumerate(parts):
            if part is None or not part.endswith(".xml"):
                continue
            try:
                info = archive.getinfo(part)
            except KeyError:
                continue
            extent = SheetExtent()
            stream = ctx.guard(archive.open(info), lambda i=info: i.compress_size, account=False)
            try:
                for piece in iter(lambda s=stream: s.read(1 << 20), b""):
                    extent.feed(piece)
            finally:
                stream.close()
            extent.finish()
            area = extent.area
            if area > DENSE_FLOOR and area > SPARSE_FACTOR * extent.cells:
                out[index] = part
        return out
