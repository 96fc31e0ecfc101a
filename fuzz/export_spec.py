#!/usr/bin/env python3
"""Dump the engine spec that the shipped scanner builds, for the fuzz targets.

The spec is captured at the boundary: ``dlp._core.Engine`` is wrapped while a
:class:`dlp.Scanner` is built for the default :class:`dlp.config.ScanConfig`
(all detectors, the keyword lists, the tables, the built-in signature rules'
triggers), with a fixed *test* key and a small synthetic allowlist (one regex,
one fingerprint) so the allowlist code paths run too. Whatever ``Core`` hands
the native engine is written, unchanged except for tuples becoming JSON lists
and bytes becoming ``{"bytes": hex}`` (``key``, trigger literals), to
``fuzz/spec.json``.

    python fuzz/export_spec.py            # writes fuzz/spec.json
"""

from __future__ import annotations

import hashlib
import hmac
import json
import sys
import tempfile
from pathlib import Path

import dlp._core
import dlp.engine.core as core_mod
from dlp.allowlist import Allowlist
from dlp.config import ScanConfig
from dlp.scanner import Scanner

TEST_KEY = b"dlp-fuzz-test-key-not-a-secret-0123456789"
ALLOW_REGEX = r"^1380013800\d$"  # synthetic test numbers 13800138000-13800138009
ALLOW_VALUE = "13900139000"  # allowed by fingerprint
OUT = Path(__file__).resolve().parent / "spec.json"
DICT = Path(__file__).resolve().parent / "scan.dict"
# Tokens of the shipped detectors' formats, for the libFuzzer dictionary.
TOKENS = (
    "+86",
    "0086",
    "(+86)",
    "(86)",
    "+0086",
    "@",
    ".com",
    ".cn",
    "-",
    "\u00b7",
    "\u3000",
    "\uff08",
    "\uff09",
    "\uff0b",
    "\uff0d",
    "\uff10",
    "\uff11",
    "\uff18",
    "\uff19",
    "138",
    "139",
    "021",
    "010",
    "0871",
    "X",
    "19491231",
    "20991231",
    "0229",
    "\n",
    ",",
    "\u7ca4B",
    "\u4eac",
    "\u5b66",
    "\u8b66",
    "\u6e2f",
)


def dict_entry(data: bytes) -> str:
    return (
        '"' + "".join(chr(b) if 0x20 <= b < 0x7F and b not in b'"\\' else f"\\x{b:02X}" for b in data) + '"'
    )


def write_dict(spec: dict) -> None:
    words: list[bytes] = [t.encode("utf-8") for t in TOKENS]
    words += [w.encode("utf-8") for w, _ in spec["keywords"]]
    words += [bytes(lit) for lit, _, _ in spec["triggers"]]
    seen: set[bytes] = set()
    lines = ["# libFuzzer dictionary for the scan target: written by fuzz/export_spec.py"]
    for w in words:
        if w and w not in seen:
            seen.add(w)
            lines.append(dict_entry(w))
    DICT.write_text("\n".join(lines) + "\n", encoding="ascii")


def jsonable(obj):
    """Tuples -> lists; bytes -> {"bytes": hex}."""
    if isinstance(obj, (bytes, bytearray)):
        return {"bytes": bytes(obj).hex()}
    if isinstance(obj, dict):
        return {k: jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [jsonable(v) for v in obj]
    if hasattr(obj, "spec") and callable(obj.spec):
        return jsonable(obj.spec())
    if isinstance(obj, bool) or obj is None or isinstance(obj, (int, float, str)):
        return obj
    raise TypeError(f"cannot serialise {type(obj).__name__}: {obj!r}")


def main() -> int:
    captured: list[dict] = []
    real = dlp._core.Engine

    def spying_engine(spec):
        captured.append(spec)
        return real(spec)

    allow_fp = hmac.new(TEST_KEY, ALLOW_VALUE.encode(), hashlib.sha256).hexdigest()
    allowlist = Allowlist.build(regexes=[ALLOW_REGEX], fingerprints=[allow_fp])
    core_mod._core.Engine = spying_engine  # type: ignore[attr-defined]
    try:
        with tempfile.TemporaryDirectory() as cache:
            scanner = Scanner(ScanConfig(key=TEST_KEY, allowlist=allowlist, cache_dir=Path(cache)))
    finally:
        core_mod._core.Engine = real  # type: ignore[attr-defined]
    if len(captured) != 1:
        print(f"expected one engine, got {len(captured)}", file=sys.stderr)
        return 1
    spec = captured[0]
    engine = scanner._core.engine
    assert engine.fingerprint(ALLOW_VALUE) == allow_fp, "fingerprint is not HMAC-SHA256(key, value)"
    assert engine.allows(ALLOW_VALUE) and engine.allows("13800138001")
    out = jsonable(spec)
    # Record what the fuzz target needs and a self-check it can assert on.
    out["_meta"] = {
        "generator": "fuzz/export_spec.py",
        "detectors": [d["name"] for d in spec["detectors"]],
        "check_value": "13812345678",
        "check_fingerprint": engine.fingerprint("13812345678"),
    }
    OUT.write_text(json.dumps(out, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    write_dict(spec)
    print(
        f"wrote {OUT} and {DICT.name}: {len(spec['detectors'])} detectors, {len(spec['keywords'])} keywords, "
        f"{len(spec['triggers'])} triggers, tables "
        + ", ".join(f"{k}={len(v)}" for k, v in spec["tables"].items())
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
