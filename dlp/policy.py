"""Per-file verdicts: a customer list, some personal data, or clean.

One phone number in a contract is normal; a sheet of customers is the loss to
catch. For each file (each container member) with findings, :class:`Policy`
counts distinct values per detector (by fingerprint), *rows* (records: a text
line, or a spreadsheet row when the location has a sheet/cell) that hold two or
more kinds of personal data together, and, with an EDM index, distinct
registered customers matched. The verdict is ``customer_list`` when any count
reaches its threshold (:class:`Thresholds`), ``contains_pii`` when there is any
personal data, else ``clean``. Signature hits (``yara:*``) and
``encrypted_container`` are reported but are not personal data.

>>> Thresholds().distinct_values, Thresholds().rows, Thresholds().customers
(50, 10, 10)
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from dlp._core import Tally
from dlp.errors import ConfigError
from dlp.findings import Finding, Location, ScanResult

if TYPE_CHECKING:
    from dlp.edm.index import EdmIndex

CUSTOMER_LIST = "customer_list"
CONTAINS_PII = "contains_pii"
CLEAN = "clean"
VERDICTS = (CUSTOMER_LIST, CONTAINS_PII, CLEAN)
FAIL_ON = ("any", "pii", "customer_list", "never")
"""``any``: any finding fails (the default); ``pii``: a file with personal data;
``customer_list``: a customer list; ``never``: findings never fail the run."""
EDM = "edm"
NOT_PERSONAL = frozenset({"encrypted_container"})
SHARED_VALUE_ROWS = 5
"""A master value held by more customers than this (a switchboard, a placeholder
number) is reported but identifies no one, so it adds no customers."""
_CELL_ROW = re.compile(r"(\d+)$")


def is_personal(detector: str) -> bool:
    """True for detectors whose values are personal data (not signatures, not EDM)."""
    return not detector.startswith("yara:") and detector not in NOT_PERSONAL and detector != EDM


@dataclass(frozen=True)
class Thresholds:
    """When a file is a customer list (any one suffices).

    ``distinct_values``: distinct values of one detector; ``rows``: records holding
    two or more kinds; ``customers``: distinct registered customers (EDM).
    """

    distinct_values: int = 50
    rows: int = 10
    customers: int = 10

    def __post_init__(self) -> None:
        for name in ("distinct_values", "rows", "customers"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ConfigError(f"threshold {name} must be a whole number of at least 1")


@dataclass(frozen=True)
class FileVerdict:
    path: str
    verdict: str
    counts: Mapping[str, int]
    rows: int = 0
    member: str | None = None
    customers: int | None = None
    """Distinct registered customers matched; None when no EDM index is used."""

    def as_record(self) -> dict[str, Any]:
        record: dict[str, Any] = {"type": "file", "path": self.path}
        if self.member is not None:
            record["member"] = self.member
        record.update(verdict=self.verdict, counts=dict(self.counts), rows=self.rows)
        if self.customers is not None:
            record["customers"] = self.customers
        return record


@dataclass
class Policy:
    """Turns scan results into per-file verdicts and decides the exit status."""

    thresholds: Thresholds = field(default_factory=Thresholds)
    fail_on: str = "any"
    edm: EdmIndex | None = None

    def __post_init__(self) -> None:
        if self.fail_on not in FAIL_ON:
            raise ConfigError(f"fail_on must be one of {', '.join(FAIL_ON)}, not {self.fail_on!r}")
        columns = self.edm.columns if self.edm is not None else ()
        self._name_columns = frozenset(c.name for c in columns if c.kind == "name")
        self._column_ids: dict[str, set[int]] = {}
        self._column_index: dict[str, int] = {}
        for i, column in enumerate(columns):
            self._column_ids.setdefault(column.name, set()).add(i)
            self._column_index.setdefault(column.name, i)
        self._open: dict[str, dict[str | None, Any]] = {}

    def evaluate(self, result: ScanResult) -> list[FileVerdict]:
        """One verdict per file or container member that has findings.

        A large input's findings arrive in several results (``result.more``): they
        are tallied as they come, and the verdicts are given with the last piece.
        """
        tallies = self._open.setdefault(result.path, {})
        member: object = _NO_MEMBER
        tally: Any = None
        for finding in result.findings:
            if finding.member is not member:  # findings come member by member
                member = finding.member
                tally = tallies.get(finding.member)
                if tally is None:
                    tally = tallies[finding.member] = Tally()
            self.count(tally, finding)
        if result.more:
            return []
        del self._open[result.path]
        return [self.verdict(result.path, member, tally) for member, tally in tallies.items()]

    def judge(self, path: str, member: str | None, findings: Iterable[Finding]) -> FileVerdict:
        """The verdict on ``findings``, all of one file or member."""
        return self.verdict(path, member, self.tally(findings))

    def tally(self, findings: Iterable[Finding]) -> Any:
        """The counts of ``findings`` (all of one file, whole lines or rows of it), closed:
        a :class:`dlp._core.Tally`; merge such tallies with its ``merge`` and judge them
        with :meth:`verdict`."""
        tally = Tally()
        for finding in findings:
            self.count(tally, finding)
        tally.close()
        return tally

    def count(self, tally: Any, f: Finding) -> None:
        """Count one finding: personal data by detector, EDM by column; signatures and
        encrypted containers are reported but not counted."""
        if f.detector == EDM:
            column = self._column_index.get(f.column or "", 0)
            tally.add_edm(f.fingerprint, _record(f.location), column, f.column in self._name_columns)
        elif is_personal(f.detector):
            tally.add(f.detector, f.fingerprint, _record(f.location))

    def verdict(self, path: str, member: str | None, tally: Any) -> FileVerdict:
        """The verdict on a file (or member) from its :class:`dlp._core.Tally`."""
        counts = dict(sorted(tally.distinct().items()))
        rows = tally.close()
        customers = self._customers(tally.registered()) if self.edm is not None else None
        personal = [n for d, n in counts.items() if d != EDM]
        t = self.thresholds
        if (
            any(n >= t.distinct_values for n in personal)
            or rows >= t.rows
            or (customers is not None and customers >= t.customers)
        ):
            verdict = CUSTOMER_LIST
        elif personal or counts.get(EDM):
            verdict = CONTAINS_PII
        else:
            verdict = CLEAN
        return FileVerdict(path, verdict, counts, rows, member, customers)

    def _customers(self, registered: Iterable[tuple[str, int]]) -> int:
        assert self.edm is not None
        columns = self.edm.columns
        customers: set[int] = set()
        for fingerprint, column in registered:
            ids = self._column_ids.get(columns[column].name, set())
            rows = {row for col, row in self.edm.lookup_fingerprint(fingerprint) if col in ids}
            if len(rows) <= SHARED_VALUE_ROWS:
                customers.update(rows)
        return len(customers)

    def fails(self, findings: int, verdicts: Mapping[str, int]) -> bool:
        """Whether the run should exit 1, given the findings reported and the verdict counts."""
        if self.fail_on == "never":
            return False
        if self.fail_on == "customer_list":
            return verdicts.get(CUSTOMER_LIST, 0) > 0
        if self.fail_on == "pii":
            return verdicts.get(CUSTOMER_LIST, 0) + verdicts.get(CONTAINS_PII, 0) > 0
        return findings > 0


_NO_MEMBER = object()


def _record(location: Location) -> int | tuple[str, int]:
    """The record a finding belongs to: its spreadsheet row, else its line (a value
    in the file's name is a record of its own)."""
    if location.name:
        return ("\0name", 0)
    cell = location.cell
    if cell is not None:
        match = _CELL_ROW.search(cell)
        if match is not None:
            return (location.sheet or "", int(match.group(1)))
    return location.line
