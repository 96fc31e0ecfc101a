"""cn_address: a GB/T 2260 region name and street-level structure, after a label or in an address column."""

from __future__ import annotations

import pytest

from dlp.detectors.cn_address import DETECTOR, validate
from dlp.errors import ValidationError


@pytest.mark.parametrize(
    ("text", "value", "masked"),
    [
        (
            "地址：广东省广州市天河区体育西路191号",
            "广东省广州市天河区体育西路191号",
            "广东省广州市" + "*" * 11,
        ),
        (
            "收货地址 北京市朝阳区建国路88号院3号楼2单元401室，电话",
            "北京市朝阳区建国路88号院3号楼2单元401室",
            None,
        ),
        ("家庭住址为浙江杭州西湖区文三路90号。", "浙江杭州西湖区文三路90号", None),
        ("住址:上海市黄浦区南京东路100弄5号", "上海市黄浦区南京东路100弄5号", "上海市" + "*" * 13),
        (
            "联系地址：新疆维吾尔自治区乌鲁木齐市天山区解放北路8号",
            "新疆维吾尔自治区乌鲁木齐市天山区解放北路8号",
            None,
        ),
    ],
)
def test_after_a_label(find, text: str, value: str, masked: str | None) -> None:
    found = find(text, "cn_address")
    assert [f.value for f in found] == [value]
    assert found[0].masked == (masked or DETECTOR.mask(value))
    assert "*" in found[0].masked


@pytest.mark.parametrize(
    "text",
    [
        "我们在北京市朝阳区建国路88号开会",  # no label
        "地址：见附件",
        "地址：某某路12号",  # no region name
        "地址：北京市朝阳区",  # no street-level part
        "address: 221B Baker Street",
    ],
)
def test_not_an_address(find, text: str) -> None:
    assert find(text, "cn_address") == []


def test_address_column(find) -> None:
    rows = ["广东省深圳市南山区科技园路1号", "江苏省南京市鼓楼区中山路18号3栋201室"]
    text = "姓名,收货地址\n" + "".join(f"张三,{a}\n" for a in rows)
    assert [f.value for f in find(text, "cn_address")] == rows


@pytest.mark.parametrize(
    "junk", ["", "北京", "北京市朝阳区建国路\u0661号", "某地某路1号", "x" * 100, "\ud800"]
)
def test_junk_is_rejected(junk: str) -> None:
    with pytest.raises(ValidationError):
        validate(junk)
