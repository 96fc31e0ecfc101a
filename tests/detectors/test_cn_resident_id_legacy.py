"""cn_resident_id_legacy: first-generation 15-digit IDs, reported only with ID context."""

from __future__ import annotations

import datetime
import random

import pytest

from dlp import synthetic
from dlp.detectors.cn_resident_id_legacy import DETECTOR

DET = "cn_resident_id_legacy"
OLD = "110105491231002"


def legacy_ids(n: int, seed: int = 3) -> list[str]:
    """15-digit IDs: a synthetic 18-digit ID of someone born in the 1900s, shortened."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        born = datetime.date(1930, 1, 1) + datetime.timedelta(days=rng.randint(0, 25000))
        long = synthetic.resident_id(rng, birth=born)
        out.append(long[:6] + long[8:17])
    return out


@pytest.mark.parametrize("word", ["身份证号码：", "身份证 ", "证件号码", "旧身份证号:", "ID No. ", "IDCARD="])
def test_found_with_an_id_context_word(find, word: str) -> None:
    text = f"{word}{OLD}"
    [found] = find(text)
    assert found == (DET, OLD, text.index(OLD), DETECTOR.context_confidence, "110105******002")


def test_not_found_without_context(find) -> None:
    assert find(f"编号 {OLD}") == []
    assert find(OLD) == []


def test_context_must_be_near(find) -> None:
    assert find(f"备注\n身份证{' ' * 100}{OLD}", DET) == []
    assert find(f"备注\n身份证{' ' * 20}{OLD}", DET) != []


def test_context_in_the_header_line_counts(find) -> None:
    rows = "\n".join(f"{i},{' ' * 80}" for i in range(20))
    text = f"姓名,身份证号\n{rows}\n张三,{OLD}\n"
    assert [f.value for f in find(text, DET)] == [OLD]


def test_synthetic_legacy_ids_are_found(find) -> None:
    numbers = legacy_ids(30)
    text = "\n".join(f"身份证：{n}" for n in numbers)
    found = find(text, DET)
    assert [f.value for f in found] == numbers
    assert [f.index for f in found] == [text.index(n) for n in numbers]


@pytest.mark.parametrize(
    "decoy",
    [
        "110105491331002",  # month 13
        "110105490230002",  # 30 February
        "000000491231002",  # no such region
        "9" + OLD,  # 16-digit run
        OLD + "7",
        "A" + OLD,
        OLD + "x",
        "1101054912310",  # 13 digits
        "11010519491231002X",  # an 18-digit ID is not a legacy ID
    ],
)
def test_decoys_with_context_are_not_legacy_ids(find, decoy: str) -> None:
    assert find(f"身份证号码：{decoy}", DET) == []


def test_validate() -> None:
    assert DETECTOR.validate(OLD) == OLD
    assert DETECTOR.requires_context
    for bad in ("", "11010549123100", "1101054912310021", "11010549123100X", "110105491232002"):
        assert not DETECTOR.is_valid(bad)
