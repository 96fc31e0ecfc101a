"""cn_name: a surname from the table and one or two given characters, after a label or in a name column."""

from __future__ import annotations

import random

import pytest

from dlp import synthetic
from dlp.data import load_table
from dlp.detectors.cn_name import DETECTOR, validate
from dlp.errors import ValidationError


@pytest.mark.parametrize(
    ("text", "value", "masked"),
    [
        ("姓名：张三", "张三", "张*"),
        ("联系人 欧阳娜娜，电话 13800138000", "欧阳娜娜", "欧阳**"),
        ("收件人：司马懿\n", "司马懿", "司马*"),
        ("收货人李小明电话13800138000", "李小明", "李**"),
        ("持卡人为王芳。", "王芳", "王*"),
        ("联系人：陈静女士", "陈静", "陈*"),
        ("客户姓名：刘洋", "刘洋", "刘*"),
        ("紧急联系人 赵敏", "赵敏", "赵*"),
        ("户名: 诸葛明", "诸葛明", "诸葛*"),
    ],
)
def test_after_a_label(find, text: str, value: str, masked: str) -> None:
    assert [(f.value, f.masked) for f in find(text, "cn_name")] == [(value, masked)]


@pytest.mark.parametrize(
    "text",
    [
        "张三说明天见",  # no label
        "王芳和李明去了北京",
        "请联系客户经理办理",  # roles and words after a label
        "客户满意度很高",
        "客户公司已通知",  # a bare 客户 is not a label
        "客户相关资料",
        "客户服务热线",
        "客户关系管理系统",
        "联系人王经理",
        "姓名：张三丰富多彩的一生",  # the start of a longer word
        "联系人：Alice Wang",
        "姓名：张",  # a surname alone
        "姓名：张某",
    ],
)
def test_not_a_name(find, text: str) -> None:
    assert find(text, "cn_name") == []


def test_name_column_of_a_table(find) -> None:
    rng = random.Random(16)
    names = [synthetic.chinese_name(rng) for _ in range(20)]
    text = "客户名称,手机,备注\n" + "".join(f"{n},{synthetic.mobile(rng)},已回访\n" for n in names)
    assert [f.value for f in find(text, "cn_name")] == names


def test_no_names_below_a_header_without_a_name_column(find) -> None:
    text = "城市,手机\n武汉,13800138000\n常州,13912345678\n"
    assert find(text, "cn_name") == []


def test_an_address_cell_is_not_a_name(find) -> None:
    text = "姓名,地址\n张三,黄山市屯溪区新安路12号\n"
    assert [f.value for f in find(text, "cn_name")] == ["张三"]


def test_every_surname_in_the_table_validates() -> None:
    for surname in load_table("cn_surnames"):
        assert validate(surname + "明") == surname + "明"
        assert DETECTOR.mask(surname + "明") == surname + "*"


@pytest.mark.parametrize("junk", ["", "张", "张三李四王", "张3", "Zhang", "张 三", "\ud800", "甲乙", "张某"])
def test_junk_is_rejected(junk: str) -> None:
    with pytest.raises(ValidationError):
        validate(junk)


def test_a_first_line_of_prose_is_not_a_header(find) -> None:
    """Commas in a sentence make "cells", one ending in 客户: not a name column."""
    text = "今天拜访了客户，讨论合同时间，确认方案。\n项目，公司，相关明天通知\n"
    assert find(text, "cn_name") == []
