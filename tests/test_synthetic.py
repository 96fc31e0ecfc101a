"""The synthetic-data generators: valid where they should be, invalid for one reason only."""

from __future__ import annotations

import datetime
import random
import re
from collections.abc import Callable
from typing import Any, TypeVar

import pytest
from stdnum import luhn
from stdnum.cn import ric, uscc

from dlp import synthetic
from dlp.data import load_table

N = 300  # samples per generator


T = TypeVar("T")


def samples(fn: Callable[[random.Random], T], seed: int = 7, n: int = N) -> list[T]:
    rng = random.Random(seed)
    return [fn(rng) for _ in range(n)]


def birth_date(number: str) -> datetime.date | None:
    try:
        return datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def checksum_ok(number: str) -> bool:
    return ric.calc_check_digit(number) == number[-1]


REGIONS = load_table("cn_regions")
TODAY = datetime.date.today()


def test_resident_id_is_valid() -> None:
    for number in samples(synthetic.resident_id):
        assert re.fullmatch(r"[1-9]\d{16}[\dX]", number), number
        assert checksum_ok(number)
        assert number[:6] in REGIONS and not number[:6].endswith("00")
        born = birth_date(number)
        assert born is not None and datetime.date(1930, 1, 1) <= born <= datetime.date(2010, 12, 31)
        assert ric.get_birth_date(number) == born


def test_resident_id_honours_region_and_birth() -> None:
    number = synthetic.resident_id(random.Random(1), region="110105", birth=datetime.date(1949, 12, 31))
    assert number.startswith("11010519491231") and checksum_ok(number)


def test_resident_id_bad_checksum_only_checksum() -> None:
    for number in samples(synthetic.resident_id_bad_checksum):
        assert len(number) == 18 and number[:17].isdigit() and number[-1] in "0123456789X"
        assert not checksum_ok(number)
        assert not ric.is_valid(number)
        assert number[:6] in REGIONS and birth_date(number) is not None


def test_resident_id_bad_date_only_date() -> None:
    reasons = set()
    for number in samples(synthetic.resident_id_bad_date):
        assert checksum_ok(number) and number[:6] in REGIONS
        born = birth_date(number)
        assert born is None or born > TODAY, number
        reasons.add("future" if born else "impossible")
    assert reasons == {"future", "impossible"}


def test_resident_id_bad_region_only_region() -> None:
    for number in samples(synthetic.resident_id_bad_region):
        assert checksum_ok(number)
        assert number[:6] not in REGIONS
        born = birth_date(number)
        assert born is not None and born <= TODAY


def test_mobile_uses_a_table_prefix() -> None:
    prefixes = load_table("cn_mobile_prefixes")
    for number in samples(synthetic.mobile):
        assert re.fullmatch(r"1\d{10}", number), number
        assert sum(number.startswith(p) for p in prefixes) == 1


def test_mobile_bad_prefix() -> None:
    prefixes = load_table("cn_mobile_prefixes")
    seen = set()
    for number in samples(synthetic.mobile_bad_prefix):
        assert re.fullmatch(r"1\d{10}", number), number
        assert not any(number.startswith(p) for p in prefixes)
        seen.add(number[:3])
    assert {"100", "110", "120"} & seen


def test_landline() -> None:
    areas = load_table("cn_area_codes")
    for area, subscriber in samples(synthetic.landline):
        assert area in areas and area.startswith("0")
        assert subscriber.isdigit() and subscriber[0] in "23456789"
        assert len(subscriber) == 8 if len(area) == 3 else len(subscriber) in (7, 8)


PLATE_KINDS = {
    "ordinary": r"[A-HJ-NP-Z0-9]{5}",
    "ne_small": r"[DF][A-HJ-NP-Z0-9]\d{4}",
    "ne_large": r"\d{5}[DF]",
    "special": r"[A-HJ-NP-Z0-9]{4}[学警挂港澳使领]",
}


@pytest.mark.parametrize("kind", sorted(PLATE_KINDS))
def test_plate_kinds(kind: str) -> None:
    for plate in samples(lambda r: synthetic.plate(r, kind)):
        assert plate[0] in synthetic.PROVINCES and plate[1] in synthetic.PLATE_LETTERS
        assert re.fullmatch(PLATE_KINDS[kind], plate[2:]), plate
        if kind == "ordinary":
            assert sum(c.isalpha() for c in plate[2:]) <= 2


def test_plate_default_mixes_kinds() -> None:
    plates = samples(synthetic.plate)
    assert all(any(re.fullmatch(p, x[2:]) for p in PLATE_KINDS.values()) for x in plates)
    assert any(len(x) == 8 for x in plates) and any(len(x) == 7 for x in plates)
    assert all(x == x.upper() for x in plates)


def test_uscc_is_valid() -> None:
    for code in samples(synthetic.uscc):
        assert uscc.is_valid(code), code
        assert code[:2] in synthetic.USCC_TYPES and code[2:8] in REGIONS
        assert all(c in synthetic.USCC_ALPHABET for c in code)
        assert not (code[:17].isdigit() and checksum_ok(code))


@pytest.mark.parametrize("length", [None, 16, 17, 18, 19])
def test_bank_card_is_luhn_valid(length: int | None) -> None:
    for number in samples(lambda r: synthetic.bank_card(r, length)):
        assert number.isdigit() and 16 <= len(number) <= 19
        assert length is None or len(number) == length
        assert luhn.is_valid(number)
        assert number.startswith(("62", "4", "5"))


def test_bank_card_bad_luhn_only_check_digit() -> None:
    for number in samples(synthetic.bank_card_bad_luhn):
        assert number.isdigit() and 16 <= len(number) <= 19
        assert number.startswith(("62", "4", "5"))
        assert not luhn.is_valid(number)
        assert luhn.is_valid(number[:-1] + luhn.calc_check_digit(number[:-1]))


def test_email() -> None:
    for address in samples(synthetic.email):
        local, _, domain = address.partition("@")
        assert re.fullmatch(r"[a-z][a-z._]*[a-z0-9]*", local), address
        assert domain in synthetic.EMAIL_DOMAINS
        assert "example" in domain


def test_chinese_name_and_prose() -> None:
    for name in samples(synthetic.chinese_name):
        assert 2 <= len(name) <= 4 and all("\u4e00" <= c <= "\u9fff" for c in name)
    rng = random.Random(3)
    for n in (1, 5, 40, 200):
        text = synthetic.prose(rng, n)
        assert 1 <= len(text) <= n and text.endswith("。")
        assert all("\u4e00" <= c <= "\u9fff" or c in "，。；！？" for c in text)
    assert synthetic.prose(rng, 0) == ""


GENERATORS: list[Callable[[random.Random], Any]] = [
    synthetic.resident_id,
    synthetic.resident_id_bad_checksum,
    synthetic.resident_id_bad_date,
    synthetic.resident_id_bad_region,
    synthetic.mobile,
    synthetic.mobile_bad_prefix,
    synthetic.landline,
    synthetic.plate,
    synthetic.uscc,
    synthetic.bank_card,
    synthetic.bank_card_bad_luhn,
    synthetic.email,
    synthetic.chinese_name,
    lambda r: synthetic.prose(r, 50),
]


@pytest.mark.parametrize("fn", GENERATORS)
def test_deterministic_for_a_seed(fn: Callable[[random.Random], Any]) -> None:
    assert samples(fn, seed=42, n=30) == samples(fn, seed=42, n=30)
    assert samples(fn, seed=42, n=30) != samples(fn, seed=43, n=30)
