"""The scanner's JSONL reports match the golden files made with the C lane (tag ``c-lane-last``).

``tests/golden/regenerate.py`` builds each case's inputs (seeded), scans them with fixed
settings and normalises the report; the golden ``CASE.jsonl`` files are its output with
the old implementation. Here it runs with the scanner installed now, into a temporary
folder, and every case must give the same records in the same order, the same exit
status, from the same inputs (``inputs.json`` holds their SHA-256).

The scanner run is ``$DLP_GOLDEN_DLP`` when set (a command, e.g.
``/tmp/oldvenv/bin/dlp``), else the ``dlp`` console script beside this Python, else
``python -m dlp.cli``.

A difference that is intended is listed in :data:`ACCEPTED_DIFFERENCES` with its reason;
the key is ``(case, what)`` where ``case`` may be ``"*"`` (every case) and ``what`` is

* ``"TYPE.FIELD"`` (``FIELD`` may be dotted: ``"finding.location.line"``): that field is
  left out of the records of that type on both sides;
* ``"TYPE"``: records of that type are left out on both sides;
* ``"inputs"``: the case's generated inputs may differ from the golden ones;
* ``"exit_code"``: the exit status may differ;
* ``"*"``: the case is not compared at all.
"""

from __future__ import annotations

import collections
import difflib
import importlib.util
import json
import os
import shlex
import sys
from pathlib import Path
from typing import Any

import pytest

# (case or "*", what) -> why the difference is right. Empty: the new core must match exactly.
ACCEPTED_DIFFERENCES: dict[tuple[str, str], str] = {}


GOLDEN = Path(__file__).resolve().parent / "golden"
SHOWN = 5  # differing records printed per case


def _regenerate() -> Any:
    spec = importlib.util.spec_from_file_location("golden_regenerate", GOLDEN / "regenerate.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


regenerate = _regenerate()
CASES = list(regenerate.CASES)
# Detectors added after the golden files were made: the golden files hold the golden-era
# detectors' records, so findings of these are left out of the comparison, and out of
# the per-detector counts of file and summary records (``comparable``).
ADDED_DETECTORS = regenerate.ADDED_DETECTORS


def dlp_command() -> list[str]:
    if os.environ.get("DLP_GOLDEN_DLP"):
        return shlex.split(os.environ["DLP_GOLDEN_DLP"])
    script = Path(sys.executable).parent / "dlp"
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-m", "dlp.cli"]


@pytest.fixture(scope="module")
def produced(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """Every case run with the current scanner: (its output folder, its inputs.json)."""
    out = tmp_path_factory.mktemp("golden-now")
    manifest = regenerate.generate(dlp_command(), out)
    return out, manifest


def accepted(case: str, what: str) -> bool:
    return (case, what) in ACCEPTED_DIFFERENCES or ("*", what) in ACCEPTED_DIFFERENCES


def _drop(record: dict[str, Any], path: list[str]) -> None:
    node: Any = record
    for name in path[:-1]:
        node = node.get(name) if isinstance(node, dict) else None
    if isinstance(node, dict):
        node.pop(path[-1], None)


def comparable(case: str, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The records with the accepted fields (and record types) left out."""
    rules = [what for (c, what) in ACCEPTED_DIFFERENCES if c in (case, "*")]
    left_out = {what for what in rules if "." not in what}
    fields = [what.split(".") for what in rules if "." in what]
    out = []
    for record in records:
        if record.get("type") in left_out or record.get("detector") in ADDED_DETECTORS:
            continue
        for counts in ("counts", "findings"):
            if isinstance(record.get(counts), dict):
                record[counts] = {k: v for k, v in record[counts].items() if k not in ADDED_DETECTORS}
        for path in fields:
            if record.get("type") == path[0]:
                _drop(record, path[1:])
        out.append(record)
    return out


def read(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def shown(record: dict[str, Any] | None, other: dict[str, Any] | None = None) -> str:
    """A record for the failure message, its raw value left out (only whether it differs)."""
    if record is None:
        return "(none)"
    masked = {k: v for k, v in record.items() if k != "value"}
    if "value" in record:
        differs = other is not None and other.get("value") != record["value"]
        masked["value"] = "<differs>" if differs else "<hidden>"
    return json.dumps(masked, ensure_ascii=False, separators=(",", ":"))


def describe(golden: list[dict[str, Any]], now: list[dict[str, Any]]) -> str:
    lines = [f"{len(golden)} golden record(s), {len(now)} now"]
    if len(golden) == len(now):
        differing = [i for i, (g, n) in enumerate(zip(golden, now, strict=True)) if g != n]
        lines.append(f"{len(differing)} record(s) differ; the first {min(SHOWN, len(differing))}:")
        for i in differing[:SHOWN]:
            keys = sorted(k for k in set(golden[i]) | set(now[i]) if golden[i].get(k) != now[i].get(k))
            lines.append(f"  #{i} fields {keys}")
            lines.append(f"    golden: {shown(golden[i], now[i])}")
            lines.append(f"    now:    {shown(now[i], golden[i])}")
    else:
        # align the two sequences (a record missing or added shifts all those after it)
        keys = [[json.dumps(r, sort_keys=True) for r in side] for side in (golden, now)]
        matcher = difflib.SequenceMatcher(None, keys[0], keys[1], autojunk=False)
        hunks = [op for op in matcher.get_opcodes() if op[0] != "equal"]
        lines.append(f"{len(hunks)} differing run(s); the first {min(SHOWN, len(hunks))}:")
        for tag, g0, g1, n0, n1 in hunks[:SHOWN]:
            lines.append(f"  {tag} golden #{g0}..#{g1 - 1}, now #{n0}..#{n1 - 1}")
            lines += [f"    golden: {shown(r)}" for r in golden[g0 : min(g1, g0 + SHOWN)]]
            lines += [f"    now:    {shown(r)}" for r in now[n0 : min(n1, n0 + SHOWN)]]

        def kinds(records: list[dict[str, Any]]) -> collections.Counter[str]:
            return collections.Counter(f"{r.get('type')}:{r.get('detector', '')}" for r in records)

        before, after = kinds(golden), kinds(now)
        changed = {k: (before[k], after[k]) for k in sorted(before | after) if before[k] != after[k]}
        lines.append(f"record counts that differ (golden, now): {changed}")
    return "\n".join(lines)


def test_golden_files_exist() -> None:
    manifest = json.loads((GOLDEN / regenerate.INPUTS_FILE).read_text(encoding="utf-8"))
    assert sorted(manifest) == sorted(CASES)
    for case in CASES:
        assert (GOLDEN / f"{case}.jsonl").stat().st_size > 0, case


@pytest.mark.parametrize("case", CASES)
def test_matches_golden(case: str, produced: tuple[Path, dict[str, Any]]) -> None:
    if accepted(case, "*"):
        pytest.skip(ACCEPTED_DIFFERENCES.get((case, "*")) or ACCEPTED_DIFFERENCES[("*", "*")])
    out, manifest = produced
    expected = json.loads((GOLDEN / regenerate.INPUTS_FILE).read_text(encoding="utf-8"))[case]
    entry = manifest[case]
    assert entry["args"] == expected["args"], "the scan arguments changed: regenerate the golden files"
    if not accepted(case, "inputs"):
        changed = sorted(
            name
            for name in set(expected["inputs"]) | set(entry["inputs"])
            if expected["inputs"].get(name) != entry["inputs"].get(name)
        )
        assert not changed, (
            f"the inputs of case {case} changed (a generator or sample, not the scanner): "
            f"{len(changed)} file(s), e.g. {changed[:5]}"
        )
    golden = comparable(case, read(GOLDEN / f"{case}.jsonl"))
    now = comparable(case, read(out / f"{case}.jsonl"))
    if golden != now:
        message = f"case {case} differs from tests/golden/{case}.jsonl:\n{describe(golden, now)}"
        pytest.fail(message, pytrace=False)
    if not accepted(case, "exit_code"):
        assert entry["exit_code"] == expected["exit_code"]
