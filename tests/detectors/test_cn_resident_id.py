"""cn_resident_id: 18-character resident ID numbers (GB 11643-1999)."""

from __future__ import annotations

import datetime
import random

import pytest

from dlp import synthetic
from dlp.detectors.cn_resident_id import DETECTOR, calc_check_char

DET = "cn_resident_id"
ID = "11010519491231002X"  # the GB 11643 sample number, used in every reference text
MASKED = "110105********002X"


@pytest.fixture(scope="module")
def ids() -> list[str]:
    rng = random.Random(2)
    return [synthetic.resident_id(rng) for _ in range(40)]


@pytest.mark.parametrize(
    "written",
    [
        "11010519491231002X",
        "11010519491231002x",
        "110105 19491231 002X",
        "110105-19491231-002x",
        "１１０１０５１９４９１２３１００２Ｘ",
    ],
)
def test_written_forms_give_the_upper_case_value(find, written: str) -> None:
    text = f"记录 {written} 。"
    [found] = find(text)
    assert found.detector == DET
    assert found.value == ID
    assert found.index == text.index(written)
    assert found.masked == MASKED
    assert found.confidence == DETECTOR.base_confidence


def test_synthetic_ids_are_all_found_with_their_positions(find, ids: list[str]) -> None:
    text = "\n".join(f"第{i}行：{number}；" for i, number in enumerate(ids))
    found = find(text, DET)
    assert [f.value for f in found] == ids
    assert [f.index for f in found] == [text.index(n) for n in ids]


def test_ids_next_to_chinese_and_punctuation_are_found(find) -> None:
    text = f"张三{ID}男，（{ID.lower()}）"
    found = find(text, DET)
    assert [(f.value, f.index) for f in found] == [(ID, 2), (ID, 23)]


@pytest.mark.parametrize(
    "decoy",
    [
        "110101********1234",  # masked
        "110105********002X",  # masked the way dlp itself masks
        "1.10105E+17",  # Excel scientific notation
        "1.10105194912310E+17",
        "9" + ID,  # inside a longer digit run
        ID[:-1] + "39",
        "ABC" + ID,  # glued to letters
        ID + "abc",
        "3." + ID,  # decimal number
        ID[:-1] + "5.25",
        "110105194912310021",  # wrong check character
        "11010519491331002X",  # month 13
        "110105 1949 1231 002X",  # wrong grouping
    ],
)
def test_decoys_are_not_findings(find, decoy: str) -> None:
    assert find(f"身份证号：{decoy} 。", DET) == []


@pytest.mark.parametrize(
    "generator",
    [synthetic.resident_id_bad_checksum, synthetic.resident_id_bad_date, synthetic.resident_id_bad_region],
)
def test_invalid_ids_are_rejected(find, generator) -> None:
    rng = random.Random(5)
    numbers = [generator(rng) for _ in range(30)]
    assert find("身份证号：" + "，".join(numbers), DET) == []


def test_a_birth_date_in_the_future_is_rejected(find) -> None:
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    first17 = "110105" + tomorrow.strftime("%Y%m%d") + "002"
    number = first17 + calc_check_char(first17)
    assert DETECTOR.check(number).verdict.value == "reject"
    assert find(f"身份证 {number}", DET) == []


def test_context_word_raises_confidence(find) -> None:
    plain = find(f"编号 {ID}", DET)
    near_before = find(f"身份证号码：{ID}", DET)
    near_after = find(f"{ID}（居民身份证）", DET)
    far = find(f"记录\n身份证{' ' * 100}{ID}", DET)  # not near, and not in the first (header) line
    assert [f.confidence for f in plain] == [DETECTOR.base_confidence]
    assert [f.confidence for f in near_before] == [DETECTOR.context_confidence]
    assert [f.confidence for f in near_after] == [DETECTOR.context_confidence]
    assert [f.confidence for f in far] == [DETECTOR.base_confidence]
    assert DETECTOR.context_confidence > DETECTOR.base_confidence


def test_a_context_word_in_the_header_line_counts_for_the_whole_input(find) -> None:
    rows = "\n".join(f"{i},{' ' * 80}" for i in range(50))
    text = f"序号,身份证号码\n{rows}\n99,{ID}\n"
    assert [f.confidence for f in find(text, DET)] == [DETECTOR.context_confidence]


def test_an_id_is_one_finding_not_also_a_legacy_id_or_card(find) -> None:
    found = find(f"身份证 银行卡号 {ID} 证件号码 440306198507151231")
    assert [f.detector for f in found] == [DET, DET]


def test_validate_is_strict_and_normalises() -> None:
    assert DETECTOR.validate("11010519491231002x") == ID
    assert DETECTOR.validate(" 110105-19491231-002X ") == ID
    assert calc_check_char(ID[:17]) == "X"
    for bad in ("", "11010519491231002", "1101051949123100XX", "A1010519491231002X"):
        assert not DETECTOR.is_valid(bad)
