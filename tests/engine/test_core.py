"""The native core (dlp._core) through the public API: threads, JSONL, full-width text,
the tally, and the core's own configuration errors."""

from __future__ import annotations

import pickle
import random
import threading

import orjson
import pytest

import dlp
from dlp import _core, synthetic
from dlp.allowlist import Allowlist
from dlp.engine.lane import LaneOutput
from dlp.errors import ConfigError
from dlp.findings import ScanResult
from dlp.output.jsonl import render
from dlp.policy import Policy
from tests.conftest import TEST_KEY

FULLWIDTH = str.maketrans("0123456789+-()", "０１２３４５６７８９＋－（）")


def customer_text(seed: int, lines: int = 200) -> str:
    rng = random.Random(seed)
    rows = []
    for i in range(lines):
        row = f"客户{i} 手机 {synthetic.mobile(rng)} 身份证 {synthetic.resident_id(rng)}"
        row += f" 邮箱 {synthetic.email(rng)}"
        if i % 3 == 0:
            row += f" 车牌 {synthetic.plate(rng)} 电话 {synthetic.landline(rng)[0]}"
        rows.append(row)
    return "\n".join(rows)


def values(result: ScanResult) -> list[tuple[str, str | None, int]]:
    return [(f.detector, f.value, f.location.offset) for f in result.findings]


def test_one_scanner_shared_by_threads_gives_what_it_gives_alone(scanner: dlp.Scanner) -> None:
    texts = [customer_text(seed) for seed in range(16)]
    alone = [values(scanner.scan_text(t)) for t in texts]
    assert all(len(v) >= 600 for v in alone)
    together: list[list[tuple[str, str | None, int]] | None] = [None] * len(texts)
    start = threading.Barrier(8)

    def work(worker: int) -> None:
        start.wait()
        for _ in range(3):
            for i in range(worker, len(texts), 8):
                together[i] = values(scanner.scan_text(texts[i]))

    threads = [threading.Thread(target=work, args=(w,)) for w in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert together == alone


def test_core_jsonl_is_what_the_python_writer_renders(
    masked_scanner: dlp.Scanner, scanner: dlp.Scanner
) -> None:
    text = customer_text(7).encode()
    for each in (masked_scanner, scanner):
        core = each._core
        header = core.bits(core.header_context(text.split(b"\n", 1)[0]))
        pieces, _, found = core.engine.scan_jsonl(
            text, header, 0, len(text), 20261203, orjson.dumps("x.txt"), None, 0, 0, _core.Tally(), []
        )
        result = each.scan_bytes(text, name="x.txt")
        assert found == len(result.findings) > 0
        assert b"".join(pieces) == render(ScanResult("x.txt", result.findings))


def test_fullwidth_forms_are_found_at_their_input_offsets(scanner: dlp.Scanner) -> None:
    rng = random.Random(3)
    mobile, rid = synthetic.mobile(rng), synthetic.resident_id(rng)
    text = f"联系人：（+86）{mobile.translate(FULLWIDTH)}，证件　{rid.translate(FULLWIDTH)}。手机 {mobile}"
    found = scanner.scan_text(text).findings
    assert [(f.detector, f.value) for f in found] == [
        ("cn_mobile", mobile),
        ("cn_resident_id", rid),
        ("cn_mobile", mobile),
    ]
    raw = text.encode()
    assert raw[found[0].location.offset :].startswith("（+86）".encode())
    assert raw[found[1].location.offset :].startswith(rid[:1].translate(FULLWIDTH).encode())
    assert raw[found[2].location.offset :].startswith(mobile.encode())


def test_fullwidth_digits_fold_only_the_lines_around_them(scanner: dlp.Scanner) -> None:
    """The core folds a stretch of lines around each full-width digit (4 KiB back,
    16 KiB on) and searches the rest as it is: every value is found once, at its
    input offset, whether it sits inside a folded stretch, between two, or on the
    edge of one."""
    rng = random.Random(5)
    lines, planted = [], []
    for i in range(4000):  # about 300 KB: several folded stretches and raw ones
        mobile = synthetic.mobile(rng)
        if i % 701 == 0 or i % 977 == 1:
            written = mobile.translate(FULLWIDTH)
        elif i % 5 == 0:
            written = mobile
        else:
            lines.append(f"第{i}行：{synthetic.prose(rng, 20)}")
            continue
        planted.append(mobile)
        lines.append(f"第{i}行：{synthetic.prose(rng, 8)} {written} 。")
    text = "\n".join(lines)
    found = [f for f in scanner.scan_text(text).findings if f.detector == "cn_mobile"]
    assert [f.value for f in found] == planted
    raw = text.encode()
    for f, mobile in zip(found, planted, strict=True):
        written = raw[f.location.offset : f.location.offset + 33].decode(errors="ignore")
        assert written.startswith((mobile, mobile.translate(FULLWIDTH)))


def test_a_value_is_found_once_whatever_the_windows(make_scanner) -> None:  # type: ignore[no-untyped-def]
    small = make_scanner(chunk_size=64 * 1024)
    text = customer_text(11, lines=3000)
    assert len(text.encode()) > 3 * 64 * 1024
    assert values(small.scan_text(text)) == values(make_scanner().scan_text(text))


def test_the_tally_counts_pickles_and_merges() -> None:
    policy = Policy()
    result = dlp.Scanner(dlp.ScanConfig(key=TEST_KEY)).scan_text(customer_text(5, lines=40))
    tally = policy.tally(result.findings)
    again = pickle.loads(pickle.dumps(tally))
    assert again.distinct() == tally.distinct()
    assert again.close() == tally.close() == 40
    both = _core.Tally()
    both.merge(tally)
    both.merge(again)
    assert both.close() == 80
    assert both.distinct() == tally.distinct()
    assert policy.verdict("x", None, both).verdict == "customer_list"


def test_python_way_windows_are_counted_like_core_windows(masked_scanner: dlp.Scanner) -> None:
    policy = Policy()
    result = masked_scanner.scan_text(customer_text(9, lines=30))
    out = LaneOutput("x", policy.count)
    out.add_findings(result.findings)
    assert out.tally.distinct() == policy.tally(result.findings).distinct()
    assert out.tally.found() == {d: n for d, n in out.counts().items()}


def test_an_allowlist_regex_the_core_cannot_compile_is_a_config_error() -> None:
    allow = Allowlist.build(regexes=[r"^(?=138)\d+$"])  # look-ahead: not in the core's syntax
    with pytest.raises(ConfigError, match="allowlist regex"):
        dlp.Scanner(dlp.ScanConfig(key=TEST_KEY, allowlist=allow))


def test_the_allowlist_and_reveal_work_in_the_core(make_scanner) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(1)
    keep, drop = synthetic.mobile(rng), synthetic.mobile(rng)
    text = f"手机 {keep} 手机 {drop}"
    fp = dlp.Scanner(dlp.ScanConfig(key=TEST_KEY))._core.engine.fingerprint(drop)
    for allow in (Allowlist.build(regexes=[f"^{drop}$"]), Allowlist.build(fingerprints=[fp])):
        found = make_scanner(allowlist=allow).scan_text(text).findings
        assert [f.value for f in found] == [keep]
    masked = dlp.Scanner(dlp.ScanConfig(key=TEST_KEY)).scan_text(text).findings
    assert [f.value for f in masked] == [None, None]
    assert masked[1].fingerprint == fp


def test_a_rule_yara_must_run_everywhere_leaves_the_counts_alone(cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """With a rule file the prefilter cannot read, every window goes the Python way: its
    findings and the file's policy counts are what they are without that rule."""
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "size.yar").write_text("rule big { condition: filesize > 10 }\n", encoding="utf-8")
    (tmp_path / "list.txt").write_text(customer_text(13, lines=60), encoding="utf-8")
    records = {}
    for extra in ([], ["--rules", str(tmp_path / "rules")]):
        run = cli(["scan", str(tmp_path / "list.txt"), "-f", "jsonl", "-j", "1", "--no-config", *extra])
        lines = [orjson.loads(line) for line in run.stdout.splitlines()]
        records[bool(extra)] = lines
    plain, with_rule = records[False], records[True]
    assert [r for r in with_rule if r.get("detector") != "yara:big"] == [
        r for r in plain if r["type"] != "summary"
    ] + [r for r in with_rule if r["type"] == "summary"]
    verdict = next(r for r in with_rule if r["type"] == "file")
    assert verdict["rows"] == 60 and verdict["verdict"] == "customer_list"
    summaries = [next(r for r in lines if r["type"] == "summary") for lines in (plain, with_rule)]
    assert summaries[1]["findings"] == {**summaries[0]["findings"], "yara:big": 1}


def test_a_detector_naming_an_unknown_table_is_a_config_error() -> None:
    from dataclasses import replace

    from dlp.checks import InTable
    from dlp.detectors import all_detectors
    from dlp.engine.core import Core, load_keyword_lists

    mobile = next(d for d in all_detectors() if d.name == "cn_mobile")
    broken = replace(mobile, checks=(*mobile.checks, InTable("no_such_table", 0, (3,))))
    with pytest.raises(ConfigError, match="no_such_table"):
        Core([broken], [], load_keyword_lists(), key=TEST_KEY)


def test_the_typed_stub_lists_what_the_module_exports() -> None:
    import ast
    from pathlib import Path

    stub = ast.parse((Path(_core.__file__).parent / "_core.pyi").read_text(encoding="utf-8"))
    declared = {n.name for n in stub.body if isinstance(n, (ast.ClassDef, ast.FunctionDef))} | {
        n.target.id for n in stub.body if isinstance(n, ast.AnnAssign) and isinstance(n.target, ast.Name)
    }
    exported = {name for name in dir(_core) if not name.startswith("_")}
    assert declared == exported
    for cls in ("Engine", "Tally"):
        node = next(n for n in stub.body if isinstance(n, ast.ClassDef) and n.name == cls)
        methods = {
            f.name for f in node.body if isinstance(f, ast.FunctionDef) and not f.name.startswith("__")
        }
        assert methods == {m for m in dir(getattr(_core, cls)) if not m.startswith("_")}
