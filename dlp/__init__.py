"""dlp: find Chinese personal data and customer lists in files, and report it safely.

Embed it::

    import dlp

    scanner = dlp.Scanner()                      # key from DLP_KEY or a generated key file
    for result in scanner.scan_paths(["/media/usb"]):
        for finding in result.findings:
            print(finding.path, finding.detector, finding.masked)

Findings carry a masked value and a keyed fingerprint, never the raw value
unless ``ScanConfig(reveal=True)``.
"""

from __future__ import annotations

from dlp.config import ScanConfig
from dlp.detector import Detector, Severity, Verdict
from dlp.errors import (
    ConfigError,
    DLPError,
    FileTooLarge,
    FileUnreadable,
    RuleError,
    ScanError,
    ScanTimeout,
    ValidationError,
)
from dlp.findings import Finding, Location, Problem, ScanResult
from dlp.scanner import Scanner, scan_path

__version__ = "0.2.0"

__all__ = [
    "ConfigError",
    "DLPError",
    "Detector",
    "FileTooLarge",
    "FileUnreadable",
    "Finding",
    "Location",
    "Problem",
    "RuleError",
    "ScanConfig",
    "ScanError",
    "ScanResult",
    "ScanTimeout",
    "Scanner",
    "Severity",
    "ValidationError",
    "Verdict",
    "__version__",
    "scan_path",
]
