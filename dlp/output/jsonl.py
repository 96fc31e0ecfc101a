"""JSON Lines: one object per line, ``type`` says what it is.

``finding`` records carry ``path``, ``member`` (inside containers only),
``detector``, ``masked``, ``fingerprint``, ``confidence``, ``severity``,
``location`` and, with ``--reveal`` only, ``value``. ``error`` records (input not
or only partly scanned: ``reason``, ``message``, ``partial``), ``skipped`` records
(``reason``) and a final ``summary`` record have no ``detector``. ``edm`` findings
also carry ``column`` (the customer-master column matched). When a policy runs,
each file with findings is followed by a ``file`` record: ``path``, ``member``
(inside containers only), ``verdict``, ``counts`` (distinct values per detector),
``rows`` and, with an EDM index, ``customers`` (see :mod:`dlp.policy`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import orjson

from dlp.findings import ScanResult
from dlp.output.base import Summary, Writer

if TYPE_CHECKING:
    from dlp.policy import FileVerdict

BUFFER = 1 << 16


class JsonlWriter(Writer):
    def __init__(self, stream) -> None:  # type: ignore[no-untyped-def]
        super().__init__(stream)
        self._pending: list[bytes] = []
        self._size = 0

    def _emit(self, record: dict) -> None:  # type: ignore[type-arg]
        line = orjson.dumps(record) + b"\n"
        self._pending.append(line)
        self._size += len(line)
        if self._size >= BUFFER:
            self._flush()

    def _flush(self) -> None:
        if self._pending:
            self.stream.write(b"".join(self._pending))
            self._pending.clear()
            self._size = 0

    def result(self, result: ScanResult) -> None:
        for finding in result.findings:
            self._emit(finding.as_record())
        for problem in result.problems:
            self._emit(problem.as_record(result.path))
        if result.skipped is not None:
            self._emit({"type": "skipped", "path": result.path, "reason": result.skipped})

    def file(self, verdict: FileVerdict) -> None:
        self._emit(verdict.as_record())

    def close(self, summary: Summary) -> None:
        self._emit(summary.as_record())
        self._flush()
        super().close(summary)
