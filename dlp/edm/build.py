"""Build an EDM index from a customer master, streaming, in bounded memory.

Each indexed cell becomes one fixed-width record (keyed hash, column, row). The
records are collected in runs of at most ``run_records``; each run is sorted and,
when more than one is needed, spilled to a temporary file, and the runs are
merged into the index (an external merge sort). Memory therefore stays at one
run (about 40 MB for 500,000 records) whatever the size of the master; only the
hash fanout counts (65,536 integers) are kept for the whole build.
"""

from __future__ import annotations

import heapq
import itertools
import os
import sys
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from dlp import _core
from dlp.edm.columns import kind_from_header, kind_from_values, normalise, parse_column_specs
from dlp.edm.format import (
    FANOUT,
    HASH_BYTES,
    MAX_COLUMNS,
    MAX_ROWS,
    RECORD,
    VERSION,
    Column,
    Hasher,
    header_bytes,
    key_check,
    pack_record,
)
from dlp.edm.master import read_rows
from dlp.errors import ConfigError

SAMPLE_ROWS = 200  # rows used to tell a column's kind from its values
RUN_RECORDS = 500_000
_READ_BLOCK = RECORD * 4096


@dataclass
class BuildReport:
    """What a build indexed: rows, records, the columns and invalid values skipped per column."""

    rows: int = 0
    records: int = 0
    columns: list[Column] = field(default_factory=list)
    invalid: Counter[str] = field(default_factory=Counter)


def choose_columns(
    header: Sequence[str], sample: Sequence[Sequence[str]], specs: Sequence[str] = ()
) -> list[tuple[int, Column]]:
    """``(position, Column)`` for each column to index; raises ConfigError if there are none."""
    names = [h.strip() for h in header]
    values = lambda i: [row[i] if i < len(row) else "" for row in sample]  # noqa: E731
    chosen: list[tuple[int, Column]] = []
    if specs:
        for name, kind in parse_column_specs(specs).items():
            if name not in names:
                raise ConfigError(f"no column {name!r} in the master; columns: {', '.join(names)}")
            pos = names.index(name)
            kind = kind or kind_from_header(name) or kind_from_values(values(pos))
            if kind is None:
                raise ConfigError(f"cannot tell what column {name!r} holds; give it as {name}=KIND")
            chosen.append((pos, Column(name, kind)))
    else:
        for pos, name in enumerate(names):
            kind = kind_from_header(name) or kind_from_values(values(pos))
            if kind is not None:
                chosen.append((pos, Column(name, kind)))
        if not chosen:
            raise ConfigError(f"no column of names, phones, IDs ... recognised in: {', '.join(names)}")
    if len(chosen) > MAX_COLUMNS:
        raise ConfigError(f"at most {MAX_COLUMNS} columns can be indexed")
    return chosen


def build_index(
    source: Path,
    out: Path,
    key: bytes,
    columns: Sequence[str] = (),
    *,
    run_records: int = RUN_RECORDS,
) -> BuildReport:
    """Index ``source`` into ``out`` (written to a temporary file, then renamed)."""
    rows = read_rows(source)
    header = next(rows, None)
    if header is None:
        raise ConfigError(f"{source}: the customer master is empty")
    sample = list(itertools.islice(rows, SAMPLE_ROWS))
    chosen = choose_columns(header, sample, columns)
    report = BuildReport(columns=[c for _, c in chosen])
    hasher = Hasher(key)
    fanout = [0] * FANOUT
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".dlp-edm-", dir=out.parent) as work:
        runs: list[Path] = []
        run: list[bytes] = []
        # Names go to a scratch file (one per line) for the name filter, whose size
        # depends on how many there are.
        names_path = Path(work) / "names"
        names_file = open(names_path, "w", encoding="utf-8", newline="\n")  # noqa: SIM115 - closed below
        name_count = 0
        data_rows = (row for row in _chain(sample, rows) if any(cell.strip() for cell in row))
        for row_id, row in enumerate(data_rows, start=1):
            if row_id > MAX_ROWS:
                raise ConfigError(f"{source}: more than {MAX_ROWS} rows")
            for col_id, (pos, column) in enumerate(chosen):
                cell = row[pos] if pos < len(row) else ""
                value = normalise(column.kind, cell)
                if value is None:
                    if cell.strip():
                        report.invalid[column.name] += 1
                    continue
                digest = hasher(value)
                fanout[(digest[0] << 8) | digest[1]] += 1
                run.append(pack_record(digest, col_id, row_id))
                if column.kind == "name" and "\n" not in value:
                    names_file.write(value + "\n")
                    name_count += 1
            report.rows = row_id
            if len(run) >= run_records:
                runs.append(_spill(run, Path(work), len(runs)))
                run = []
        names_file.close()
        run.sort()
        report.records = sum(fanout)
        filter_bits = _core.edm_filter_bits(name_count) if name_count else 0
        header_fields = {
            "format": "dlp-edm",
            "version": VERSION,
            "hash": "hmac-sha256",
            "hash_bytes": HASH_BYTES,
            "key_check": key_check(key),
            "columns": [{"name": c.name, "kind": c.kind} for c in report.columns],
            "rows": report.rows,
            "records": report.records,
            "name_filter_bits": filter_bits,
        }
        partial = Path(work) / "index"
        with open(partial, "wb") as fh:
            fh.write(header_bytes(header_fields))
            fh.write(_fanout_bytes(fanout))
            if runs:
                files = [open(p, "rb") for p in runs]  # noqa: SIM115 - closed below
                try:
                    merged = heapq.merge(run, *(_records(f) for f in files))
                    _write_records(fh, merged)
                finally:
                    for f in files:
                        f.close()
            else:
                fh.write(b"".join(run))
            if filter_bits:
                fh.write(_name_filter(names_path, key, filter_bits))
        os.replace(partial, out)
    return report


def _name_filter(names: Path, key: bytes, bits: int) -> bytes:
    """The name filter of the names in ``names`` (one per line), read in batches."""
    name_filter = _core.NameFilter(key, bits)
    with open(names, encoding="utf-8", newline="\n") as fh:
        while batch := [line.rstrip("\n") for line in itertools.islice(fh, 65536)]:
            name_filter.add(batch)
    return name_filter.to_bytes()


def _chain(first: list[list[str]], rest: Iterator[list[str]]) -> Iterator[list[str]]:
    yield from first
    yield from rest


def _spill(run: list[bytes], work: Path, number: int) -> Path:
    run.sort()
    path = work / f"run-{number:05d}"
    with open(path, "wb") as fh:
        fh.write(b"".join(run))
    return path


def _records(fh: BinaryIO) -> Iterator[bytes]:
    while block := fh.read(_READ_BLOCK):
        for i in range(0, len(block), RECORD):
            yield block[i : i + RECORD]


def _write_records(fh: BinaryIO, records: Iterable[bytes]) -> None:
    batch: list[bytes] = []
    for record in records:
        batch.append(record)
        if len(batch) >= 65536:
            fh.write(b"".join(batch))
            batch.clear()
    fh.write(b"".join(batch))


def _fanout_bytes(counts: list[int]) -> bytes:
    from array import array

    total = 0
    cumulative = array("I")
    for count in counts:
        total += count
        cumulative.append(total)
    if sys.byteorder == "big":
        cumulative.byteswap()
    return cumulative.tobytes()
