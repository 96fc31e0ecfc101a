"""Excel 97-2003 workbooks (BIFF in an OLE2 file), read with xlrd.

Like :mod:`dlp.extract.xlsx`: every sheet (hidden ones too), one segment per
non-empty cell located by ``sheet`` and ``cell``, tabs between the cells of a
row, the first row as the sheet's header, numbers rendered exactly and dates as
ISO dates. xlrd needs the whole workbook stream in memory; an xls file is at
most 65,536 rows per sheet.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

from dlp.extract.base import Context, Corrupt, Encrypted, Item, cell_text, sheet_items


def extract(source: BinaryIO, ctx: Context) -> Iterator[Item]:
    """``source``: the whole OLE2 file."""
    import xlrd

    source.seek(0)
    data = source.read()
    try:
        book = xlrd.open_workbook(file_contents=data, on_demand=True, logfile=_Null())
    except (xlrd.XLRDError, xlrd.compdoc.CompDocError) as exc:
        if "encrypt" in str(exc).lower():
            raise Encrypted("password-protected Excel 97-2003 workbook", "xls") from None
        raise Corrupt("not a readable Excel 97-2003 workbook") from None
    except (ValueError, IndexError, KeyError, AssertionError, TypeError, OSError):
        raise Corrupt("not a readable Excel 97-2003 workbook (damaged or truncated)") from None
    try:
        for index in range(book.nsheets):
            sheet = book.sheet_by_index(index)
            yield from _sheet(xlrd, book, sheet, ctx)
            book.unload_sheet(index)
    except (xlrd.XLRDError, ValueError, IndexError, KeyError, AssertionError, TypeError):
        raise Corrupt("damaged sheet data in Excel 97-2003 workbook") from None
    finally:
        book.release_resources()


class _Null:
    def write(self, text: str) -> int:
        return len(text)


def _sheet(xlrd, book, sheet, ctx: Context) -> Iterator[Item]:  # type: ignore[no-untyped-def]
    rows = (
        [
            (xlrd.cellname(r, c), text)
            for c, cell in enumerate(sheet.row(r))
            if (text := _value(xlrd, book, cell))
        ]
        for r in range(sheet.nrows)
    )
    return sheet_items(sheet.name, rows, ctx)


def _value(xlrd, book, cell) -> str:  # type: ignore[no-untyped-def]
    kind = cell.ctype
    if kind in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
        return ""
    if kind == xlrd.XL_CELL_DATE:
        try:
            return xlrd.xldate.xldate_as_datetime(cell.value, book.datemode).isoformat()
        except (ValueError, OverflowError, xlrd.xldate.XLDateError):
            return cell_text(cell.value)
    if kind == xlrd.XL_CELL_BOOLEAN:
        return cell_text(bool(cell.value))
    return cell_text(cell.value)
