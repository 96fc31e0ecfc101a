"""Findings reported as JSON Lines straight from the core.

``dlp scan -f jsonl`` hands each window of plain UTF-8 text to
:meth:`dlp._core.Engine.scan_jsonl`, and each buffer of a document's extracted
text to :func:`dlp._core.scan_doc`, which return the ``finding`` records as bytes
and count them in the :class:`dlp._core.Tally` of the input or of the container
member they are in (the policy counts :class:`dlp.policy.Policy` judges). A :class:`LaneOutput` collects
those records for one input, with the records of the windows that went the
Python way (YARA to run, another encoding), rendered and counted the same way.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import orjson

from dlp import _core

if TYPE_CHECKING:
    from dlp.findings import Finding


class LaneOutput:
    """The JSONL of one plain-text input as the lane (and the Python way, for the
    windows the lane leaves to it) writes it, with the input's policy tally.

    Signature findings are kept apart (``signatures``: their chunk index and rule),
    so a segment's report can give the parent each rule's line separately. With
    ``flush``, the chunks are handed over whenever they reach ``piece`` bytes.
    """

    def __init__(
        self,
        path: str,
        count: Callable[[Any, Finding], None],
        flush: Callable[[LanePiece], None] | None = None,
        piece: int = 1 << 22,
    ) -> None:
        self.path = path
        self._count = count
        self.path_json = orjson.dumps(path)
        self.tally: Any = _core.Tally()
        self.tallies: dict[str | None, Any] = {None: self.tally}
        """The tally of the input itself (``None``) and of each container member."""
        self._members: dict[str, bytes] = {}
        self._flagged: set[str | None] = set()  # members with findings the tallies do not count
        self.chunks: list[bytes] = []
        self.signatures: list[tuple[int, str]] = []
        self.found = 0
        self._signature_counts: Counter[str] = Counter()
        self._flushed: dict[str, int] = {}
        self._size = 0
        self._flush = flush
        self._piece = piece

    def set_flush(self, flush: Callable[[LanePiece], None]) -> None:
        """Hand the chunks over to ``flush`` whenever they reach the piece size."""
        self._flush = flush

    def tally_for(self, member: str | None) -> Any:
        """The policy tally of the input (``member`` None) or of one of its members."""
        tally = self.tallies.get(member)
        if tally is None:
            tally = self.tallies[member] = _core.Tally()
        return tally

    def member_json(self, member: str | None) -> bytes | None:
        """``member`` as a JSON string (None for the input itself)."""
        if member is None:
            return None
        text = self._members.get(member)
        if text is None:
            text = self._members[member] = orjson.dumps(member)
        return text

    def verdict_tallies(self) -> list[tuple[str | None, Any]]:
        """``(member, tally)`` of the input and each member with findings, in the order
        they were first seen."""
        return [
            (member, tally)
            for member, tally in self.tallies.items()
            if member in self._flagged or tally.found()
        ]

    def add_chunks(self, chunks: Sequence[bytes]) -> None:
        for chunk in chunks:
            self.chunks.append(chunk)
            self._size += len(chunk)
            if self._flush is not None and self._size >= self._piece:
                self._flush(self.take())

    def add_findings(self, findings: Sequence[Finding]) -> None:
        """Findings of a window the Python way: rendered and counted as the core would."""
        from dlp.findings import ScanResult
        from dlp.output.jsonl import render

        plain: list[Finding] = []
        for finding in findings:
            self.tally_for(finding.member)
            self._flagged.add(finding.member)
            if not finding.detector.startswith("yara:"):
                plain.append(finding)
                self._count(self.tally_for(finding.member), finding)
                continue
            if plain:
                self.add_chunks([render(ScanResult(self.path, tuple(plain)))])
                plain = []
            self.signatures.append((len(self.chunks), finding.detector))
            self._signature_counts[finding.detector] += 1
            self.add_chunks([render(ScanResult(self.path, (finding,)))])
        if plain:
            self.add_chunks([render(ScanResult(self.path, tuple(plain)))])
        self.found += len(findings)

    def counts(self) -> Counter[str]:
        """Findings per detector so far, signature rules included."""
        counts: Counter[str] = Counter()
        for tally in self.tallies.values():
            counts.update(tally.found())
        counts.update(self._signature_counts)
        return counts

    def take(self) -> LanePiece:
        """The chunks so far (and their findings per detector), handed over."""
        counts = self.counts()
        piece = LanePiece(b"".join(self.chunks), counts - Counter(self._flushed))
        self._flushed = dict(counts)
        self.chunks = []
        self.signatures = []
        self._size = 0
        return piece

    @property
    def any(self) -> bool:
        """True when the input has findings (of any detector or rule)."""
        return bool(self.found or any(tally.found() for tally in self.tallies.values()))


class LanePiece:
    """Rendered JSONL of part of an input and its findings per detector."""

    __slots__ = ("counts", "rendered")

    def __init__(self, rendered: bytes, counts: Counter[str]) -> None:
        self.rendered = rendered
        self.counts = counts
