"""Accuracy on a small synthetic corpus built by ``benchmarks/accuracy.py``.

The benchmark script is not part of a package, so it is loaded from its file. The
full benchmark (300 files, via the CLI) is ``python benchmarks/accuracy.py``.
"""

from __future__ import annotations

import collections
import json
import re
from pathlib import Path

import benchmark_modules
import pytest

import dlp

SEED = 1234
acc = benchmark_modules.load("accuracy")

NORMALISED = {
    "cn_resident_id": r"\d{17}[\dX]",
    "cn_mobile": r"1\d{10}",
    "cn_landline": r"0\d{9,11}",
    "cn_plate": r"[\u4e00-\u9fff][A-HJ-NP-Z][A-HJ-NP-Z0-9]{4,5}[A-HJ-NP-Z0-9学警挂港澳使领]",
    "cn_uscc": r"[0-9A-HJ-NPQRTUWXY]{18}",
    "bank_card": r"\d{16,19}",
    "email": r"[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]+",
}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    root = tmp_path_factory.mktemp("accuracy") / "corpus"
    return root, acc.build_corpus(root, seed=SEED, n_files=40)


def test_corpus_layout(corpus: tuple[Path, object]) -> None:
    root, manifest = corpus
    formats = collections.Counter(manifest.files.values())
    assert set(formats) == set(acc.FORMATS) and all(n == 4 for n in formats.values())
    assert {d for _, d, _ in manifest.positives} == set(acc.DETECTORS)
    assert sum(manifest.decoys.values()) > len(manifest.positives)
    for rel in manifest.files:
        assert (root / rel).is_file()
    for _, detector, value in manifest.positives:
        assert re.fullmatch(NORMALISED[detector], value), (detector, value)


def test_corpus_encodings(corpus: tuple[Path, object]) -> None:
    root, manifest = corpus
    for rel, fmt in manifest.files.items():
        data = (root / rel).read_bytes()
        if fmt == "txt_utf16le_bom":
            assert data.startswith(b"\xff\xfe")
        elif fmt == "csv_utf8_bom":
            assert data.startswith(b"\xef\xbb\xbf")
        elif fmt in ("txt_utf16le", "txt_utf16be"):
            assert not data.startswith((b"\xff\xfe", b"\xfe\xff"))
            data.decode(fmt.replace("txt_utf16", "utf-16-"))
        elif fmt == "csv_gb18030":
            data.decode("gb18030")
        else:
            data.decode("utf-8")
        if fmt == "json":
            json.loads(data)


def test_corpus_is_deterministic(tmp_path: Path) -> None:
    one = acc.build_corpus(tmp_path / "a", seed=SEED, n_files=12)
    two = acc.build_corpus(tmp_path / "b", seed=SEED, n_files=12)
    assert one.to_json() == two.to_json()
    for rel in one.files:
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes()
    other = acc.build_corpus(tmp_path / "c", seed=SEED + 1, n_files=12)
    assert other.positives != one.positives


def test_every_written_form_is_generated(tmp_path: Path) -> None:
    manifest = acc.build_corpus(tmp_path, seed=SEED, n_files=150)
    forms = set(manifest.positives.values())
    mobile = ("plain", "dash_3_4_4", "space_3_4_4", "plus86_spaced", "plus86", "0086_dash")
    mobile += ("paren_plus86", "fullwidth")
    landline = ("dash", "paren", "spaced", "plus86_spaced", "ext_zhuan", "ext_dash")
    expected = {"cn_mobile:" + f for f in mobile} | {"cn_landline:" + f for f in landline}
    expected |= {"cn_resident_id:" + f for f in ["plain", "lower_x", "spaced_6_8_4", "hyphen_6_8_4"]}
    expected |= {
        f"cn_plate:{k}_{s}"
        for k in ("ordinary", "ne_small", "ne_large", "special")
        for s in ("plain", "space", "middot", "dash", "lower")
    }
    expected |= {"bank_card:grouped_4", "bank_card:plain_16", "bank_card:plain_19", "email:mixed_case"}
    assert expected <= forms, sorted(expected - forms)
    assert set(acc.DECOYS) == set(manifest.decoys)


def test_scoring_reads_jsonl(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    manifest = acc.Manifest(seed=0, files={"a.txt": "txt_utf8", "b.log": "log"})
    manifest.positives = {("a.txt", "cn_mobile", "13812345678"): "cn_mobile:plain"}
    lines = [
        json.dumps(
            {"type": "finding", "path": str(root / "a.txt"), "detector": "cn_mobile", "value": "13812345678"}
        ),
        json.dumps(
            {"type": "finding", "path": str(root / "a.txt"), "detector": "cn_mobile", "value": "13812345678"}
        ),
        json.dumps({"type": "finding", "path": str(root / "b.log"), "detector": "yara:rule", "value": "x"}),
        json.dumps({"type": "summary", "files": 2}),
        json.dumps(
            {"type": "finding", "path": str(root / "b.log"), "detector": "cn_mobile", "value": "13912345678"}
        ),
    ]
    found = acc.parse_jsonl(lines, root)
    assert found == {("a.txt", "cn_mobile", "13812345678"), ("b.log", "cn_mobile", "13912345678")}
    report = acc.evaluate(manifest, found)
    assert report["precision"] == 0.5 and report["recall"] == 1.0 and not report["passed"]
    assert report["false_positive_examples"] == [
        {"path": "b.log", "detector": "cn_mobile", "value": "139******78"}
    ]


def test_scanner_accuracy(corpus: tuple[Path, object], tmp_path: Path) -> None:
    root, manifest = corpus
    config = dlp.ScanConfig(reveal=True, key=b"accuracy-test-key-0123456789", cache_dir=tmp_path)
    scanner = dlp.Scanner(config)
    found = set()
    for result in scanner.scan_paths([str(root)]):
        for f in result.findings:
            if not f.detector.startswith("yara:"):
                found.add((acc.relative(f.path, root), f.detector, f.value))
    report = acc.evaluate(manifest, found)
    summary = acc.render(report)
    for fmt, stats in report["formats"].items():
        assert stats["recall"] >= acc.MIN_RECALL, f"{fmt}\n{summary}"
    assert report["precision"] >= acc.MIN_PRECISION, summary
