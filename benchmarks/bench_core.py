"""The native core over 4 MiB buffers: typed hits, and JSON Lines with the policy tally.

``test_scan_*`` times :meth:`dlp._core.Engine.scan` (candidates, signature literals,
full-width folding, boundaries, validation, context, overlaps, masks, fingerprints)
returning hits as tuples; ``test_jsonl_*`` times :meth:`dlp._core.Engine.scan_jsonl`,
which renders the records and counts them instead. The prose buffer has a value about
every 2 KB, the CSV five or six per row.
"""

from __future__ import annotations

import orjson
import pytest

import dlp
from dlp import _core

ROUNDS = 5
TODAY = 20261203


def _header(scanner: dlp.Scanner, buf: bytes) -> int:
    core = scanner._core
    return core.bits(core.header_context(buf[: buf.find(b"\n")]))


@pytest.mark.parametrize("kind", ["prose", "csv"])
def test_scan(benchmark, scanner: dlp.Scanner, prose_buffer: bytes, csv_buffer: bytes, kind: str) -> None:
    buf = prose_buffer if kind == "prose" else csv_buffer
    engine, header = scanner._core.engine, _header(scanner, buf)
    hits, _ = benchmark.pedantic(engine.scan, args=(buf, header, 0, len(buf), TODAY), rounds=ROUNDS)
    assert hits


@pytest.mark.parametrize("kind", ["prose", "csv"])
def test_jsonl(benchmark, scanner: dlp.Scanner, prose_buffer: bytes, csv_buffer: bytes, kind: str) -> None:
    buf = prose_buffer if kind == "prose" else csv_buffer
    core = scanner._core
    engine, header, seen = core.engine, _header(scanner, buf), list(range(len(core.rules)))
    path = orjson.dumps("bench.txt")

    def run() -> int:
        _, _, found = engine.scan_jsonl(
            buf, header, 0, len(buf), TODAY, path, None, 0, 0, _core.Tally(), seen
        )
        return found

    assert benchmark.pedantic(run, rounds=ROUNDS) > 0
