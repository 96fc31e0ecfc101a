"""vin: 17-character VINs with the GB 16735 / ISO 3779 check character at position 9."""

from __future__ import annotations

import random

import pytest

from dlp.detectors.vin import ALPHABET, check_char

DET = "vin"


def make_vin(rng: random.Random) -> str:
    body = (
        rng.choice("LW1JK") + "".join(rng.choice(ALPHABET) for _ in range(12)) + f"{rng.randrange(10000):04d}"
    )
    return body[:8] + check_char(body) + body[9:]


def test_check_character_vector() -> None:
    assert check_char("1M8GDM9AXKP042788") == "X"
    assert check_char("LSVAM4187C2184847") == "7"


@pytest.mark.parametrize("word", ["车架号：", "车辆识别代号 ", "VIN: ", ""])
def test_found_and_upper_cased(find, word: str) -> None:
    rng = random.Random(16)
    vins = [make_vin(rng) for _ in range(20)]
    # Lower case after the first character (a VIN starting with a lower-case letter
    # is not looked for: see the detector).
    text = "\n".join(f"{word}{v[0] + v[1:].lower() if i % 2 else v}" for i, v in enumerate(vins))
    found = find(text, DET)
    assert [f.value for f in found] == vins
    assert all(f.masked == f.value[:3] + "*" * 10 + f.value[-4:] for f in found)


def test_context_raises_confidence(find) -> None:
    [with_word] = find("车架号 LSVAM4187C2184847", DET)
    [alone] = find("LSVAM4187C2184847", DET)
    assert with_word.confidence > alone.confidence


def test_wrong_check_characters_are_rejected(find) -> None:
    rng = random.Random(17)
    vins = [make_vin(rng) for _ in range(50)]
    wrong = [v[:8] + ("0" if v[8] != "0" else "1") + v[9:] for v in vins]
    assert find("车架号 " + "，".join(wrong), DET) == []


@pytest.mark.parametrize("junk", ["12345678901234567", "ABCDEFGHJKLMNPRST", "LSVAM4187C2184847X", "I" * 17])
def test_junk(find, junk: str) -> None:
    assert find(f"车架号 {junk}", DET) == []
