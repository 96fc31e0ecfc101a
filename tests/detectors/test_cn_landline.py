"""cn_landline: landline numbers with an area code; extensions are not part of the value."""

from __future__ import annotations

import random

import pytest

from dlp import synthetic
from dlp.detectors.cn_landline import DETECTOR

DET = "cn_landline"


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("0871-8260779", "08718260779"),
        ("010-12345678", "01012345678"),
        ("(021)87654321", "02187654321"),
        ("(0871)8260779", "08718260779"),
        ("0755 2345 6789", "075523456789"),
        ("021 8765 4321", "02187654321"),
        ("+86 21 8765 4321", "02187654321"),
        ("+86-10-12345678", "01012345678"),
        ("0086 21 87654321", "02187654321"),
        ("（０２１）８７６５４３２１", "02187654321"),
    ],
)
def test_written_forms(find, written: str, value: str) -> None:
    text = f"总机 {written} 。"
    [found] = find(text)
    assert found.detector == DET
    assert found.value == value
    assert found.index == text.index(written)
    assert found.masked.startswith(value[:3]) and found.masked.endswith(value[-2:])
    assert "*" * 4 in found.masked and len(found.masked) == len(value)


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("010-12345678转8021", "01012345678"),
        ("010-12345678 转 8021", "01012345678"),
        ("010-12345678-1234", "01012345678"),
        ("0755-23456789-123", "075523456789"),
        ("(021)87654321-1234", "02187654321"),
    ],
)
def test_extensions_are_dropped(find, written: str, value: str) -> None:
    text = f"电话：{written}"
    assert [(f.value, f.index) for f in find(text)] == [(value, text.index(written))]


def test_synthetic_numbers(find) -> None:
    rng = random.Random(8)
    pairs = [synthetic.landline(rng) for _ in range(60)]
    forms = [lambda a, s: f"{a}-{s}", lambda a, s: f"({a}){s}", lambda a, s: f"+86 {a[1:]} {s}"]
    written = [forms[i % len(forms)](a, s) for i, (a, s) in enumerate(pairs)]
    text = "\n".join(f"座机{i}: {w}" for i, w in enumerate(written))
    found = find(text, DET)
    assert [f.value for f in found] == [a + s for a, s in pairs]
    assert [f.index for f in found] == [text.index(w) for w in written]


@pytest.mark.parametrize(
    "decoy",
    [
        "87654321",  # no area code
        "8260779",
        "400-810-8888",  # service numbers
        "4008108888",
        "800-820-8820",
        "95588",
        "021-02345678",  # subscriber starts with 0
        "010-2345678",  # 7 digits after a 3-digit area code
        "0755-2345",
        "013812345678",  # 0 + a mobile number
        "2023-01-01",  # a date
        "a010-12345678",  # glued to letters
        "010-12345678a",
        "3.010-12345678",
        "12345678901234567890",
    ],
)
def test_decoys_are_not_landlines(find, decoy: str) -> None:
    assert find(f"电话 {decoy} 。", DET) == []


def test_context_word_raises_confidence(find) -> None:
    number = "010-12345678"
    assert [f.confidence for f in find(f"编号 {number}")] == [DETECTOR.base_confidence]
    assert [f.confidence for f in find(f"联系电话：{number}")] == [DETECTOR.context_confidence]
    assert [f.confidence for f in find(f"Tel:{number}")] == [DETECTOR.context_confidence]
    assert [f.confidence for f in find(f"备注\n座机{' ' * 100}{number}")] == [DETECTOR.base_confidence]
    assert DETECTOR.context_confidence > DETECTOR.base_confidence


def test_validate() -> None:
    assert DETECTOR.validate("(021)87654321") == "02187654321"
    assert DETECTOR.validate("+86 21 8765 4321") == "02187654321"
    for bad in ("", "87654321", "4008108888", "021-0234567", "0211234567890"):
        assert not DETECTOR.is_valid(bad)


@pytest.mark.parametrize("written", ["（0571）87654321", "（021）8765 4321", "（０２１）87654321"])
def test_full_width_brackets_around_the_area_code(find, written: str) -> None:
    text = f"电话：{written}"
    [found] = find(text)
    assert found.index == text.index(written)
    assert found.value in ("057187654321", "02187654321")
