"""Exact data match: building an index from a customer master and matching scans against it.

Every master here is synthetic (:mod:`dlp.synthetic`); the key is the test key.
"""

from __future__ import annotations

import json
import os
import random
from pathlib import Path

import pytest

import dlp
from dlp import synthetic
from dlp.edm import EdmIndex, build_index
from dlp.edm.columns import kind_from_header, kind_from_values, normalise
from dlp.edm.format import HASH_BYTES, MAGIC, RECORD, header_bytes, parse_header
from dlp.errors import ConfigError

REGIONS = synthetic.county_regions()


def key() -> bytes:
    """The suite's key (conftest sets ``DLP_KEY`` for every test)."""
    return os.environ["DLP_KEY"].encode()


def customers(rng: random.Random, n: int) -> list[tuple[str, str, str]]:
    """``n`` synthetic customers (name, mobile, resident ID) with distinct mobiles."""
    out: list[tuple[str, str, str]] = []
    seen: set[str] = set()
    while len(out) < n:
        phone = synthetic.mobile(rng)
        if phone not in seen:
            seen.add(phone)
            out.append(
                (synthetic.chinese_name(rng), phone, synthetic.resident_id(rng, region=rng.choice(REGIONS)))
            )
    return out


def write_csv(
    path: Path, rows: list[tuple[str, str, str]], encoding: str = "utf-8", header: str = "姓名,手机,身份证号"
) -> Path:
    path.write_bytes((header + "\n" + "".join(f"{n},{p},{i}\n" for n, p, i in rows)).encode(encoding))
    return path


def contains_any(data: bytes, needles: set[bytes]) -> list[bytes]:
    """The needles found in ``data`` (one Aho-Corasick pass; bytes mapped 1:1 to latin-1)."""
    import ahocorasick

    automaton = ahocorasick.Automaton()
    for needle in needles:
        automaton.add_word(needle.decode("latin-1"), needle)
    automaton.make_automaton()
    return [needle for _, needle in automaton.iter(data.decode("latin-1"))]


def scan_jsonl(cli, *args: str) -> tuple[int, list[dict]]:  # type: ignore[no-untyped-def]
    run = cli(["scan", "-f", "jsonl", "--no-progress", "-q", "-j", "1", *args])
    return run.exit_code, [json.loads(line) for line in run.out.splitlines()]


def test_column_kinds_from_headers_and_values() -> None:
    assert kind_from_header("客户姓名") == "name"
    assert kind_from_header("联系电话") == "phone"
    assert kind_from_header("联系人电话") == "phone"
    assert kind_from_header("身份证号码") == "id"
    assert kind_from_header("E-Mail") == "email"
    assert kind_from_header("备注") is None
    rng = random.Random(1)
    assert kind_from_values([synthetic.mobile(rng) for _ in range(20)]) == "phone"
    assert kind_from_values([synthetic.chinese_name(rng) for _ in range(20)]) is None  # header only
    assert kind_from_values(["备注一下", "12", "hello"]) is None


def test_values_are_normalised_like_the_detectors() -> None:
    assert normalise("phone", "+86 138-1234-5678") == "13812345678"
    assert normalise("phone", "(021)87654321") == "02187654321"
    assert normalise("id", "11010519491231002x") == "11010519491231002X"
    assert normalise("email", "Zhang.San@Example.COM") == "zhang.san@example.com"
    assert normalise("name", " 张\u3000伟 ") == "张伟"
    assert normalise("phone", "12345") is None
    assert normalise("name", "  ") is None


def test_the_20000_row_gb18030_master_holds_no_plaintext_and_matches_exactly_7(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(20000)
    rows = customers(rng, 20000)
    master = write_csv(tmp_path / "客户主数据.csv", rows, "gb18030")
    index = tmp_path / "customers.edm"
    run = cli(["edm", "build", str(master), "--out", str(index)])
    assert run.exit_code == 0, run.err
    data = index.read_bytes()
    # A 2-character name is 4 bytes in GB18030, and random hash bytes hold a given
    # 4-byte string by chance once in 4 GiB: over thousands of names and a 1 MB
    # index that happens, so forms shorter than 6 bytes are not searched for.
    forms = {
        form for row in rows for v in row for form in (v.encode(), v.encode("gb18030")) if len(form) >= 6
    }
    assert not contains_any(data, forms)
    assert contains_any(master.read_bytes(), forms)  # the search itself works
    assert b"customers" not in data and master.name.encode() not in data

    registered = rng.sample(rows, 7)
    known = {p for _, p, _ in rows}
    strangers = []
    while len(strangers) < 5:
        phone = synthetic.mobile(rng)
        if phone not in known:
            strangers.append(phone)
    forms = ["{}", "{}-{}-{}", "+86 {} {} {}", "{}"]
    lines = []
    for i, (_, phone, _) in enumerate(registered):
        written = forms[i % 4].format(*((phone,) if i % 4 in (0, 3) else (phone[:3], phone[3:7], phone[7:])))
        lines.append(f"今天回访了客户，电话{written}，已经处理。")
    for phone in strangers:
        lines.append(f"另一位来电{phone}，说明情况。")
    rng.shuffle(lines)
    note = tmp_path / "note.txt"
    note.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, records = scan_jsonl(cli, "--edm", str(index), "--reveal", str(note))
    assert code == 1
    edm = [r for r in records if r["type"] == "finding" and r["detector"] == "edm"]
    assert sorted(r["column"] for r in edm) == ["手机"] * 7
    assert {r["fingerprint"] for r in edm} == {dlp.findings.fingerprint(key(), p) for _, p, _ in registered}
    mobiles = {r["fingerprint"] for r in records if r.get("detector") == "cn_mobile"}
    assert len(mobiles) == 12
    (verdict,) = [r for r in records if r["type"] == "file"]
    assert verdict["customers"] == 7
    assert verdict["counts"] == {"cn_mobile": 12, "edm": 7}


def test_revealed_edm_values_are_as_written_and_names_need_their_customer(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(7)
    rows = customers(rng, 300)
    index = tmp_path / "m.edm"
    build_index(write_csv(tmp_path / "m.csv", rows), index, key())
    (a_name, a_phone, a_id), (b_name, _, _) = rows[0], rows[1]
    stranger = next(p for p in (synthetic.mobile(rng) for _ in range(100)) if p not in {r[1] for r in rows})
    spaced = f"{a_phone[:3]} {a_phone[3:7]} {a_phone[7:]}"
    far = "为" * 40
    note = tmp_path / "note.txt"
    note.write_text(
        f"客户{a_name}的手机{spaced}，身份证{a_id}。\n"
        f"{b_name}留的电话是{stranger}。\n"  # a registered name beside an unregistered number
        f"{a_name}{far}{a_phone}\n",  # the name is too far from the number
        encoding="utf-8",
    )
    _, records = scan_jsonl(cli, "--edm", str(index), "--reveal", str(note))
    edm = [(r["location"]["line"], r["column"], r["value"]) for r in records if r.get("detector") == "edm"]
    assert sorted(edm) == sorted(
        [(1, "姓名", a_name), (1, "手机", spaced), (1, "身份证号", a_id), (3, "手机", a_phone)]
    )
    (verdict,) = [r for r in records if r["type"] == "file"]
    assert verdict["customers"] == 1
    assert verdict["rows"] == 1  # line 1 holds a name, a phone and an ID of one customer
    masked = scan_jsonl(cli, "--edm", str(index), str(note))[1]
    assert all("value" not in r for r in masked)
    assert {r["masked"] for r in masked if r.get("column") == "姓名"} == {a_name[0] + "*" * (len(a_name) - 1)}


def test_an_xlsx_master_with_numeric_phones_and_english_headers(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    openpyxl = pytest.importorskip("openpyxl")
    rng = random.Random(11)
    rows = customers(rng, 50)
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Customers")
    sheet.append(["Customer Name", "Mobile", "ID Number", "Notes"])
    for name, phone, rid in rows:
        sheet.append([name, int(phone), rid, "VIP"])
    master = tmp_path / "master.xlsx"
    book.save(master)
    index = tmp_path / "x.edm"
    run = cli(["edm", "build", str(master), "--out", str(index)])
    assert run.exit_code == 0, run.err
    assert "Customer Name (name), Mobile (phone), ID Number (id)" in run.err
    edm = EdmIndex(index, key())
    assert [c.kind for c in edm.columns] == ["name", "phone", "id"]
    assert edm.rows == 50 and edm.records == 150
    assert edm.lookup_value(rows[3][1]) == [(1, 4)]
    assert edm.lookup_value(rows[3][2]) == [(2, 4)]
    note = tmp_path / "n.txt"
    note.write_text(f"{rows[3][0]} {rows[3][1]}\n", encoding="utf-8")
    _, records = scan_jsonl(cli, "--edm", str(index), str(note))
    assert sorted(r["column"] for r in records if r.get("detector") == "edm") == ["Customer Name", "Mobile"]


def test_columns_option_chooses_and_types_columns(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(3)
    rows = customers(rng, 30)
    master = write_csv(tmp_path / "m.csv", rows, header="a\tb\tc")
    master.write_text(master.read_text(encoding="utf-8").replace(",", "\t"), encoding="utf-8")
    out = tmp_path / "m.edm"
    assert cli(["edm", "build", str(master), "--out", str(out), "--columns", "a=name,b"]).exit_code == 0
    assert [(c.name, c.kind) for c in EdmIndex(out, key()).columns] == [("a", "name"), ("b", "phone")]
    bad = cli(["edm", "build", str(master), "--out", str(out), "--columns", "nope"])
    assert bad.exit_code == 2 and "no column 'nope'" in bad.err
    bad = cli(["edm", "build", str(master), "--out", str(out), "--columns", "a=shoe"])
    assert bad.exit_code == 2 and "unknown column kind" in bad.err
    notes = tmp_path / "notes.csv"
    notes.write_text("备注,金额\n你好,12\n", encoding="utf-8")
    bad = cli(["edm", "build", str(notes), "--out", str(out)])
    assert bad.exit_code == 2 and "no column" in bad.err


def test_invalid_master_values_are_skipped_and_counted(tmp_path: Path) -> None:
    master = tmp_path / "m.csv"
    rng = random.Random(5)
    good = synthetic.mobile(rng)
    master.write_text(f"手机\n{good}\n12345\n\n{synthetic.mobile(rng)}\n", encoding="utf-8")
    report = build_index(master, tmp_path / "m.edm", key())
    assert report.rows == 3 and report.records == 2
    assert report.invalid == {"手机": 1}


def test_the_external_sort_gives_the_same_index_as_one_run(tmp_path: Path) -> None:
    rows = customers(random.Random(9), 2000)
    master = write_csv(tmp_path / "m.csv", rows)
    build_index(master, tmp_path / "one.edm", key())
    build_index(master, tmp_path / "many.edm", key(), run_records=777)
    assert (tmp_path / "one.edm").read_bytes() == (tmp_path / "many.edm").read_bytes()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".dlp-edm-")]


def test_index_format_and_lookups(tmp_path: Path) -> None:
    rows = customers(random.Random(13), 500)
    index = tmp_path / "m.edm"
    build_index(write_csv(tmp_path / "m.csv", rows), index, key())
    data = index.read_bytes()
    assert data.startswith(MAGIC)
    header, fanout_at = parse_header(data)  # type: ignore[misc]
    assert header["records"] == 1500 and header["rows"] == 500 and header["hash_bytes"] == HASH_BYTES
    assert header["version"] == 2 and header["name_filter_bits"] == 1 << 16  # the smallest filter
    assert len(data) == fanout_at + 4 * 65536 + 1500 * RECORD + (1 << 16) // 8
    edm = EdmIndex(index, key())
    for row_id, (name, phone, rid) in enumerate(rows, start=1):
        assert (1, row_id) in edm.lookup_value(phone)
        assert (2, row_id) in edm.lookup_value(rid)
        assert (0, row_id) in edm.lookup_value(name)
    fingerprint = dlp.findings.fingerprint(key(), rows[0][1])
    assert edm.lookup_fingerprint(fingerprint) == [(1, 1)]
    assert edm.lookup_value("13000000000") == []
    edm.close()


def _as_version_1(index: Path, out: Path) -> None:
    """The same index in format version 1 (no name filter)."""
    data = index.read_bytes()
    header, fanout_at = parse_header(data)  # type: ignore[misc]
    bits = header.pop("name_filter_bits")
    header["version"] = 1
    out.write_bytes(header_bytes(header) + data[fanout_at : len(data) - bits // 8])


def test_the_name_filter_changes_no_finding(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    """Version 2 skips name windows its filter rules out; version 1 (still read)
    fingerprints them all: the findings are the same."""
    rows = customers(random.Random(21), 300)
    index = tmp_path / "m.edm"
    build_index(write_csv(tmp_path / "m.csv", rows), index, key())
    _as_version_1(index, tmp_path / "v1.edm")
    text = tmp_path / "notes.txt"
    lines = [f"客户{name}，电话{phone}，身份证{rid}。张三李四王五" for name, phone, rid in rows[::3]]
    lines += [f"{phone} 无关的人赵六钱七" for _, phone, _ in rows[1::7]]
    text.write_text("\n".join(lines) + "\n", encoding="utf-8")
    outputs = []
    for edm in (index, tmp_path / "v1.edm"):
        run = cli(["scan", "--edm", str(edm), "-f", "jsonl", str(text)])
        outputs.append([r for r in run.stdout.decode().splitlines() if '"type":"finding"' in r])
    assert outputs[0] == outputs[1]
    names = [r for r in outputs[0] if '"column":"姓名"' in r]
    assert len(names) == len(rows[::3])


def test_a_wrong_key_or_a_damaged_index_is_a_clear_error(
    tmp_path: Path, cli, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    index = tmp_path / "m.edm"
    suite_key = key()
    build_index(write_csv(tmp_path / "m.csv", customers(random.Random(1), 10)), index, suite_key)
    with pytest.raises(ConfigError, match="different key"):
        EdmIndex(index, b"another-key-0123456789")
    note = tmp_path / "n.txt"
    note.write_text("无\n", encoding="utf-8")
    monkeypatch.setenv("DLP_KEY", "another-deployment-key-0123456789")
    run = cli(["scan", "--edm", str(index), str(note)])
    assert run.exit_code == 2 and "different key" in run.err
    monkeypatch.setenv("DLP_KEY", suite_key.decode())
    truncated = tmp_path / "t.edm"
    truncated.write_bytes(index.read_bytes()[:-3])
    with pytest.raises(ConfigError, match="truncated"):
        EdmIndex(truncated, key())
    with pytest.raises(ConfigError, match="not a dlp EDM index"):
        EdmIndex(note, key())
    run = cli(["scan", "--edm", str(tmp_path / "missing.edm"), str(note)])
    assert run.exit_code == 2 and "missing.edm" in run.err


def test_edm_works_in_worker_processes(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    rows = customers(random.Random(17), 40)
    index = tmp_path / "m.edm"
    build_index(write_csv(tmp_path / "m.csv", rows), index, key())
    folder = tmp_path / "notes"
    folder.mkdir()
    for i in range(4):
        (folder / f"{i}.txt").write_text(f"电话 {rows[i][1]}\n", encoding="utf-8")
    run = cli(["scan", "-f", "jsonl", "-q", "-j", "2", "--edm", str(index), str(folder)])
    records = [json.loads(line) for line in run.out.splitlines()]
    assert sum(r.get("detector") == "edm" for r in records) == 4


@pytest.mark.parametrize(("registered", "expected"), [(9, "contains_pii"), (10, "customer_list")])
def test_the_customers_threshold(tmp_path: Path, cli, registered: int, expected: str) -> None:  # type: ignore[no-untyped-def]
    rows = customers(random.Random(23), 40)
    index = tmp_path / "m.edm"
    build_index(write_csv(tmp_path / "m.csv", rows), index, key())
    note = tmp_path / "calls.txt"
    note.write_text(
        "".join(f"第{i}次来电 {phone}\n" for i, (_, phone, _) in enumerate(rows[:registered])),
        encoding="utf-8",
    )
    _, records = scan_jsonl(cli, "--edm", str(index), str(note))
    (verdict,) = [r for r in records if r["type"] == "file"]
    assert (verdict["verdict"], verdict["customers"], verdict["rows"]) == (expected, registered, 0)


def test_a_value_shared_by_many_customers_identifies_none(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(29)
    rows = customers(rng, 20)
    switchboard, family = synthetic.mobile(rng), synthetic.mobile(rng)
    shared = [(n, switchboard if i < 6 else family if i < 8 else p, r) for i, (n, p, r) in enumerate(rows)]
    index = tmp_path / "m.edm"
    build_index(write_csv(tmp_path / "m.csv", shared), index, key())
    for phone, customers_matched in ((switchboard, 0), (family, 2)):
        note = tmp_path / "n.txt"
        note.write_text(f"电话 {phone}\n", encoding="utf-8")
        _, records = scan_jsonl(cli, "--edm", str(index), str(note))
        assert sum(r.get("detector") == "edm" for r in records) == 1
        assert [r["customers"] for r in records if r["type"] == "file"] == [customers_matched]


def test_the_index_can_come_from_the_config_file(tmp_path: Path, cli, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)  # the config of the current folder
    rows = customers(random.Random(31), 10)
    build_index(write_csv(tmp_path / "m.csv", rows), tmp_path / "data" / "m.edm", key())
    (tmp_path / "dlp.toml").write_text('edm = "data/m.edm"\n', encoding="utf-8")
    note = tmp_path / "docs" / "n.txt"
    note.parent.mkdir()
    note.write_text(f"电话 {rows[0][1]}\n", encoding="utf-8")
    _, records = scan_jsonl(cli, str(note))
    assert [r["column"] for r in records if r.get("detector") == "edm"] == ["手机"]
    _, records = scan_jsonl(cli, "--no-config", str(note))
    assert not [r for r in records if r.get("detector") == "edm"]
