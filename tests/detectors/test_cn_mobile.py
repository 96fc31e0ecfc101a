"""cn_mobile: mainland China mobile numbers in every common written form."""

from __future__ import annotations

import random

import pytest

from dlp import synthetic
from dlp.detectors.cn_mobile import DETECTOR

DET = "cn_mobile"
NUMBER = "13812345678"


@pytest.mark.parametrize(
    "written",
    [
        "13812345678",
        "138-1234-5678",
        "138 1234 5678",
        "+86 138 1234 5678",
        "+86-138-1234-5678",
        "+8613812345678",
        "0086-13812345678",
        "008613812345678",
        "(+86)13812345678",
        "(86) 138 1234 5678",
        "１３８１２３４５６７８",
        "（＋８６）１３８－１２３４－５６７８",
    ],
)
def test_written_forms_give_the_11_digits(find, written: str) -> None:
    text = f"联系人张三 {written}，周一"
    [found] = find(text)
    assert found.detector == DET
    assert found.value == NUMBER
    assert found.index == text.index(written)
    assert found.masked == "138****5678"


def test_synthetic_numbers_in_mixed_forms(find) -> None:
    rng = random.Random(11)
    numbers = [synthetic.mobile(rng) for _ in range(60)]
    forms = [
        lambda n: n,
        lambda n: f"{n[:3]}-{n[3:7]}-{n[7:]}",
        lambda n: f"{n[:3]} {n[3:7]} {n[7:]}",
        lambda n: f"+86 {n[:3]} {n[3:7]} {n[7:]}",
        lambda n: f"+86{n}",
        lambda n: f"0086-{n}",
    ]
    written = [forms[i % len(forms)](n) for i, n in enumerate(numbers)]
    text = "。".join(f"记录{i}：{w}" for i, w in enumerate(written))
    found = find(text, DET)
    assert [f.value for f in found] == numbers
    assert [f.index for f in found] == [text.index(w) for w in written]


def test_adjacent_numbers_are_separate_findings(find) -> None:
    text = "13812345678,13912345678；15012345678/18612345678"
    assert [f.value for f in find(text, DET)] == ["13812345678", "13912345678", "15012345678", "18612345678"]


@pytest.mark.parametrize(
    "decoy",
    [
        "138****5678",  # masked
        "138 **** 5678",
        "12012345678",  # no such network prefix
        "10012345678",
        "1381234567",  # 10 digits
        "138123456789",  # 12 digits
        "1700000000123",  # millisecond timestamp
        "6913812345678",  # EAN-13 barcode
        "ABC13812345678",  # glued to letters
        "13812345678abc",
        "SF1381234567890",  # parcel tracking number
        "13812345678.5",  # decimal number
        "0.13812345678",
        "138-1234-5678-9",  # longer hyphenated number
        "138 1234 56789",
    ],
)
def test_decoys_are_not_findings(find, decoy: str) -> None:
    assert find(f"手机号 {decoy} 。", DET) == []


def test_bad_prefixes_are_rejected(find) -> None:
    rng = random.Random(4)
    numbers = [synthetic.mobile_bad_prefix(rng) for _ in range(40)]
    assert find("手机：" + "，".join(numbers), DET) == []


def test_context_word_raises_confidence(find) -> None:
    assert [f.confidence for f in find(f"编号 {NUMBER}")] == [DETECTOR.base_confidence]
    assert [f.confidence for f in find(f"手机号码：{NUMBER}")] == [DETECTOR.context_confidence]
    assert [f.confidence for f in find(f"Tel: {NUMBER}")] == [DETECTOR.context_confidence]
    assert [f.confidence for f in find(f"{NUMBER}（微信同号）")] == [DETECTOR.context_confidence]
    far = find(f"备注\n手机{' ' * 100}{NUMBER}")
    assert [f.confidence for f in far] == [DETECTOR.base_confidence]
    assert DETECTOR.context_confidence > DETECTOR.base_confidence


def test_validate() -> None:
    assert DETECTOR.validate("+86 138-1234-5678") == NUMBER
    assert DETECTOR.validate("１３８１２３４５６７８") == NUMBER
    for bad in ("", "138123456789", "12012345678", "138l2345678", "13812345678X"):
        assert not DETECTOR.is_valid(bad)


@pytest.mark.parametrize("written", ["86-13812345678", "86 138 1234 5678", "86-138-1234-5678"])
def test_country_code_without_plus(find, written: str) -> None:
    text = f"电话 {written}，"
    assert [(f.value, f.index) for f in find(text)] == [("13812345678", text.index(written))]
