"""The ``dlp scan`` command: exit codes, formats, paths, privacy and file-system corner cases."""

from __future__ import annotations

import json
import os
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import pytest

import dlp
from dlp import synthetic
from dlp.detectors import all_detectors
from dlp.walk import walk

FINDING_KEYS = ["type", "path", "detector", "masked", "fingerprint", "confidence", "severity", "location"]
LOCATION = {
    "type": "object",
    "required": ["offset", "line"],
    "properties": {
        "offset": {"type": "integer", "minimum": 0},
        "line": {"type": "integer", "minimum": 1},
        "sheet": {"type": "string"},
        "cell": {"type": "string"},
        "part": {"type": "string"},
        "paragraph": {"type": "integer", "minimum": 1},
        "page": {"type": "integer", "minimum": 1},
    },
    "additionalProperties": False,
}
NO_DETECTOR = {"not": {"required": ["detector"]}}
RECORD_SCHEMA: dict[str, Any] = {
    "oneOf": [
        {
            "type": "object",
            "required": FINDING_KEYS,
            "properties": {
                "type": {"const": "finding"},
                "path": {"type": "string", "minLength": 1},
                "member": {"type": "string"},
                "detector": {"type": "string", "pattern": r"^([a-z_]+|yara:\w+)$"},
                "masked": {"type": "string", "pattern": r"\*"},
                "fingerprint": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                "confidence": {"type": "number", "exclusiveMinimum": 0, "maximum": 1},
                "severity": {"enum": ["low", "medium", "high"]},
                "location": LOCATION,
                "value": {"type": "string", "minLength": 1},
                "column": {"type": "string"},  # exact-data-match findings only
            },
            "additionalProperties": False,
        },
        {
            "type": "object",
            "required": ["type", "path", "reason", "message", "partial"],
            "properties": {
                "type": {"const": "error"},
                "path": {"type": "string"},
                "member": {"type": "string"},
                "reason": {"type": "string", "pattern": "^[a-z_]+$"},
                "message": {"type": "string"},
                "partial": {"type": "boolean"},
            },
            "additionalProperties": False,
            **NO_DETECTOR,
        },
        {
            "type": "object",
            "required": ["type", "path", "reason"],
            "properties": {
                "type": {"const": "skipped"},
                "path": {"type": "string"},
                "reason": {"type": "string", "pattern": "^[a-z_]+$"},
            },
            "additionalProperties": False,
            **NO_DETECTOR,
        },
        {
            "type": "object",
            "required": ["type", "files", "bytes", "seconds", "findings", "errors", "skipped"],
            "properties": {
                "type": {"const": "summary"},
                "files": {"type": "integer", "minimum": 0},
                "bytes": {"type": "integer", "minimum": 0},
                "seconds": {"type": "number", "minimum": 0},
                "findings": {"type": "object", "additionalProperties": {"type": "integer"}},
                "errors": {"type": "object", "additionalProperties": {"type": "integer"}},
                "skipped": {"type": "object", "additionalProperties": {"type": "integer"}},
                "verdicts": {"type": "object", "additionalProperties": {"type": "integer"}},
            },
            "additionalProperties": False,
            **NO_DETECTOR,
        },
        {
            "type": "object",
            "required": ["type", "path", "verdict"],
            "properties": {
                "type": {"const": "file"},
                "path": {"type": "string"},
                "member": {"type": "string"},
                "verdict": {"type": "string"},
                "counts": {"type": "object", "additionalProperties": {"type": "integer"}},
                "rows": {"type": "integer", "minimum": 0},
                "customers": {"type": "integer", "minimum": 0},
            },
            "additionalProperties": False,
            **NO_DETECTOR,
        },
    ]
}


@dataclass(frozen=True)
class Samples:
    root: Path
    values: dict[str, list[str]]  # detector -> normalised values planted
    written: list[str]  # every value as written in the files (with separators)


@pytest.fixture
def samples(tmp_path: Path) -> Samples:
    """A small tree: a customer CSV, notes, a clean file and a nested log."""
    rng = random.Random(77)
    root = tmp_path / "samples"
    (root / "sub").mkdir(parents=True)
    values: dict[str, list[str]] = {"cn_mobile": [], "cn_resident_id": [], "email": [], "bank_card": []}
    written: list[str] = []
    rows = ["姓名,手机,身份证号,银行卡号"]
    for i in range(3):
        mobile, rid, card = synthetic.mobile(rng), synthetic.resident_id(rng), synthetic.bank_card(rng, 16)
        mobile_w = f"{mobile[:3]}-{mobile[3:7]}-{mobile[7:]}" if i else mobile
        card_w = " ".join(card[j : j + 4] for j in range(0, 16, 4)) if i else card
        rid_w = f"{rid[:6]} {rid[6:14]} {rid[14:]}" if i == 2 else rid
        rows.append(f"{synthetic.chinese_name(rng)},{mobile_w},{rid_w},{card_w}")
        values["cn_mobile"].append(mobile)
        values["cn_resident_id"].append(rid)
        values["bank_card"].append(card)
        written += [mobile_w, rid_w, card_w]
    (root / "customers.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    email = synthetic.email(rng)
    (root / "notes.txt").write_text(f"会议纪要：请联系 {email} 。\n", encoding="utf-8")
    values["email"].append(email.lower())
    written.append(email)
    deep = synthetic.mobile(rng)
    deep_w = f"+86 {deep[:3]} {deep[3:7]} {deep[7:]}"
    (root / "sub" / "deep.log").write_text(
        f"2024-01-01 12:00:00 INFO sms sent to {deep_w}\n", encoding="utf-8"
    )
    values["cn_mobile"].append(deep)
    written.append(deep_w)
    (root / "clean.txt").write_text("今天天气很好，没有个人信息。\n", encoding="utf-8")
    return Samples(root, values, written)


def scan(cli: Callable[..., Any], *args: str, **kwargs: Any) -> Any:
    """``dlp scan -j 1 ARGS`` in-process (worker pools are tested in a real subprocess)."""
    return cli(["scan", "-j", "1", *args], **kwargs)


def records(out: str) -> list[dict[str, Any]]:
    parsed = [json.loads(line) for line in out.splitlines() if line.strip()]
    for record in parsed:
        jsonschema.validate(record, RECORD_SCHEMA)
    assert parsed and parsed[-1]["type"] == "summary"
    assert sum(r["type"] == "summary" for r in parsed) == 1
    return parsed


def found(out: str) -> list[tuple[str, str, int]]:
    return sorted(
        (r["path"], r["detector"], r["location"]["offset"]) for r in records(out) if r["type"] == "finding"
    )


# -- exit codes ------------------------------------------------------------------


def test_exit_0_for_a_clean_file(cli, samples: Samples) -> None:
    run = scan(cli, str(samples.root / "clean.txt"))
    assert run.exit_code == 0, run.err
    assert "Findings: none" in run.err


def test_exit_1_for_findings(cli, samples: Samples) -> None:
    run = scan(cli, str(samples.root))
    assert run.exit_code == 1, run.err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["does-not-exist.txt"], "does-not-exist.txt"),
        (["--detectors", "cn_mobile,no_such_detector", "."], "no_such_detector"),
        (["--max-file-size", "lots", "."], "not a size"),
        (["--max-file-size=-5", "."], "not a size"),
        (["--rules", "no-such-rules-dir", "."], "no-such-rules-dir"),
        (["--rules", "notes.txt", "."], "notes.txt"),
        (["--format", "xml", "."], "xml"),
        (["-", "-"], "standard input"),
    ],
    ids=[
        "missing-path",
        "unknown-detector",
        "bad-size",
        "negative-size",
        "no-rules-dir",
        "rules-not-a-dir",
        "bad-format",
        "stdin-twice",
    ],
)
def test_exit_2_for_usage_and_config_errors(cli, samples: Samples, args: list[str], message: str) -> None:
    run = scan(cli, *args, cwd=samples.root)
    assert run.exit_code == 2
    assert run.stdout == b""
    assert message in run.err


def test_exit_2_for_a_rule_file_with_a_syntax_error(cli, samples: Samples, tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "broken.yar").write_text('rule broken { strings: $a = "x" condition: $a and and }\n')
    run = scan(cli, "--rules", str(rules), str(samples.root))
    assert run.exit_code == 2
    assert "broken.yar" in run.err
    assert run.stdout == b""


def test_exit_3_when_only_binary_input_and_no_findings(cli, tmp_path: Path) -> None:
    blob = tmp_path / "blob.bin"
    blob.write_bytes(random.Random(1).randbytes(20_000) + b"\x00" * 64)
    run = scan(cli, "-f", "jsonl", str(blob))
    assert run.exit_code == 3, run.err
    recs = records(run.out)
    assert [(r["type"], r.get("reason")) for r in recs if r["type"] != "summary"] == [("error", "binary")]


def test_exit_3_for_a_too_large_file(cli, samples: Samples) -> None:
    run = scan(cli, "-f", "jsonl", "--max-file-size", "100", str(samples.root / "customers.csv"))
    assert run.exit_code == 3
    [error, summary] = records(run.out)
    assert error["type"] == "error" and error["reason"] == "too_large" and error["partial"] is False
    assert summary["findings"] == {} and summary["errors"] == {"too_large": 1}


@pytest.mark.skipif(not os.path.exists("/proc/self/mem"), reason="needs Linux /proc")
def test_exit_3_for_an_unreadable_file(cli) -> None:
    # Runs as root, so permissions cannot make a file unreadable; reading offset 0
    # of /proc/self/mem fails with EIO for every user.
    run = scan(cli, "-f", "jsonl", "/proc/self/mem")
    assert run.exit_code == 3
    assert [r["reason"] for r in records(run.out) if r["type"] == "error"] == ["unreadable"]


def test_findings_win_over_problems(cli, samples: Samples) -> None:
    (samples.root / "blob.bin").write_bytes(random.Random(2).randbytes(10_000) + b"\x00")
    run = scan(cli, "-f", "jsonl", str(samples.root))
    assert run.exit_code == 1
    assert any(r["type"] == "error" and r["reason"] == "binary" for r in records(run.out))


# -- inputs and paths ------------------------------------------------------------


def test_dash_reads_standard_input(cli) -> None:
    run = scan(cli, "-f", "jsonl", "--reveal", "-", input="客户手机：13812345678\n".encode())
    assert run.exit_code == 1
    [finding] = [r for r in records(run.out) if r["type"] == "finding"]
    assert finding["path"] == "-"
    assert finding["value"] == "13812345678"
    assert finding["location"] == {"offset": len("客户手机：".encode()), "line": 1}


def test_paths_are_reported_as_reached_from_the_argument(cli, samples: Samples) -> None:
    relative = scan(cli, "-f", "jsonl", "samples", cwd=samples.root.parent)
    paths = {r["path"] for r in records(relative.out) if r["type"] == "finding"}
    assert paths == {"samples/customers.csv", "samples/notes.txt", os.path.join("samples", "sub", "deep.log")}
    dotted = scan(cli, "-f", "jsonl", "./samples/sub", cwd=samples.root.parent)
    assert {r["path"] for r in records(dotted.out) if r["type"] == "finding"} == {"./samples/sub/deep.log"}
    absolute = scan(cli, "-f", "jsonl", str(samples.root))
    assert {r["path"] for r in records(absolute.out) if r["type"] == "finding"} == {
        str(samples.root / "customers.csv"),
        str(samples.root / "notes.txt"),
        str(samples.root / "sub" / "deep.log"),
    }


def test_jsonl_records_and_reveal(cli, samples: Samples) -> None:
    plain = records(scan(cli, "-f", "jsonl", str(samples.root)).out)
    revealed = records(scan(cli, "-f", "jsonl", "--reveal", str(samples.root)).out)
    plain_findings = [r for r in plain if r["type"] == "finding"]
    revealed_findings = [r for r in revealed if r["type"] == "finding"]
    assert all(list(r) == FINDING_KEYS for r in plain_findings)
    assert all(list(r) == [*FINDING_KEYS, "value"] for r in revealed_findings)
    assert [{k: v for k, v in r.items() if k != "value"} for r in revealed_findings] == plain_findings
    by_detector: dict[str, list[str]] = {}
    for r in revealed_findings:
        by_detector.setdefault(r["detector"], []).append(r["value"])
    assert {d: sorted(v) for d, v in by_detector.items()} == {d: sorted(v) for d, v in samples.values.items()}
    summary = plain[-1]
    assert summary["files"] == 4
    assert summary["findings"] == {d: len(v) for d, v in sorted(samples.values.items())}


@pytest.mark.parametrize("fmt", ["jsonl", "text", "sarif"])
def test_raw_values_never_appear_without_reveal(cli, samples: Samples, fmt: str) -> None:
    run = scan(cli, "-f", fmt, str(samples.root))
    assert run.exit_code == 1
    shown = run.out + run.err
    for value in [v for vs in samples.values.values() for v in vs] + samples.written:
        assert value not in shown
        assert value.lower() not in shown.lower()
    if fmt != "sarif":  # SARIF carries masked values only, even with --reveal
        revealed = scan(cli, "-f", fmt, "--reveal", str(samples.root))
        assert all(v in revealed.out for vs in samples.values.values() for v in vs)


def test_output_file(cli, samples: Samples, tmp_path: Path) -> None:
    report = tmp_path / "report.jsonl"
    run = scan(cli, "-f", "jsonl", "-o", str(report), str(samples.root))
    assert run.exit_code == 1
    assert run.stdout == b""
    assert len(found(report.read_text(encoding="utf-8"))) == sum(len(v) for v in samples.values.values())


# -- selection ---------------------------------------------------------------------


def test_detectors_option_restricts(cli, samples: Samples) -> None:
    only_mobile = scan(cli, "-f", "jsonl", "--detectors", "cn_mobile", str(samples.root))
    assert {d for _, d, _ in found(only_mobile.out)} == {"cn_mobile"}
    two = scan(cli, "-f", "jsonl", "--detectors", "email", "--detectors", "bank_card", str(samples.root))
    assert {d for _, d, _ in found(two.out)} == {"email", "bank_card"}
    comma = scan(cli, "-f", "jsonl", "--detectors", "email,bank_card", str(samples.root))
    assert found(comma.out) == found(two.out)
    nothing = scan(cli, "--detectors", "cn_plate", str(samples.root))
    assert nothing.exit_code == 0


def test_exclude_prunes_files_and_folders(cli, samples: Samples) -> None:
    run = scan(cli, "-f", "jsonl", "--exclude", "*.csv", "--exclude", "sub", str(samples.root))
    recs = records(run.out)
    assert {Path(r["path"]).name for r in recs if "path" in r} == {"notes.txt"}
    assert recs[-1]["files"] == 2  # notes.txt and clean.txt
    assert not any(r["type"] == "skipped" for r in recs)


# -- file-system corner cases ----------------------------------------------------


def test_symlinks_are_skipped_unless_followed(cli, samples: Samples) -> None:
    os.symlink(samples.root / "notes.txt", samples.root / "link.txt")
    os.symlink(samples.root / "sub", samples.root / "linkdir")
    skipped = records(scan(cli, "-f", "jsonl", str(samples.root)).out)
    assert sorted((Path(r["path"]).name, r["reason"]) for r in skipped if r["type"] == "skipped") == [
        ("link.txt", "symlink"),
        ("linkdir", "symlink"),
    ]
    assert not any(Path(r["path"]).name == "link.txt" for r in skipped if r["type"] == "finding")
    followed = records(scan(cli, "-f", "jsonl", "--follow-symlinks", str(samples.root)).out)
    names = [Path(r["path"]).name for r in followed if r["type"] == "finding"]
    assert "link.txt" in names
    assert not any(r["type"] == "skipped" for r in followed)


def test_a_symlink_loop_does_not_hang(cli_process, samples: Samples) -> None:
    os.symlink(samples.root, samples.root / "sub" / "loop")
    os.symlink("self", samples.root / "self")  # a link to itself
    run = cli_process(["scan", "-j", "1", "-f", "jsonl", "--follow-symlinks", str(samples.root)], timeout=60)
    assert run.exit_code == 1, run.err
    hits = [
        (r["path"], r["detector"], r["location"]["offset"])
        for r in records(run.out)
        if r["type"] == "finding"
    ]
    assert len(hits) == len(set(hits)) == sum(len(v) for v in samples.values.values())  # each file once
    assert not any("loop" in Path(path).relative_to(samples.root).parts for path, _, _ in hits)


def test_a_fifo_is_not_opened(cli_process, samples: Samples) -> None:
    fifo = samples.root / "pipe"
    os.mkfifo(fifo)
    for target in (samples.root, fifo):
        run = cli_process(["scan", "-j", "1", "-f", "jsonl", str(target)], timeout=60)
        skipped = [(r["path"], r["reason"]) for r in records(run.out) if r["type"] == "skipped"]
        assert skipped == [(str(fifo), "not_regular")]


def test_vanished_file_is_an_error_and_the_scan_continues(scanner: dlp.Scanner, samples: Samples) -> None:
    entries = list(walk([str(samples.root)]))
    victim = samples.root / "notes.txt"
    victim.unlink()
    results = [scanner.scan_entry(e) for e in entries]
    by_name = {Path(r.path).name: r for r in results}
    assert [(p.reason, p.partial) for p in by_name["notes.txt"].problems] == [("vanished", False)]
    assert not by_name["notes.txt"].findings
    assert len(by_name["customers.csv"].findings) == 9
    assert len(by_name["deep.log"].findings) == 1


def test_a_file_removed_during_scan_paths(scanner: dlp.Scanner, samples: Samples) -> None:
    results = scanner.scan_paths([str(samples.root)])
    first = next(results)
    assert Path(first.path).name == "clean.txt"
    (samples.root / "notes.txt").unlink()
    rest = {Path(r.path).name: r for r in results}
    assert [p.reason for p in rest["notes.txt"].problems] == ["vanished"]
    assert rest["deep.log"].findings and rest["customers.csv"].findings


def test_vanished_file_message_holds_no_content(scanner: dlp.Scanner, tmp_path: Path) -> None:
    with pytest.raises(dlp.FileUnreadable) as caught:
        scanner.scan_file(tmp_path / "13812345678.txt.gone")
    assert caught.value.reason == "vanished"


# -- parallel, rules, SARIF --------------------------------------------------------


def test_two_jobs_give_the_same_findings_as_one(cli_process, samples: Samples) -> None:
    for i in range(6):
        (samples.root / f"copy{i}.csv").write_bytes((samples.root / "customers.csv").read_bytes())
    one = cli_process(["scan", "-j", "1", "-f", "jsonl", str(samples.root)])
    two = cli_process(["scan", "-j", "2", "-f", "jsonl", str(samples.root)])
    assert one.exit_code == two.exit_code == 1, two.err

    def comparable(out: str) -> list[dict[str, Any]]:
        recs = records(out)
        return [r for r in recs if r["type"] != "summary"] + [{**recs[-1], "seconds": 0}]

    assert comparable(two.out) == comparable(one.out)


def test_workers_apply_baseline_and_policy_like_one_process(
    cli_process, samples: Samples, tmp_path: Path
) -> None:
    """Workers filter baseline findings, judge files and render records themselves:
    the text report, the JSONL records and the exit status match a one-process run."""
    for i in range(4):
        (samples.root / f"copy{i}.csv").write_bytes((samples.root / "customers.csv").read_bytes())
    baseline = tmp_path / "baseline.json"
    made = cli_process(
        ["baseline", "create", "-j", "1", "-o", str(baseline), str(samples.root / "copy0.csv")]
    )
    assert made.exit_code == 0, made.err
    args = ["--baseline", str(baseline), "--fail-on", "customer_list", str(samples.root)]
    text_one = cli_process(["scan", "-j", "1", "-f", "text", "-q", *args])
    text_two = cli_process(["scan", "-j", "2", "-f", "text", "-q", *args])
    assert text_one.exit_code == text_two.exit_code
    assert text_two.out == text_one.out
    one = records(cli_process(["scan", "-j", "1", "-f", "jsonl", *args]).out)
    two = records(cli_process(["scan", "-j", "2", "-f", "jsonl", *args]).out)
    assert [r for r in two if r["type"] != "summary"] == [r for r in one if r["type"] != "summary"]
    assert {**two[-1], "seconds": 0} == {**one[-1], "seconds": 0}
    assert not any(r.get("path", "").endswith("copy0.csv") for r in two if r["type"] == "finding")
    assert any(r["type"] == "file" and r["path"].endswith("copy1.csv") for r in two)


def test_user_rules_produce_yara_findings(cli, samples: Samples, tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    (rules / "nested").mkdir(parents=True)
    (rules / "nested" / "project.yar").write_text(
        'rule project_zebra\n{\n    meta:\n        severity = "high"\n'
        '    strings:\n        $a = "PROJECT ZEBRA" nocase\n    condition:\n        $a\n}\n'
    )
    (samples.root / "plan.txt").write_text("Roadmap for Project Zebra, do not share\n")
    run = scan(cli, "-f", "jsonl", "--rules", str(rules), str(samples.root))
    assert run.exit_code == 1
    hits = [r for r in records(run.out) if r.get("detector") == "yara:project_zebra"]
    assert [(Path(r["path"]).name, r["severity"], r["location"]["offset"]) for r in hits] == [
        ("plan.txt", "high", len("Roadmap for "))
    ]
    without = scan(cli, "-f", "jsonl", str(samples.root))
    assert not any(r.get("detector") == "yara:project_zebra" for r in records(without.out))


def test_sarif_output(cli, samples: Samples) -> None:
    (samples.root / "blob.bin").write_bytes(random.Random(3).randbytes(5_000) + b"\x00")
    jsonl = [r for r in records(scan(cli, "-f", "jsonl", str(samples.root)).out) if r["type"] == "finding"]
    run = scan(cli, "-f", "sarif", str(samples.root))
    assert run.exit_code == 1
    log = json.loads(run.out)
    assert log["version"] == "2.1.0"
    assert "sarif" in log["$schema"]
    [sarif_run] = log["runs"]
    assert sarif_run["tool"]["driver"]["name"] == "dlp"
    rules = sarif_run["tool"]["driver"]["rules"]
    detectors = {d.name for d in all_detectors()}
    results = [r for r in sarif_run["results"] if r["ruleId"] in detectors or r["ruleId"].startswith("yara:")]
    assert len(results) == len(jsonl)  # one result per finding
    fingerprints = set()
    for result, record in zip(results, jsonl, strict=True):
        assert result["ruleId"] == record["detector"] == rules[result["ruleIndex"]]["id"]
        prints = result["partialFingerprints"]
        assert prints and all(isinstance(v, str) and len(v) >= 32 for v in prints.values())
        fingerprints.add(tuple(sorted(prints.items())))
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uri"].endswith(Path(record["path"]).name)
        assert location["region"]["startLine"] == record["location"]["line"]
        assert result["level"] in ("error", "warning", "note")
        assert record["masked"] in result["message"]["text"]
    assert len(fingerprints) == len(results)  # distinct values get distinct fingerprints
    again = json.loads(scan(cli, "-f", "sarif", str(samples.root)).out)["runs"][0]["results"]
    assert [r["partialFingerprints"] for r in again] == [
        r["partialFingerprints"] for r in sarif_run["results"]
    ]
    notes = sarif_run["invocations"][0]["toolExecutionNotifications"]
    assert any("binary" in n["message"]["text"] for n in notes)


def test_module_entry_point_runs_as_a_real_process(cli, cli_process) -> None:
    data = "联系人：张三，手机 138 1234 5678\n邮箱 zhang@example.com\n".encode()
    child = cli_process(["scan", "-f", "jsonl", "-"], input=data)
    here = scan(cli, "-f", "jsonl", "-", input=data)
    assert child.exit_code == here.exit_code == 1, child.err
    child_records, here_records = records(child.out), records(here.out)
    assert child_records[:-1] == here_records[:-1]
    assert [r["detector"] for r in child_records if r["type"] == "finding"] == ["cn_mobile", "email"]


def test_detectors_command_lists_every_detector(cli) -> None:
    run = cli(["detectors"])
    assert run.exit_code == 0
    names = [line.split()[0] for line in run.out.splitlines() if line.strip()]
    assert names == sorted(d.name for d in all_detectors())
    assert "needs context" in next(line for line in run.out.splitlines() if line.startswith("bank_card"))
