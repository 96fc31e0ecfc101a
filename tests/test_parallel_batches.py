"""How files are grouped for the worker pool: in order, small ones together, big ones alone."""

from __future__ import annotations

from dlp.parallel import BATCH_BYTES, BATCH_FILES, batches
from dlp.walk import Entry


def test_batches_keep_order_and_bounds() -> None:
    sizes = [10] * 40 + [BATCH_BYTES * 3, 5, BATCH_BYTES // 2, BATCH_BYTES // 2 + 1, 0, 0]
    entries = [Entry(f"f{i}", size) for i, size in enumerate(sizes)]
    grouped = list(batches(entries))
    assert [e for batch in grouped for e in batch] == entries
    for batch in grouped:
        assert len(batch) <= BATCH_FILES
        assert len(batch) == 1 or sum(e.size for e in batch) <= BATCH_BYTES
    big = next(b for b in grouped if any(e.size == BATCH_BYTES * 3 for e in b))
    assert len(big) == 1  # a large file travels alone
    assert [len(b) for b in grouped[:3]] == [BATCH_FILES, BATCH_FILES, 8]


def test_no_entries_no_batches() -> None:
    assert list(batches([])) == []
