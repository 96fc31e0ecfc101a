"""The two candidate engines (Hyperscan and YARA) must report identical findings.

Hyperscan is the fast path where its wheel exists; YARA is the fallback
everywhere else. A difference between them would make results depend on the
platform, so every corpus the tests use is scanned with both and compared.
"""

from __future__ import annotations

import importlib.util
import random
from pathlib import Path

import benchmark_modules
import pytest

import dlp
from dlp import synthetic
from dlp.detectors import all_detectors

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("hyperscan") is None, reason="hyperscan is not installed here"
)

ROOT = Path(__file__).resolve().parent.parent


def _scanner(engine: str, tmp_path: Path) -> dlp.Scanner:
    config = dlp.ScanConfig(
        key=b"differential-test-key", reveal=True, engine=engine, cache_dir=tmp_path / engine
    )
    return dlp.Scanner(config)


def _findings(scanner: dlp.Scanner, paths: list[Path]) -> set[tuple[str, str, int, str | None]]:
    return {
        (f.path, f.detector, f.location.offset, f.value)
        for result in scanner.scan_paths([str(p) for p in paths])
        for f in result.findings
    }


@pytest.fixture(scope="module")
def engines(tmp_path_factory: pytest.TempPathFactory) -> tuple[dlp.Scanner, dlp.Scanner]:
    tmp = tmp_path_factory.mktemp("engines")
    fast, fallback = _scanner("hyperscan", tmp), _scanner("yara", tmp)
    assert fast._matcher.engine == "hyperscan"
    assert fallback._matcher.engine == "yara"
    return fast, fallback


def test_detector_examples_agree(engines: tuple[dlp.Scanner, dlp.Scanner]) -> None:
    fast, fallback = engines
    texts = [ex.text for d in all_detectors() for ex in d.positives] + [
        neg for d in all_detectors() for neg in d.negatives
    ]
    for text in texts:
        a = [(f.detector, f.location.offset, f.value) for f in fast.scan_text(text).findings]
        b = [(f.detector, f.location.offset, f.value) for f in fallback.scan_text(text).findings]
        assert a == b, text


def test_sample_folder_agrees(engines: tuple[dlp.Scanner, dlp.Scanner]) -> None:
    fast, fallback = engines
    samples = [ROOT / "tests" / "samples"]
    found = _findings(fast, samples)
    assert found  # the samples do contain personal data
    assert found == _findings(fallback, samples)


def test_accuracy_corpus_agrees(engines: tuple[dlp.Scanner, dlp.Scanner], tmp_path: Path) -> None:
    module = benchmark_modules.load("accuracy")
    module.build_corpus(tmp_path / "corpus", seed=77, n_files=60)
    fast, fallback = engines
    found = _findings(fast, [tmp_path / "corpus"])
    assert len(found) > 100
    assert found == _findings(fallback, [tmp_path / "corpus"])


def test_dense_digits_agree(engines: tuple[dlp.Scanner, dlp.Scanner]) -> None:
    """Adjacent values, long digit runs and separators: where overlap handling differs."""
    rng = random.Random(5)
    parts = []
    for _ in range(400):
        choice = rng.randrange(6)
        if choice == 0:
            parts.append(synthetic.mobile(rng))
        elif choice == 1:
            parts.append(synthetic.resident_id(rng))
        elif choice == 2:
            area, number = synthetic.landline(rng)
            parts.append(f"{area}-{number}")
        elif choice == 3:
            parts.append("银行卡号" + synthetic.bank_card(rng))
        elif choice == 4:
            parts.append("".join(rng.choice("0123456789") for _ in range(rng.randint(8, 30))))
        else:
            parts.append(synthetic.plate(rng))
    text = "".join(p + rng.choice([",", " ", "", "\n", "，", "-"]) for p in parts)
    fast, fallback = engines
    a = {(f.detector, f.location.offset, f.value) for f in fast.scan_text(text).findings}
    b = {(f.detector, f.location.offset, f.value) for f in fallback.scan_text(text).findings}
    assert a
    assert a == b


@pytest.mark.parametrize("filler", [0, 1000, 2047, 2048, 2049, 5000])
def test_values_at_the_ends_of_a_buffer_agree(engines: tuple[dlp.Scanner, dlp.Scanner], filler: int) -> None:
    """Hyperscan scans a long buffer in place and only its ends with a sentinel:
    values that touch either end, or sit where those end pieces are cut, are found once."""
    rng = random.Random(filler)
    first, last = synthetic.resident_id(rng), synthetic.mobile(rng)
    inner = [synthetic.mobile(rng) for _ in range(3)]
    body = "的" * (filler // 3)
    # values around the 1024-byte edge pieces as well as at both ends
    text = first + " " + body[:340] + inner[0] + " " + body + inner[1] + "，x " + inner[2] + " " + last
    expected = {first, last, *inner}
    fast, fallback = engines
    a = {(f.location.offset, f.value) for f in fast.scan_text(text).findings}
    b = {(f.location.offset, f.value) for f in fallback.scan_text(text).findings}
    assert a == b
    assert {value for _, value in a} == expected
    assert len(a) == len(expected)
    for edge_offset in range(1015, 1030):  # a value straddling where the head piece is cut
        shifted = "的" * 2000 + "," + "x" * (edge_offset % 3) + " " * edge_offset
        probe = shifted[:edge_offset] + " " + first + " " + shifted[edge_offset:]
        assert [f.value for f in fast.scan_text(probe).findings] == [first]


def test_plates_agree_whatever_precedes_them(engines: tuple[dlp.Scanner, dlp.Scanner]) -> None:
    """Hyperscan finds plates from the byte before the letter (``char_patterns``) and
    moves back to the province; YARA matches the province itself. Same findings."""
    rng = random.Random(9)
    before = ["", " ", "x", "7", "é", "·", "的", "京", "新", "，", "\n", "Ａ", "™", "𠀀", "-"]
    parts = []
    for _ in range(300):
        plate = synthetic.plate(rng)
        if rng.random() < 0.3:
            plate = plate[0] + rng.choice(["·", "•", "・", ""]) + plate[1:]
        if rng.random() < 0.2:
            plate = plate.lower()
        parts.append(rng.choice(before) + plate + rng.choice(["", " ", "学", "x", "，", "5"]))
    text = "".join(parts)
    fast, fallback = engines
    for chunk in (text, text[:40], "京A12345", "云" * 1000 + "京A12345"):
        a = [(f.detector, f.location.offset, f.value) for f in fast.scan_text(chunk).findings]
        b = [(f.detector, f.location.offset, f.value) for f in fallback.scan_text(chunk).findings]
        assert a == b
    assert sum(f.detector == "cn_plate" for f in fast.scan_text(text).findings) > 100
