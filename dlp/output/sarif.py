"""SARIF 2.1.0 for code-scanning dashboards (GitHub code scanning and others).

One rule per detector that reported something (``edm`` and the
``customer_list`` verdict included), with a description, help text, tags and a
``security-severity`` so GitHub ranks alerts. Each finding is a result located
by file, line and byte offset; the message holds the masked value only. Its
``partialFingerprints`` (``dlpValue/v1``) is a SHA-256 of detector, master
column, container member and the keyed value fingerprint: stable across runs
and when lines move, and never the value itself. A file whose verdict is
``customer_list`` gets one more result at its first line. Unreadable inputs are
tool execution notifications. Relative paths are URI references against
``%SRCROOT%`` (the working directory); absolute ones are ``file:`` URIs.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import orjson

from dlp.detector import Severity
from dlp.findings import Finding, ScanResult
from dlp.output.base import Summary, Writer

if TYPE_CHECKING:
    from dlp.policy import FileVerdict

SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
LEVELS = {Severity.HIGH: "error", Severity.MEDIUM: "warning", Severity.LOW: "note"}
SECURITY_SEVERITY = {Severity.HIGH: "8.0", Severity.MEDIUM: "5.5", Severity.LOW: "3.0"}
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "dlpValue/v1"
CUSTOMER_LIST_RULE = "customer_list"
_EXTRA_RULES = {
    "edm": "Value of a customer registered in the customer master (exact data match)",
    CUSTOMER_LIST_RULE: "File holds a customer list (many distinct personal values or records)",
}


def artifact_location(path: str) -> dict[str, str]:
    """A SARIF artifactLocation: a percent-encoded relative reference, or a ``file:`` URI."""
    if os.path.isabs(path):
        return {"uri": Path(path).as_uri()}
    relative = path.replace(os.sep, "/").removeprefix("./")
    return {"uri": quote(relative, safe="/-._~!$&'()*+,;=:@"), "uriBaseId": SRCROOT}


def partial_fingerprint(finding: Finding) -> str:
    """Stable across runs and line moves: derived from the keyed fingerprint, not the location."""
    parts = (finding.detector, finding.column or "", finding.member or "", finding.fingerprint)
    return hashlib.sha256("\x00".join(parts).encode("utf-8")).hexdigest()


def _description(detector: str) -> str:
    from dlp.detectors import all_detectors

    known = {d.name: d.description for d in all_detectors()}
    if detector in known:
        return known[detector]
    if detector in _EXTRA_RULES:
        return _EXTRA_RULES[detector]
    if detector.startswith("yara:"):
        return f"Signature rule {detector[5:]}"
    return detector


class SarifWriter(Writer):
    def __init__(self, stream) -> None:  # type: ignore[no-untyped-def]
        super().__init__(stream)
        self._results: list[dict[str, Any]] = []
        self._notes: list[dict[str, Any]] = []
        self._rules: dict[str, dict[str, Any]] = {}
        self._index: dict[str, int] = {}

    def _rule(self, rule_id: str, severity: Severity) -> int:
        if rule_id not in self._index:
            text = _description(rule_id)
            self._index[rule_id] = len(self._rules)
            self._rules[rule_id] = {
                "id": rule_id,
                "name": "".join(p.capitalize() for p in rule_id.replace(":", "_").split("_")),
                "shortDescription": {"text": text},
                "fullDescription": {"text": f"{text}. Reported values are masked; see dlp's README."},
                "help": {
                    "text": "Personal data should not be stored here. Remove it, or accept it "
                    "with a dlp allowlist or baseline entry."
                },
                "defaultConfiguration": {"level": LEVELS[severity]},
                "properties": {
                    "tags": ["security", "privacy", "personal-data"],
                    "security-severity": SECURITY_SEVERITY[severity],
                    "precision": "high",
                },
            }
        return self._index[rule_id]

    def _text(self, rule_id: str) -> str:
        return str(self._rules[rule_id]["shortDescription"]["text"])

    def result(self, result: ScanResult) -> None:
        for f in result.findings:
            index = self._rule(f.detector, f.severity)
            region = {"startLine": max(1, f.location.line), "byteOffset": f.location.offset}
            uri = artifact_location(f.path)
            where = f" in {f.member}" if f.member else ""
            column = f" (column {f.column})" if f.column else ""
            properties: dict[str, Any] = {"confidence": f.confidence, "severity": f.severity.value}
            if f.member:
                properties["member"] = f.member
            if f.column:
                properties["column"] = f.column
            self._results.append(
                {
                    "ruleId": f.detector,
                    "ruleIndex": index,
                    "level": LEVELS[f.severity],
                    "message": {"text": f"{self._text(f.detector)}{column}{where}: {f.masked}"},
                    "locations": [{"physicalLocation": {"artifactLocation": uri, "region": region}}],
                    "partialFingerprints": {FINGERPRINT_KEY: partial_fingerprint(f)},
                    "properties": properties,
                }
            )
        for p in result.problems:
            self._notes.append(
                {
                    "level": "warning" if p.partial else "error",
                    "message": {"text": f"{result.path}: {p.reason}: {p.message}"},
                    "locations": [{"physicalLocation": {"artifactLocation": artifact_location(result.path)}}],
                }
            )

    def file(self, verdict: FileVerdict) -> None:
        if verdict.verdict != CUSTOMER_LIST_RULE:
            return
        index = self._rule(CUSTOMER_LIST_RULE, Severity.HIGH)
        counts = ", ".join(f"{d} {n}" for d, n in verdict.counts.items())
        where = f" ({verdict.member})" if verdict.member else ""
        identity = "\x00".join((CUSTOMER_LIST_RULE, verdict.path, verdict.member or ""))
        self._results.append(
            {
                "ruleId": CUSTOMER_LIST_RULE,
                "ruleIndex": index,
                "level": "error",
                "message": {"text": f"Customer list{where}: {counts}; {verdict.rows} record(s) of 2+ kinds"},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": artifact_location(verdict.path),
                            "region": {"startLine": 1},
                        }
                    }
                ],
                "partialFingerprints": {FINGERPRINT_KEY: hashlib.sha256(identity.encode()).hexdigest()},
                "properties": verdict.as_record(),
            }
        )

    def close(self, summary: Summary) -> None:
        from dlp import __version__

        log = {
            "$schema": SCHEMA,
            "version": "2.1.0",
            "runs": [
                {
                    "tool": {
                        "driver": {
                            "name": "dlp",
                            "version": __version__,
                            "semanticVersion": __version__,
                            "informationUri": "https://pypi.org/project/dlp/",
                            "rules": list(self._rules.values()),
                        }
                    },
                    "originalUriBaseIds": {SRCROOT: {"uri": Path.cwd().as_uri().rstrip("/") + "/"}},
                    "invocations": [
                        {
                            "executionSuccessful": not self._notes,
                            "toolExecutionNotifications": self._notes,
                        }
                    ],
                    "columnKind": "unicodeCodePoints",
                    "results": self._results,
                }
            ],
        }
        self.stream.write(orjson.dumps(log, option=orjson.OPT_INDENT_2) + b"\n")
        super().close(summary)
