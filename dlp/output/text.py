"""A table for people: one line per finding or unreadable file, and a verdict line per file."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dlp.findings import Finding, ScanResult
from dlp.output.base import Writer
from dlp.printable import printable_text

if TYPE_CHECKING:
    from dlp.policy import FileVerdict

HEADER = f"{'LOCATION':<40} {'DETECTOR':<30} {'SEVERITY':<8} {'CONF':>4}  VALUE\n"


def _place(finding: Finding) -> str:
    """``:LINE``, or `` (name)`` for a value in the file's or member's name."""
    return " (name)" if finding.location.name else f":{finding.location.line}"


class TextWriter(Writer):
    def __init__(self, stream) -> None:  # type: ignore[no-untyped-def]
        super().__init__(stream)
        self._header = False

    def _line(self, text: str) -> None:
        if not self._header:
            self.stream.write(HEADER.encode())
            self._header = True
        self.stream.write(text.encode("utf-8", "replace"))

    def result(self, result: ScanResult) -> None:
        for f in result.findings:
            where = printable_text(f"{f.path}{'!' + f.member if f.member else ''}") + _place(f)
            shown = printable_text(f.value if f.value is not None else f.masked)
            detector = f"{f.detector}:{f.column}" if f.column is not None else f.detector
            self._line(f"{where:<40} {detector:<30} {f.severity.value:<8} {f.confidence:>4.2f}  {shown}\n")
        for p in result.problems:
            label = "PARTLY READ" if p.partial else "NOT SCANNED"
            shown = printable_text(result.path)
            self._line(f"{shown:<40} {label:<30} {p.reason:<8}       {printable_text(p.message)}\n")

    def file(self, verdict: FileVerdict) -> None:
        where = printable_text(f"{verdict.path}{'!' + verdict.member if verdict.member else ''}")
        counts = ", ".join(f"{d} {n}" for d, n in verdict.counts.items())
        extra = f"; {verdict.rows} row(s) with 2+ kinds" if verdict.rows else ""
        if verdict.customers is not None:
            extra += f"; {verdict.customers} registered customer(s)"
        self._line(f"{where:<40} {'VERDICT':<30} {verdict.verdict:<14} {counts}{extra}\n")
