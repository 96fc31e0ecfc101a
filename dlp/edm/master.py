"""Read a customer master: a CSV (UTF-8, GB18030, UTF-16 ...) or xlsx file with a header row.

Rows are streamed: a CSV through :mod:`csv` over an incremental decoder (the
encoding sniffed with :func:`dlp.extract.encoding.sniff`, the delimiter from
the header line), an xlsx workbook's first sheet through python-calamine. Every cell comes back as a string.
"""

from __future__ import annotations

import csv
import datetime
import io
import os
from collections.abc import Iterator
from pathlib import Path

from dlp.errors import ConfigError

DELIMITERS = ",\t;|"
_ZIP = b"PK\x03\x04"


def read_rows(path: Path) -> Iterator[list[str]]:
    """Every row of the master, the header row included (leading empty rows skipped)."""
    try:
        with open(path, "rb") as probe:
            head = probe.read(4)
    except OSError as exc:
        raise ConfigError(f"cannot read customer master {path}: {exc.strerror}") from None
    rows = _xlsx_rows(path) if head == _ZIP else _csv_rows(path)
    for row in rows:
        if any(cell.strip() for cell in row):
            yield row
            break
    yield from rows


def _csv_rows(path: Path) -> Iterator[list[str]]:
    from dlp.extract.encoding import SAMPLE_SIZE, sniff

    with open(path, "rb") as raw:
        encoding = sniff(raw.read(SAMPLE_SIZE))
        if encoding.binary:
            raise ConfigError(f"{path}: not a CSV or xlsx file")
        raw.seek(encoding.bom)
        text = io.TextIOWrapper(raw, encoding=encoding.name, errors="replace", newline="")
        first = text.readline()
        delimiter = max(DELIMITERS, key=first.count) if any(d in first for d in DELIMITERS) else ","
        yield from csv.reader(_chain(first, text), delimiter=delimiter)


def _chain(first: str, rest: io.TextIOBase) -> Iterator[str]:
    yield first
    yield from rest


def _xlsx_rows(path: Path) -> Iterator[list[str]]:
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(os.fspath(path))
        sheet = book.get_sheet_by_index(0)
    except (CalamineError, OSError, ValueError) as exc:
        raise ConfigError(f"{path}: not a readable xlsx workbook ({type(exc).__name__})") from None
    with book:
        for row in sheet.iter_rows():
            yield [_cell(value) for value in row]


def _cell(value: object) -> str:
    """A cell as text: whole numbers without ``.0`` (phones stored as numbers), dates ISO."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    return str(value)
