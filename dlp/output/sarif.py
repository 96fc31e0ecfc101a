"""SARIF 2.1.0 for code-scanning dashboards.

One rule per detector; each finding is a result whose location is the file, line
and byte offset, with the masked value in the message and the keyed fingerprint
as ``partialFingerprints`` so dashboards track it across runs without seeing it.
Unreadable inputs become tool execution notifications.
"""

from __future__ import annotations

from typing import Any

import orjson

from dlp.detector import Severity
from dlp.detectors import all_detectors
from dlp.findings import ScanResult
from dlp.output.base import Summary, Writer

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {Severity.HIGH: "error", Severity.MEDIUM: "warning", Severity.LOW: "note"}


class SarifWriter(Writer):
    def __init__(self, stream) -> None:  # type: ignore[no-untyped-def]
        super().__init__(stream)
        self._results: list[dict[str, Any]] = []
        self._notes: list[dict[str, Any]] = []
        self._rules: dict[str, dict[str, Any]] = {}

    def _rule(self, detector: str, severity: Severity) -> int:
        if detector not in self._rules:
            known = {d.name: d.description for d in all_detectors()}
            self._rules[detector] = {
                "id": detector,
                "name": detector,
                "shortDescription": {"text": known.get(detector, f"YARA signature {detector}")},
                "defaultConfiguration": {"level": LEVELS[severity]},
            }
        return list(self._rules).index(detector)

    def result(self, result: ScanResult) -> None:
        for f in result.findings:
            index = self._rule(f.detector, f.severity)
            uri = f.path + (f"!{f.member}" if f.member else "")
            region = {"startLine": f.location.line, "byteOffset": f.location.offset}
            self._results.append(
                {
                    "ruleId": f.detector,
                    "ruleIndex": index,
                    "level": LEVELS[f.severity],
                    "message": {"text": f"{f.detector}: {f.masked}"},
                    "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri}, "region": region}}],
                    "partialFingerprints": {"dlpFingerprint/v1": f.fingerprint},
                    "properties": {"confidence": f.confidence, "severity": f.severity.value},
                }
            )
        for p in result.problems:
            self._notes.append(
                {
                    "level": "warning" if p.partial else "error",
                    "message": {"text": f"{result.path}: {p.reason}: {p.message}"},
                    "locations": [{"physicalLocation": {"artifactLocation": {"uri": result.path}}}],
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
                            "informationUri": "https://pypi.org/project/dlp/",
                            "rules": list(self._rules.values()),
                        }
                    },
                    "invocations": [
                        {
                            "executionSuccessful": not self._notes,
                            "toolExecutionNotifications": self._notes,
                        }
                    ],
                    "results": self._results,
                }
            ],
        }
        self.stream.write(orjson.dumps(log, option=orjson.OPT_INDENT_2) + b"\n")
        super().close(summary)
