"""From scan results to report output, done where the results arise.

``dlp scan`` has three steps after scanning a file: drop baseline findings, give
the file its policy verdict, and write the records. With worker processes the
parent would do all three for every finding of every worker, and on a tree of
files it became the bottleneck. A :class:`Reporter`, built in every process from
the same :class:`ReportSpec`, does them next to the scan instead: a worker hands
the parent a :class:`Processed` holding the JSONL bytes already rendered (for
``-f jsonl``), the summary counts and the verdicts. The parent only writes bytes
and adds up counts. Text and SARIF reports are built in the parent from the
filtered result (one table, one SARIF document).

Every input is scanned by exactly one process, pieces of a large input included,
so each process can hold the open policy tallies of its own inputs.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dlp.engine.lane import LaneOutput, LanePiece
from dlp.findings import Problem, ScanResult, printable
from dlp.output.base import Summary
from dlp.policy import FileVerdict, Policy, Thresholds

if TYPE_CHECKING:
    from dlp.baseline import Baseline
    from dlp.scanner import Scanner
    from dlp.walk import Entry


@dataclass(frozen=True)
class ReportSpec:
    """Everything a process needs to turn results into records (picklable)."""

    fmt: str = "jsonl"
    thresholds: Thresholds = field(default_factory=Thresholds)
    fail_on: str = "any"
    key: bytes = b""
    edm_index: Path | None = None
    baseline: Baseline | None = None


@dataclass(slots=True)
class Processed:
    """One scan result, reported: ``rendered`` JSONL bytes, or the ``result`` and
    its ``verdicts`` for the parent's writer (text, SARIF)."""

    size: int
    summary: Summary
    rendered: bytes | None = None
    result: ScanResult | None = None
    verdicts: tuple[FileVerdict, ...] = ()


@dataclass(slots=True)
class SegmentReport:
    """A worker's report on one segment of a large text file (:meth:`Reporter.segment`).

    The JSONL of its findings comes in ``parts`` with the signature findings between
    them (``signatures``: rule and line), so the parent can keep each rule's first
    line for the file and splice the rest back in order."""

    parts: list[bytes]
    signatures: list[tuple[str, bytes]]
    tally: Any
    summary: Summary
    problems: tuple[Problem, ...]
    found: bool


class Reporter:
    """Baseline, policy and rendering for the results of one process."""

    def __init__(self, spec: ReportSpec) -> None:
        edm = None
        if spec.edm_index is not None:
            from dlp.edm import EdmIndex

            edm = EdmIndex(spec.edm_index, spec.key)
        self.policy = Policy(spec.thresholds, spec.fail_on, edm)
        self._baseline = spec.baseline
        self._render = spec.fmt == "jsonl"

    def process(self, result: ScanResult) -> Processed:
        if self._baseline is not None:
            result = self._baseline.filter(result)
        return self._processed(result, self.policy.evaluate(result))

    def _processed(
        self, result: ScanResult, verdicts: list[FileVerdict], lane: LanePiece | None = None
    ) -> Processed:
        """``result`` reported; ``lane``: the JSONL (and counts) of its plain text, first."""
        summary = Summary()
        summary.add(result)
        for verdict in verdicts:
            summary.add_verdict(verdict)
        if self._render:
            from dlp.output.jsonl import render

            rendered = render(result, verdicts)
            if lane is not None:
                summary.findings.update(lane.counts)
                rendered = lane.rendered + rendered
            return Processed(result.size, summary, rendered=rendered)
        return Processed(result.size, summary, result=result, verdicts=tuple(verdicts))

    def lane_for(self, scanner: Scanner) -> bool:
        """True when this reporter's plain-text inputs are reported as JSONL by the core:
        JSONL written here and no baseline to filter."""
        return self._render and self._baseline is None

    def scan(self, scanner: Scanner, entry: Entry, *, stream: bool = False) -> Iterator[Processed]:
        """Scan ``entry`` and report it; with ``stream``, in pieces as they arise (a large
        input: memory stays bounded). Plain text goes through the core when it can."""
        if not self.lane_for(scanner):
            results = scanner.scan_entry_pieces(entry) if stream else iter((scanner.scan_entry(entry),))
            for result in results:
                assert isinstance(result, ScanResult)
                yield self.process(result)
            return
        out = self.lane_output(printable(entry.path))
        if stream:
            items = scanner.scan_entry_pieces(entry, lane=out)
        else:
            items = iter((scanner.scan_entry(entry, lane=out),))
        for item in items:
            if isinstance(item, LanePiece):
                summary = Summary()
                summary.findings.update(item.counts)
                yield Processed(0, summary, rendered=item.rendered)
            elif item.more:  # a piece of a document's findings
                yield self.process(item)
            else:
                verdicts = [
                    self.policy.verdict(item.path, member, tally) for member, tally in out.verdict_tallies()
                ]
                verdicts += self.policy.evaluate(item)
                yield self._processed(item, verdicts, out.take())

    def lane_output(self, path: str) -> LaneOutput:
        """Where the JSONL of input ``path`` is collected, counted by this policy."""
        return LaneOutput(path, self.policy.count)

    @property
    def renders(self) -> bool:
        """True when this reporter writes JSONL itself (else the parent's writer does)."""
        return self._render

    def segment(self, result: ScanResult, lane: LaneOutput | None = None) -> SegmentReport:
        """Baseline, counts and JSONL of one segment's findings; the file's verdict
        waits for every segment (:meth:`finish`). ``lane``: the segment went through
        the core, which holds its JSONL and counts."""
        from dlp.output.jsonl import render

        if lane is not None:
            chunks = lane.chunks
            lane_parts: list[bytes] = []
            lane_signatures: list[tuple[str, bytes]] = []
            last = 0
            for index, rule in lane.signatures:
                lane_parts.append(b"".join(chunks[last:index]))
                lane_signatures.append((rule, chunks[index]))
                last = index + 1
            lane_parts.append(b"".join(chunks[last:]))
            summary = Summary()
            summary.findings.update(lane.tally.found())
            return SegmentReport(lane_parts, lane_signatures, lane.tally, summary, result.problems, lane.any)

        if self._baseline is not None:
            result = self._baseline.filter(result)
        findings = result.findings
        summary = Summary()
        parts: list[bytes] = []
        signatures: list[tuple[str, bytes]] = []
        last = 0
        for i, finding in enumerate(findings):
            if finding.detector.startswith("yara:"):
                parts.append(render(ScanResult(result.path, findings[last:i])))
                signatures.append((finding.detector, render(ScanResult(result.path, findings[i : i + 1]))))
                last = i + 1
            else:
                summary.findings[finding.detector] += 1
        parts.append(render(ScanResult(result.path, findings[last:])))
        tally = self.policy.tally(findings)
        return SegmentReport(parts, signatures, tally, summary, result.problems, bool(findings))

    def finish(
        self, path: str, size: int, problems: tuple[Problem, ...], tally: Any, found: bool
    ) -> Processed:
        """The last record of a file reported in segments: problems and verdict."""
        result = ScanResult(path, problems=problems, size=size, encoding="utf-8")
        return self._processed(result, [self.policy.verdict(path, None, tally)] if found else [])
