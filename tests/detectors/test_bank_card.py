"""bank_card: 16-19 digit Luhn-valid card numbers, reported only near a bank-card word."""

from __future__ import annotations

import random

import pytest
from stdnum import luhn

from dlp import synthetic
from dlp.detectors.bank_card import DETECTOR

DET = "bank_card"
CARD = "6222021234567890128"


def grouped(number: str, sep: str = " ") -> str:
    return sep.join(number[i : i + 4] for i in range(0, len(number), 4))


@pytest.mark.parametrize(
    "written",
    [CARD, grouped(CARD), grouped(CARD, "-"), "６２２２０２１２３４５６７８９０１２８"],
)
@pytest.mark.parametrize("word", ["银行卡号：", "卡号 ", "开户行 工商银行 账号：", "Card No. "])
def test_found_with_context(find, written: str, word: str) -> None:
    text = f"{word}{written}"
    [found] = find(text)
    assert found == (DET, CARD, text.index(written), DETECTOR.context_confidence, "6222***********0128")


@pytest.mark.parametrize("length", [16, 17, 18, 19])
def test_every_length(find, length: int) -> None:
    rng = random.Random(length)
    cards = [synthetic.bank_card(rng, length) for _ in range(25)]
    text = "\n".join(f"银行卡{i}：{c}" for i, c in enumerate(cards))
    found = find(text, DET)
    assert [f.value for f in found] == cards
    assert [f.index for f in found] == [text.index(c) for c in cards]


def test_not_found_without_context(find) -> None:
    rng = random.Random(9)
    cards = [synthetic.bank_card(rng) for _ in range(20)]
    assert find("订单号 " + "，".join(cards), DET) == []
    assert find(CARD) == []


def test_context_must_be_near(find) -> None:
    assert find(f"备注\n银行卡号{' ' * 100}{CARD}", DET) == []
    assert [f.value for f in find(f"备注\n银行卡号{' ' * 20}{CARD}", DET)] == [CARD]


def test_context_in_the_header_line_counts_for_the_whole_file(find) -> None:
    rng = random.Random(10)
    cards = [synthetic.bank_card(rng) for _ in range(5)]
    filler = "\n".join(f"{i},{' ' * 120}," for i in range(30))
    text = "姓名,开户行,银行卡号\n" + filler + "\n" + "\n".join(f"张三,工行,{c}" for c in cards)
    assert [f.value for f in find(text, DET)] == cards


def test_bad_luhn_is_rejected(find) -> None:
    rng = random.Random(12)
    cards = [synthetic.bank_card_bad_luhn(rng) for _ in range(40)]
    assert not any(luhn.is_valid(c) for c in cards)
    assert find("\n".join(f"银行卡号：{c}" for c in cards), DET) == []


@pytest.mark.parametrize(
    "decoy",
    [
        "6222021234567890127",  # wrong check digit
        "622202123456789",  # 15 digits
        "62220212345678901280",  # 20 digits
        "A6222021234567890128",  # glued to letters
        "6222021234567890128B",
        "9" + CARD,
        "6222 0212 3456 7890 1285",  # last group too long
        "6222021234567890128.00",  # a decimal amount
    ],
)
def test_decoys_are_not_cards(find, decoy: str) -> None:
    assert find(f"银行卡号：{decoy} 。", DET) == []


def test_validate() -> None:
    assert DETECTOR.requires_context
    assert DETECTOR.validate(grouped(CARD, "-")) == CARD
    for bad in ("", "6222021234567890127", "622202123456789", "62220212345678901280", "6222O21234567890128"):
        assert not DETECTOR.is_valid(bad)


@pytest.mark.parametrize("word", ["discard", "scorecard", "ibank"])
def test_a_keyword_inside_a_longer_word_is_not_context(find, word: str) -> None:
    assert find(f"{word} 4111111111111111", DET) == []
