"""Classes of errors found by independent testing (issue 16), each fixed as a class."""

from __future__ import annotations

import random

import pytest

from dlp import synthetic


@pytest.mark.parametrize("word", ["工资卡号：", "工资卡 ", "代发工资账户 ", "薪资卡号 ", "Payroll account: "])
def test_salary_and_payroll_cards_are_bank_context(find, word: str) -> None:
    rng = random.Random(5)
    cards = [synthetic.bank_card(rng) for _ in range(10)]
    text = "\n".join(word + c for c in cards)
    assert [f.value for f in find(text, "bank_card")] == cards


@pytest.mark.parametrize("label", ["发票代码：", "发票号码 ", "订单号：", "交易流水号 ", "流水 "])
def test_codes_after_their_labels_are_not_phones_or_cards(find, label: str) -> None:
    # 0370-21900111 would be a landline; a Luhn-valid card after a bank word too.
    text = f"{label}037021900111\n银行卡 {label}6222021234567890128"
    assert [f for f in find(text) if f.detector in ("cn_landline", "bank_card", "cn_mobile")] == []


def test_no_landline_out_of_the_middle_of_a_grouped_number(find) -> None:
    # A card number written in groups that fails Luhn: no landline inside it.
    assert find("卡号 6222 0571 8765 4321 127", "cn_landline") == []
    assert find("账号 6222-0571-8765-4321", "cn_landline") == []
    assert [f.value for f in find("电话 0571 8765 4321", "cn_landline")] == ["057187654321"]
    assert [f.value for f in find("电话：010-12345678-1234", "cn_landline")] == ["01012345678"]


def test_a_bank_word_on_another_line_is_not_context(find) -> None:
    card = "6222021234567890128"
    assert find(f"收款银行：工商银行 备注无\n交易参考号码 {card}", "bank_card") == []
    # a label on the line above a value that starts its line still counts
    assert [f.value for f in find(f"银行卡号：\n{card}", "bank_card")] == [card]
