"""What every writer gets: results as they arrive, then a summary."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, BinaryIO

from dlp.findings import ScanResult

if TYPE_CHECKING:
    from dlp.policy import FileVerdict


@dataclass
class Summary:
    """Totals of a scan; built up as results arrive."""

    files: int = 0
    bytes: int = 0
    seconds: float = 0.0
    findings: Counter[str] = field(default_factory=Counter)
    problems: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)
    incomplete: list[tuple[str, str, str]] = field(default_factory=list)
    verdicts: Counter[str] = field(default_factory=Counter)
    """Per-file verdicts (``customer_list``, ``contains_pii``, ``clean``) when a policy ran."""

    def add(self, result: ScanResult) -> None:
        self.findings.update(f.detector for f in result.findings)  # a skipped picture's name has some
        if result.skipped is not None:
            self.skipped[result.skipped] += 1
            return
        if result.more:  # a piece of a streamed input: counted with its last piece
            return
        if not result.problems or any(p.partial for p in result.problems):
            self.files += 1
        self.bytes += result.size
        for problem in result.problems:
            self.problems[problem.reason] += 1
            self.incomplete.append((result.path, problem.reason, problem.message))

    def merge(self, other: Summary) -> None:
        """Add the counts of ``other`` (a worker's summary of some results)."""
        self.files += other.files
        self.bytes += other.bytes
        self.findings.update(other.findings)
        self.problems.update(other.problems)
        self.skipped.update(other.skipped)
        self.incomplete.extend(other.incomplete)
        self.verdicts.update(other.verdicts)

    def add_verdict(self, verdict: FileVerdict) -> None:
        self.verdicts[verdict.verdict] += 1

    @property
    def total_findings(self) -> int:
        return sum(self.findings.values())

    @property
    def mb_per_second(self) -> float:
        return self.bytes / 1e6 / self.seconds if self.seconds > 0 else 0.0

    def as_record(self) -> dict[str, Any]:
        record = {
            "type": "summary",
            "files": self.files,
            "bytes": self.bytes,
            "seconds": round(self.seconds, 3),
            "findings": dict(sorted(self.findings.items())),
            "errors": dict(sorted(self.problems.items())),
            "skipped": dict(sorted(self.skipped.items())),
        }
        if self.verdicts:
            record["verdicts"] = dict(sorted(self.verdicts.items()))
        return record


class Writer:
    """Base writer: subclasses implement ``result`` and may override ``close``."""

    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream

    def result(self, result: ScanResult) -> None:
        raise NotImplementedError

    def file(self, verdict: FileVerdict) -> None:
        """A per-file verdict, after the file's findings (writers may ignore it)."""

    def close(self, summary: Summary) -> None:
        self.stream.flush()
