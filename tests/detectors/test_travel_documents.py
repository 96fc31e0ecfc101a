"""Passports and travel permits: reported only with their context words."""

from __future__ import annotations

import pytest

CASES = [
    ("cn_passport", "护照号码：", "E12345678", "E12345678"),
    ("cn_passport", "Passport No. ", "Ea1234567", "EA1234567"),
    ("hk_macau_permit", "往来港澳通行证 ", "C12345678", "C12345678"),
    ("home_return_permit", "回乡证：", "H1234567801", "H1234567801"),
    ("home_return_permit", "港澳居民来往内地通行证 ", "M12345678", "M12345678"),
    ("tw_compatriot_permit", "台胞证号码：", "12345678", "12345678"),
]


@pytest.mark.parametrize(("det", "word", "written", "value"), CASES)
def test_found_with_context(find, det: str, word: str, written: str, value: str) -> None:
    text = f"{word}{written}"
    assert [(f.value, f.index) for f in find(text, det)] == [(value, len(word))]


@pytest.mark.parametrize(("det", "word", "written", "value"), CASES)
def test_not_found_without_context(find, det: str, word: str, written: str, value: str) -> None:
    assert find(f"编号 {written}", det) == []


def test_tw_compatriot_permit_needs_its_label_right_before(find) -> None:
    assert find("台胞证已办好，预约号 12345678", "tw_compatriot_permit") == []
