"""hk_id: Hong Kong identity card numbers with their MOD 11 check character."""

from __future__ import annotations

import random
import string

import pytest

from dlp.detectors.hk_id import check_char

DET = "hk_id"


def make(rng: random.Random) -> str:
    body = "".join(rng.choice(string.ascii_uppercase) for _ in range(rng.choice([1, 2])))
    body += "".join(rng.choice(string.digits) for _ in range(6))
    return body + check_char(body)


@pytest.mark.parametrize("form", ["{b}({c})", "{b}{c}", "{b} ({c})", "{b}（{c}）"])
def test_written_forms_give_the_value_without_brackets(find, form: str) -> None:
    rng = random.Random(1)
    numbers = [make(rng) for _ in range(20)]
    text = "\n".join("香港身份证 " + form.format(b=n[:-1], c=n[-1]) for n in numbers)
    assert [f.value for f in find(text, DET)] == numbers


def test_wrong_check_character(find) -> None:
    assert find("香港身份证 A123456(4)", DET) == []
    assert [f.value for f in find("香港身份证 A123456(3)", DET)] == ["A1234563"]


@pytest.mark.parametrize("junk", ["A123456", "ABC1234563", "a123456(3)x", "A1234563B"])
def test_junk(find, junk: str) -> None:
    assert find(junk, DET) == []
