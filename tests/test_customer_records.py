"""Whole customer records: lists whose rows hold a name and one contact or identity value
are customer lists (a name is a kind of its own); a letter naming two people is not."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from dlp import synthetic
from dlp.detectors.vin import ALPHABET, check_char
from dlp.policy import CUSTOMER_LIST, Policy

ROWS = 30


def _vin(rng: random.Random) -> str:
    body = (
        rng.choice("LW1") + "".join(rng.choice(ALPHABET) for _ in range(12)) + f"{rng.randrange(10000):04d}"
    )
    return body[:8] + check_char(body) + body[9:]


def _address(rng: random.Random) -> str:
    city = rng.choice(["广东省广州市天河区", "浙江省杭州市西湖区", "四川省成都市武侯区", "北京市海淀区"])
    return f"{city}{rng.choice(['中山', '人民', '解放', '建设'])}路{rng.randint(1, 300)}号"


def name_phone(rng: random.Random) -> str:
    rows = [f"{synthetic.chinese_name(rng)},{synthetic.mobile(rng)}" for _ in range(ROWS)]
    return "姓名,手机\n" + "\n".join(rows) + "\n"


def wechat_export(rng: random.Random) -> str:
    rows = []
    for i in range(ROWS):
        wxid = "wxid_" + "".join(rng.choice("abcdefghjkmnpqrstuvwxyz0123456789") for _ in range(10))
        nick = rng.choice(["小鱼", "阳光", "Sunny", "老王", "一叶知秋"]) + str(i)
        rows.append(f"{nick},{synthetic.chinese_name(rng)},{wxid},{synthetic.mobile(rng)}")
    return "昵称,备注名,微信号,手机\n" + "\n".join(rows) + "\n"


def dealer_list(rng: random.Random) -> str:
    rows = [
        f"{synthetic.chinese_name(rng)},{synthetic.mobile(rng)},{synthetic.plate(rng)},{_vin(rng)},{_address(rng)}"
        for _ in range(ROWS)
    ]
    return "姓名,手机,车牌,车架号,地址\n" + "\n".join(rows) + "\n"


def letter(rng: random.Random) -> str:
    return (
        "尊敬的客户：\n\n"
        f"您好！我们于上周与联系人 {synthetic.chinese_name(rng)} 确认了合同细节，"
        f"收件人为{synthetic.chinese_name(rng)}先生。{synthetic.prose(rng, 200)}\n"
        f"如有疑问请致电 {synthetic.mobile(rng)}。\n\n此致\n敬礼\n"
    )


def verdict_of(scanner, path: Path) -> tuple[str, int, dict[str, int]]:  # type: ignore[no-untyped-def]
    (result,) = list(scanner.scan_paths([path]))
    assert result.complete, result.problems
    (verdict,) = Policy().evaluate(result)
    return verdict.verdict, verdict.rows, dict(verdict.counts)


@pytest.mark.parametrize(
    ("make", "kinds"),
    [
        (name_phone, {"cn_name", "cn_mobile"}),
        (wechat_export, {"cn_name", "wechat_id", "cn_mobile"}),
        (dealer_list, {"cn_name", "cn_mobile", "cn_plate", "vin", "cn_address"}),
    ],
)
def test_lists_of_records_are_customer_lists(make_scanner, tmp_path: Path, make, kinds: set[str]) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / f"{make.__name__}.csv"
    path.write_text(make(random.Random(16)), encoding="utf-8")
    verdict, rows, counts = verdict_of(make_scanner(reveal=False), path)
    assert verdict == CUSTOMER_LIST
    assert rows == ROWS
    assert set(counts) == kinds
    assert counts["cn_name"] == ROWS


def test_name_phone_list_needs_the_names(make_scanner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Without cn_name, 30 phones alone are not a customer list: the names make the rows."""
    path = tmp_path / "list.csv"
    path.write_text(name_phone(random.Random(16)), encoding="utf-8")
    scanner = make_scanner(reveal=False, detectors=frozenset({"cn_mobile"}))
    assert verdict_of(scanner, path)[0] != CUSTOMER_LIST


def test_a_letter_naming_two_people_is_not(make_scanner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "letter.txt"
    path.write_text(letter(random.Random(16)), encoding="utf-8")
    verdict, rows, counts = verdict_of(make_scanner(reveal=False), path)
    assert counts.get("cn_name") == 2
    assert verdict != CUSTOMER_LIST
    assert rows <= 1
