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

from collections.abc import Iterable
from typing import TYPE_CHECKING

import orjson

from dlp.detector import Severity
from dlp.findings import ScanResult
from dlp.output.base import Summary, Writer

if TYPE_CHECKING:
    from dlp.policy import FileVerdict

BUFFER = 1 << 16
_FINDING = (
    b'{"type":"finding","path":%b,"detector":%b,"masked":%b,"fingerprint":"%b",'
    b'"confidence":%b,"severity":%b,"location":{"offset":%d,"line":%d}}\n'
)


_SEVERITY_JSON = {s: orjson.dumps(s.value) for s in Severity}


class _Bytes(dict):  # type: ignore[type-arg]
    """str/float -> its JSON bytes, as orjson writes them, computed once per value."""

    def __missing__(self, key: object) -> bytes:
        value = self[key] = orjson.dumps(key)
        return value


def render(result: ScanResult, verdicts: Iterable[FileVerdict] = ()) -> bytes:
    """The JSONL records of ``result`` (findings, errors, skipped) and ``verdicts``.

    A finding in plain text (no member, column, structured location or revealed
    value: nearly all of them) is written with one bytes format; the rest go
    through ``orjson``. Both give the same bytes (``tests/test_jsonl_render.py``).
    """
    lines: list[bytes] = []
    append = lines.append
    if result.findings:
        names = _Bytes()
        path = orjson.dumps(result.path)
        for f in result.findings:
            loc = f.location
            if (
                f.member is None
                and f.column is None
                and f.value is None
                and loc.sheet is None
                and loc.cell is None
                and loc.part is None
                and loc.paragraph is None
                and loc.page is None
                and not loc.name
                and loc.box is None
            ):
                append(
                    _FINDING
                    % (
                        path,
                        names[f.detector],
                        orjson.dumps(f.masked),
                        f.fingerprint.encode(),  # hex
                        names[f.confidence],
                        _SEVERITY_JSON[f.severity],  # Enum.value is a Python-level lookup
                        loc.offset,
                        loc.line,
                    )
                )
            else:
                append(orjson.dumps(f.as_record()) + b"\n")
    for problem in result.problems:
        append(orjson.dumps(problem.as_record(result.path)) + b"\n")
    if result.skipped is not None:
        append(orjson.dumps({"type": "skipped", "path": result.path, "reason": result.skipped}) + b"\n")
    for verdict in verdicts:
        append(orjson.dumps(verdict.as_record()) + b"\n")
    return b"".join(lines)


class JsonlWriter(Writer):
    def __init__(self, stream) -> None:  # type: ignore[no-untyped-def]
        super().__init__(stream)
        self._pending: list[bytes] = []
        self._size = 0

    def write(self, data: bytes) -> None:
        """Records already rendered with :func:`render` (by a worker process)."""
        if data:
            self._pending.append(data)
            self._size += len(data)
            if self._size >= BUFFER:
                self._flush()

    def _emit(self, record: dict) -> None:  # type: ignore[type-arg]
        self.write(orjson.dumps(record) + b"\n")

    def _flush(self) -> None:
        if self._pending:
            self.stream.write(b"".join(self._pending))
            self._pending.clear()
            self._size = 0

    def result(self, result: ScanResult) -> None:
        self.write(render(result))

    def file(self, verdict: FileVerdict) -> None:
        self._emit(verdict.as_record())

    def close(self, summary: Summary) -> None:
        self._emit(summary.as_record())
        self._flush()
        super().close(summary)
