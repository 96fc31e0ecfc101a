"""Baselines for CI: findings already known and accepted, so a run reports only new ones.

A baseline is a JSON file::

    {"tool": "dlp", "version": 1, "key_check": "…",
     "entries": [{"path": "docs/contract.txt", "detector": "cn_mobile", "fingerprint": "…"}, …]}

Entries are keyed by path (plus ``member`` inside containers) and the value's
keyed fingerprint, never by line or offset, so editing a file elsewhere does not
churn them; the same value anywhere in the same file stays accepted. Paths are
stored relative to the baseline file's folder with ``/`` separators, so a
baseline works from any working directory. Entries are sorted and the file has
no timestamp: creating it twice gives the same bytes. ``key_check`` tells a
baseline made with another deployment key (whose fingerprints cannot match).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from dlp.edm.format import key_check
from dlp.errors import ConfigError
from dlp.findings import Finding, ScanResult

VERSION = 1


def _relative(path: str, base: Path) -> str:
    if path == "-":
        return path
    return os.path.relpath(os.path.abspath(path), base).replace(os.sep, "/")


def entries(results: Iterable[ScanResult], base: Path) -> list[dict[str, str]]:
    """Sorted, de-duplicated baseline entries for the findings of ``results``."""
    keys: set[tuple[str, str, str, str]] = set()
    for result in results:
        for f in result.findings:
            keys.add((_relative(f.path, base), f.member or "", f.fingerprint, f.detector))
    out = []
    for path, member, fingerprint, detector in sorted(keys):
        entry = {"path": path}
        if member:
            entry["member"] = member
        entry.update(detector=detector, fingerprint=fingerprint)
        out.append(entry)
    return out


def write(file: Path, results: Iterable[ScanResult], key: bytes) -> int:
    """Write a baseline of ``results`` to ``file`` (atomically); returns the number of entries."""
    file = Path(file)
    found = entries(results, file.resolve().parent)
    document = {"tool": "dlp", "version": VERSION, "key_check": key_check(key), "entries": found}
    text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    partial = file.with_name(file.name + ".partial")
    try:
        partial.write_text(text, encoding="utf-8")
        os.replace(partial, file)
    except OSError as exc:
        raise ConfigError(f"cannot write baseline {file}: {exc.strerror}") from None
    return len(found)


@dataclass(frozen=True)
class Baseline:
    """Known findings; :meth:`filter` drops them from results."""

    base: Path
    keys: frozenset[tuple[str, str, str]]

    @classmethod
    def load(cls, file: Path, key: bytes) -> Baseline:
        file = Path(file)
        try:
            document = json.loads(file.read_text(encoding="utf-8"))
        except OSError as exc:
            raise ConfigError(f"cannot read baseline {file}: {exc.strerror}") from None
        except ValueError as exc:
            raise ConfigError(f"baseline {file} is not valid JSON: {exc}") from None
        if not isinstance(document, dict) or document.get("tool") != "dlp":
            raise ConfigError(f"{file} is not a dlp baseline")
        if document.get("version") != VERSION:
            raise ConfigError(f"baseline {file} has unsupported version {document.get('version')!r}")
        if document.get("key_check") not in (None, key_check(key)):
            raise ConfigError(
                f"baseline {file} was created with a different key; its fingerprints cannot match"
            )
        keys = set()
        for entry in document.get("entries", []):
            try:
                keys.add((str(entry["path"]), str(entry.get("member") or ""), str(entry["fingerprint"])))
            except (KeyError, TypeError, AttributeError):
                raise ConfigError(f"baseline {file}: bad entry {entry!r}") from None
        return cls(file.resolve().parent, frozenset(keys))

    def known(self, finding: Finding) -> bool:
        key = (_relative(finding.path, self.base), finding.member or "", finding.fingerprint)
        return key in self.keys

    def filter(self, result: ScanResult) -> ScanResult:
        """``result`` without the findings in the baseline."""
        if not result.findings:
            return result
        kept = tuple(f for f in result.findings if not self.known(f))
        return result if len(kept) == len(result.findings) else replace(result, findings=kept)

    def __len__(self) -> int:
        return len(self.keys)
