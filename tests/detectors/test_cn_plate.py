"""cn_plate: vehicle licence plates (ordinary, new-energy, special-use suffixes)."""

from __future__ import annotations

import random

import pytest

from dlp import synthetic
from dlp.detectors.cn_plate import DETECTOR, PROVINCES, SUFFIXES

DET = "cn_plate"


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("京A12345", "京A12345"),
        ("京AB1234", "京AB1234"),
        ("京A1234A", "京A1234A"),
        ("粤BD12345", "粤BD12345"),  # new-energy, small car
        ("粤BFA1234", "粤BFA1234"),
        ("沪A12345D", "沪A12345D"),  # new-energy, large vehicle
        ("川A1234学", "川A1234学"),
        ("京A1234警", "京A1234警"),
        ("冀B1234挂", "冀B1234挂"),
        ("粤Z1234港", "粤Z1234港"),
        ("粤Z1234澳", "粤Z1234澳"),
        ("京A1234使", "京A1234使"),
        ("京A1234领", "京A1234领"),
        ("京A 12345", "京A12345"),  # separators after the letter
        ("京A·12345", "京A12345"),
        ("京A-12345", "京A12345"),
        ("粤B·D12345", "粤BD12345"),
        ("粤B D12345", "粤BD12345"),
        ("京a12345", "京A12345"),  # lower case
        ("浙a8b12c", "浙A8B12C"),
    ],
)
def test_written_forms_give_upper_case_without_separators(find, written: str, value: str) -> None:
    text = f"停车记录：{written}，下午"
    [found] = find(text)
    assert found.detector == DET
    assert found.value == value
    assert found.index == text.index(written)
    assert found.masked == value[:2] + "*" * (len(value) - 4) + value[-2:]


@pytest.mark.parametrize("kind", ["ordinary", "ne_small", "ne_large", "special"])
def test_synthetic_plates(find, kind: str) -> None:
    rng = random.Random(21)
    plates = [synthetic.plate(rng, kind) for _ in range(40)]
    text = "；".join(f"车{i} {p}" for i, p in enumerate(plates))
    found = find(text, DET)
    assert [f.value for f in found] == plates
    assert [f.index for f in found] == [text.index(p) for p in plates]


def test_every_province_and_suffix() -> None:
    for province in PROVINCES:
        assert DETECTOR.validate(f"{province}A12345") == f"{province}A12345"
    for suffix in SUFFIXES:
        assert DETECTOR.validate(f"京A1234{suffix}") == f"京A1234{suffix}"


@pytest.mark.parametrize(
    "decoy",
    [
        "京I12345",  # I and O are not issuing letters
        "京O12345",
        "京AI2345",
        "京AO2345",
        "京AABCDE",  # too many letters in the serial
        "京ABC12D",
        "京A1234",  # too short
        "京A123456",  # too long
        "京A12345678",
        "京AX12345",  # 6 characters but not a new-energy serial
        "京AL12345",
        "粤BF1A234",  # new-energy serials end in four digits
        "北京ABC",  # not a province abbreviation + letter
        "华A12345",
        "京A12345X",  # glued to a letter
        "京A123456学",
    ],
)
def test_decoys_are_not_plates(find, decoy: str) -> None:
    assert find(f"车牌：{decoy} 。", DET) == []


def test_context_word_raises_confidence(find) -> None:
    plate = "京A12345"
    assert [f.confidence for f in find(f"编号 {plate}")] == [DETECTOR.base_confidence]
    assert [f.confidence for f in find(f"车牌号码：{plate}")] == [DETECTOR.context_confidence]
    assert [f.confidence for f in find(f"{plate}（号牌）")] == [DETECTOR.context_confidence]
    assert [f.confidence for f in find(f"备注\n车牌{' ' * 100}{plate}")] == [DETECTOR.base_confidence]
    assert DETECTOR.context_confidence > DETECTOR.base_confidence


def test_validate() -> None:
    assert DETECTOR.validate("粤B·d12345") == "粤BD12345"
    for bad in ("", "京", "京A", "AA12345", "京A1234学学", "京A12O45"):
        assert not DETECTOR.is_valid(bad)
