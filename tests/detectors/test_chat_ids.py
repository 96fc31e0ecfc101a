"""wechat_id and qq_number: only right after their labels or in their columns."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("text", "det", "value"),
    [
        ("微信：zhang_san88", "wechat_id", "zhang_san88"),
        ("微信号是 wxid_k2j4h5g6f7。", "wechat_id", "wxid_k2j4h5g6f7"),
        ("WeChat: Li-Si-2020", "wechat_id", "Li-Si-2020"),
        ("QQ：12345678", "qq_number", "12345678"),
        ("QQ号 987654321", "qq_number", "987654321"),
    ],
)
def test_after_label(find, text: str, det: str, value: str) -> None:
    assert [f.value for f in find(text, det)] == [value]


@pytest.mark.parametrize(
    "text",
    [
        "加我微信吧 hello_world",
        "we use wechat daily for business",
        "QQ群号码很多，订单 12345678",
        "邮箱 12345678@qq.com",
        "mail: someone_else@qq.com\n订单 12345678\n用户 abcdefgh",
    ],
)
def test_not_without_label(find, text: str) -> None:
    assert [f for f in find(text) if f.detector in ("wechat_id", "qq_number")] == []


def test_columns_named_by_the_header(find) -> None:
    rows = [("张三", "zhang_san88", "12345678"), ("李四", "lisi_2020", "87654321")]
    text = "姓名,微信号,QQ\n" + "\n".join(",".join(r) for r in rows) + "\n"
    found = [(f.detector, f.value) for f in find(text) if f.detector in ("wechat_id", "qq_number")]
    assert found == [(d, v) for _, w, q in rows for d, v in (("wechat_id", w), ("qq_number", q))]


def test_a_header_word_inside_a_sentence_is_not_a_column(find) -> None:
    text = "请联系 QQ 客服或发邮件到 help@qq.com\n订单 12345678，用户 abcdefgh\n"
    assert [f for f in find(text) if f.detector in ("wechat_id", "qq_number")] == []
