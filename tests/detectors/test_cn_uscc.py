"""cn_uscc: Unified Social Credit Codes with their MOD 31 check character."""

from __future__ import annotations

import random

import pytest
from stdnum.cn import uscc as stdnum_uscc

from dlp import synthetic
from dlp.detectors.cn_uscc import DETECTOR

DET = "cn_uscc"
CODE = "91350100M00012343L"


def wrong_check(code: str) -> str:
    """The code with another check character (still from the USCC alphabet)."""
    alphabet = synthetic.USCC_ALPHABET
    return code[:17] + alphabet[(alphabet.index(code[17]) + 7) % len(alphabet)]


@pytest.mark.parametrize(
    ("written", "value"), [(CODE, CODE), (CODE.lower(), CODE), ("1210000040000123XC", "1210000040000123XC")]
)
def test_written_forms(find, written: str, value: str) -> None:
    text = f"单位 {written} 。"
    [found] = find(text)
    assert found == (
        DET,
        value,
        text.index(written),
        DETECTOR.base_confidence,
        value[:2] + "*" * 12 + value[-4:],
    )


def test_synthetic_codes_are_found_and_valid(find) -> None:
    rng = random.Random(31)
    codes = [synthetic.uscc(rng) for _ in range(60)]
    assert all(stdnum_uscc.is_valid(c) for c in codes)
    text = "\n".join(f"{i}、企业{i}，{c}" for i, c in enumerate(codes))
    found = find(text, DET)
    assert [f.value for f in found] == codes
    assert [f.index for f in found] == [text.index(c) for c in codes]


def test_the_check_character_is_required(find) -> None:
    rng = random.Random(32)
    codes = [wrong_check(synthetic.uscc(rng)) for _ in range(60)]
    assert not any(stdnum_uscc.is_valid(c) for c in codes)
    assert find("统一社会信用代码：" + "，".join(codes), DET) == []


@pytest.mark.parametrize(
    "decoy",
    [
        "91350100M00012345A",  # wrong check character
        "91350100M00012343LX",  # longer token
        "X91350100M00012343L",
        "A1350100M00012345T",  # department is not a digit
        "91350100M0001234",  # too short
        "91350100I00012345T",  # I is not in the alphabet
        "91350100M0001234-5T",
    ],
)
def test_decoys_are_not_findings(find, decoy: str) -> None:
    assert find(f"统一社会信用代码：{decoy}。", DET) == []


def test_context_word_raises_confidence(find) -> None:
    assert [f.confidence for f in find(f"编号 {CODE}")] == [DETECTOR.base_confidence]
    assert [f.confidence for f in find(f"统一社会信用代码：{CODE}")] == [DETECTOR.context_confidence]
    assert [f.confidence for f in find(f"税号 {CODE}")] == [DETECTOR.context_confidence]
    assert [f.confidence for f in find(f"备注\n税号{' ' * 100}{CODE}")] == [DETECTOR.base_confidence]
    assert DETECTOR.context_confidence > DETECTOR.base_confidence


def test_validate() -> None:
    assert DETECTOR.validate("91350100m00012343l") == CODE
    for bad in ("", "91350100M00012345", "91350100M00012345A", "９１３５０１００Ｍ０００１２３４５Ａ"):
        assert not DETECTOR.is_valid(bad)
