"""tw_id: Taiwan identity card numbers with their check digit."""

from __future__ import annotations

import random
import string

import pytest

from dlp.detectors.tw_id import checksum_ok

DET = "tw_id"


def make(rng: random.Random) -> str:
    while True:
        number = rng.choice(string.ascii_uppercase) + rng.choice("12") + f"{rng.randrange(10**8):08d}"
        if checksum_ok(number):
            return number


def test_found(find) -> None:
    rng = random.Random(2)
    numbers = [make(rng) for _ in range(30)]
    text = "\n".join(f"身分證字號：{n}" for n in numbers)
    found = find(text, DET)
    assert [f.value for f in found] == numbers
    assert all(f.masked == f.value[0] + "*" * 7 + f.value[-2:] for f in found)


def test_wrong_check_digit(find) -> None:
    assert find("身分證 A123456788", DET) == []


@pytest.mark.parametrize("junk", ["A3234567890", "A12345678", "1A23456789", "AA123456789"])
def test_junk(find, junk: str) -> None:
    assert find(junk, DET) == []
