"""Build and compile the YARA rule set: detector patterns plus signature rules.

Detector patterns become one rule per detector in the namespace ``detectors``.
Signature rules come from ``dlp.signatures`` and any ``--rules`` folders, one
namespace per file. The compiled set is cached on disk, keyed by a hash of every
source and the YARA version, so start-up only compiles after a change.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

import yara

from dlp.detector import Detector
from dlp.errors import RuleError

DETECTOR_NAMESPACE = "detectors"
GATE_PREFIX = "ctx_"
RULE_SUFFIXES = (".yar", ".yara")


def yara_regex(pattern: str) -> str:
    """A detector pattern as a YARA regex over UTF-8 bytes (non-ASCII as ``\\xNN``)."""
    out = []
    for char in pattern:
        if ord(char) < 128:
            out.append("\\/" if char == "/" else char)
        else:
            out.append("(" + "".join(f"\\x{b:02x}" for b in char.encode("utf-8")) + ")")
    return "".join(out)


def _rule(name: str, strings: list[str]) -> str:
    body = "\n".join(f"        $s{i} = {text}" for i, text in enumerate(strings))
    return f"rule {name}\n{{\n    strings:\n{body}\n    condition:\n        any of them\n}}"


def detector_source(detectors: Iterable[Detector]) -> str:
    """One rule per detector, named after it, with its patterns as regex strings."""
    rules = [_rule(d.name, [f"/{yara_regex(p)}/" for p in d.patterns]) for d in detectors]
    return "\n\n".join(rules) + "\n"


def keyword_source(categories: Mapping[str, Iterable[str]]) -> str:
    """One rule ``ctx_<category>`` per keyword category (anchors for gated detectors)."""
    rules = []
    for category, words in sorted(categories.items()):
        strings = []
        for word in words:
            escaped = "".join(f"\\x{b:02x}" for b in word.encode("utf-8"))
            strings.append(f'"{escaped}"' + (" nocase" if word.isascii() else ""))
        if strings:
            rules.append(_rule(f"{GATE_PREFIX}{category}", strings))
    return "\n\n".join(rules) + "\n"


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
