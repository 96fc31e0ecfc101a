"""Find and compile the signature rules (YARA).

Signature rules come from ``dlp.signatures`` and any ``--rules`` folders, one
namespace per file. The compiled set is cached on disk, named by a hash of every
source and the YARA version, so start-up only compiles after a change. (Detector
patterns are not YARA rules: the native core compiles them, see
:mod:`dlp.engine.core`.)

A compiled rule file is code for YARA's loader, which trusts it (a flipped byte
can crash the process), so the cache is never loaded unchecked
(:mod:`dlp.engine.rulecache`): each file carries an HMAC-SHA256 of its content
under a key derived from the fingerprint key, is written atomically into a folder
the user owns with mode 0700, and is read once, checked, and loaded from memory.
A file that fails the check is deleted and the rules are compiled again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

import yara

from dlp.engine.rulecache import RuleCache, default_cache_dir
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


def compile_rules(
    sources: Mapping[str, str],
    signatures: Sequence[RuleFile] = (),
    *,
    cache_dir: Path | None = None,
    use_cache: bool = True,
    key: bytes = b"",
) -> yara.Rules:
    """Compile (or load from the cache) ``sources`` (namespace -> text) plus signature files.

    The cache is used only with a ``key`` (the fingerprint key) to sign and check it."""
    all_sources = dict(sources)
    for rule_file in signatures:
        if rule_file.namespace in all_sources:
            raise RuleError(f"two rule files map to namespace {rule_file.namespace}")
        all_sources[rule_file.namespace] = rule_file.source
    digest = hashlib.sha256(yara.YARA_VERSION.encode())
    for ns in sorted(all_sources):
        digest.update(b"\0" + ns.encode() + b"\0" + all_sources[ns].encode())
    cache = RuleCache.open(cache_dir or default_cache_dir(), key) if use_cache and key else None
    name = f"rules-{digest.hexdigest()[:32]}"
    if cache is not None:
        cached = cache.load(name)
        if cached is not None:
            return cached
    try:
        rules = yara.compile(sources=all_sources)
    except yara.SyntaxError as exc:
        raise RuleError(f"rule compilation failed: {_culprit(signatures) or exc}") from None
    except yara.Error as exc:
        raise RuleError(f"rule compilation failed: {exc}") from None
    if cache is not None:
        cache.save(name, rules)
    return rules


def _culprit(signatures: Sequence[RuleFile]) -> str | None:
    """``path: message`` of the first signature file that does not compile alone."""
    for rule_file in signatures:
        try:
            yara.compile(source=rule_file.source)
        except yara.Error as exc:
            return f"{rule_file.path}: {exc}"
    return None
