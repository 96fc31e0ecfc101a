"""Excel workbooks (xlsx, xlsm, xltx), read with openpyxl in read-only mode.

Every worksheet is read, hidden and very hidden ones included, row by row (the
sheet XML is streamed, shared strings resolved by openpyxl). Each non-empty cell
is a segment located by ``sheet`` and ``cell``; the cells of a row are separated
by tabs and rows by newlines, and the sheet's first non-empty row is its header,
so a mobile number in column C counts the word 手机 in C1 as context. Numbers are
rendered exactly (:func:`~dlp.extract.base.cell_text`): a mobile stored as the
number 13812345678 reads as ``13812345678``. Formulas give their cached values.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from typing import BinaryIO
from xml.etree.ElementTree import ParseError

from dlp.extract.base import Context, Corrupt, Item, cell_text, sheet_items


def extract(source: BinaryIO, ctx: Context) -> Iterator[Item]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    source.seek(0)
    try:
        workbook = load_workbook(source, read_only=True, data_only=True, keep_links=False)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ParseError, ValueError, TypeError, OSError):
        raise Corrupt("not a readable Excel workbook (damaged or truncated)") from None
    try:
        for sheet in workbook.worksheets:
            yield from _sheet(sheet, ctx)
    except (zipfile.BadZipFile, ParseError, EOFError, OSError):
        raise Corrupt("damaged or truncated worksheet data") from None
    finally:
        workbook.close()


def _sheet(sheet, ctx: Context) -> Iterator[Item]:  # type: ignore[no-untyped-def]
    sheet.reset_dimensions()  # do not trust the stored dimensions: read every row there is
    rows = (
        [(c.coordinate, cell_text(c.value)) for c in row if c.value is not None and c.value != ""]
        for row in sheet.iter_rows()
    )
    return sheet_items(sheet.title, rows, ctx)
