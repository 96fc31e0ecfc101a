"""Find and compile the signature rules (YARA).

Signature rules come from ``dlp.signatures`` and any ``--rules`` folders, one
namespace per file. The compiled set is cached on disk, keyed by a hash of every
source and the YARA version, so start-up only compiles after a change. (Detector
patterns are not YARA rules: the native core compiles them, see
:mod:`dlp.engine.core`.)
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

import yara

from dlp.errors import RuleError

RULE_SUFFIXES = (".yar", ".yara")


@dataclass(frozen=True)
class RuleFile:
    namespace: str
    path: str
    source: str


def signature_files(rule_dirs: Sequence[Path], *, builtin: bool = True) -> list[RuleFile]:
    """Every rule file: the shipped ones, then each folder's (sorted, recursive)."""
    found: list[RuleFile] = []
    if builtin:
        root = files("dlp.signatures")
        for entry in sorted(root.iterdir(), key=lambda e: e.name):
            if entry.name.endswith(RULE_SUFFIXES):
                ns = "builtin_" + entry.name.rsplit(".", 1)[0]
                found.append(RuleFile(ns, str(entry), entry.read_text(encoding="utf-8")))
    for index, folder in enumerate(rule_dirs):
        folder = Path(folder)
        if not folder.is_dir():
            raise RuleError(f"rules folder {folder} does not exist or is not a folder")
        for path in sorted(folder.rglob("*")):
            if path.suffix in RULE_SUFFIXES and path.is_file():
                rel = path.relative_to(folder).with_suffix("")
                ns = f"user{index}_" + "_".join(rel.parts)
                try:
                    source = path.read_text(encoding="utf-8")
                except (OSError, UnicodeDecodeError) as exc:
                    raise RuleError(f"cannot read rule file {path}: {exc}") from None
                found.append(RuleFile(ns, str(path), source))
    return found


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "dlp"


def compile_rules(
    sources: Mapping[str, str],
    signatures: Sequence[RuleFile] = (),
    *,
    cache_dir: Path | None = None,
    use_cache: bool = True,
) -> yara.Rules:
    """Compile (or load from the cache) ``sources`` (namespace -> text) plus signature files."""
    all_sources = dict(sources)
    for rule_file in signatures:
        if rule_file.namespace in all_sources:
            raise RuleError(f"two rule files map to namespace {rule_file.namespace}")
        all_sources[rule_file.namespace] = rule_file.source
    digest = hashlib.sha256(yara.YARA_VERSION.encode())
    for ns in sorted(all_sources):
        digest.update(b"\0" + ns.encode() + b"\0" + all_sources[ns].encode())
    cache_path = (cache_dir or default_cache_dir()) / f"rules-{digest.hexdigest()[:32]}.yarc"
    if use_cache:
        try:
            return yara.load(str(cache_path))
        except yara.Error:
            pass
    try:
        rules = yara.compile(sources=all_sources)
    except yara.SyntaxError as exc:
        raise RuleError(f"rule compilation failed: {_culprit(signatures) or exc}") from None
    except yara.Error as exc:
        raise RuleError(f"rule compilation failed: {exc}") from None
    if use_cache:
        _save(rules, cache_path)
    return rules


def _culprit(signatures: Sequence[RuleFile]) -> str | None:
    """``path: message`` of the first signature file that does not compile alone."""
    for rule_file in signatures:
        try:
            yara.compile(source=rule_file.source)
        except yara.Error as exc:
            return f"{rule_file.path}: {exc}"
    return None


def _save(rules: yara.Rules, path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".rules-", suffix=".tmp")
        os.close(fd)
        rules.save(tmp)
        os.replace(tmp, path)
    except (OSError, yara.Error):
        with contextlib.suppress(OSError, UnboundLocalError):
            os.unlink(tmp)
