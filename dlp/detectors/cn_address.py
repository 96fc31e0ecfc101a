"""Mainland China postal address (地址).

Structure: the name of a province, prefecture or county (GB/T 2260, the shipped table
``cn_region_names``: 广东省, 广州市, 广东省广州市, 朝阳区, short forms such as 广东),
then ideographs, letters and digits up to a street-level unit (路 街 道 巷 弄 号 栋 幢
单元 室 楼 层 座 村 组 ...). Only right after an address label (地址：, 收货地址,
家庭住址 ...) or in a column whose header names it. The value is the address as
written, trimmed; the mask keeps the leading region name (province, or province and
prefecture).

>>> DETECTOR.validate('广东省广州市天河区体育西路191号')
'广东省广州市天河区体育西路191号'
>>> DETECTOR.mask('广东省广州市天河区体育西路191号')
'广东省广州市***********'
"""

from __future__ import annotations

from dlp.checks import Ideographs, InTable, Length, PrefixEdges, Trim
from dlp.data import load_table
from dlp.detector import Detector, Example, Severity
from dlp.errors import InvalidComponent, InvalidFormat, InvalidLength

TABLE = "cn_region_names"
SIZES = tuple(range(19, 1, -1))  # characters of a leading region name, longest first
UNITS = (
    "路",
    "街",
    "道",
    "巷",
    "弄",
    "胡同",
    "号",
    "栋",
    "幢",
    "单元",
    "室",
    "楼",
    "层",
    "座",
    "村",
    "组",
    "院",
    "里",
)
LABELS = (
    # A label also matches where it ends a longer one (地址 in 收货地址, 住址 in 家庭住址).
    "地址",
    "住址",
    "住所",
)
# (English "address" is a header word only: as a label, every "a" of English text would
# be a place to look for it.)
ALSO = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz#-"
_IDEOGRAPH = "(?:[\\xE4-\\xE9][\\x80-\\xBF][\\x80-\\xBF]|\\xE3[\\x90-\\xBF][\\x80-\\xBF])"
_BODY = "(?:" + _IDEOGRAPH + "|[0-9A-Za-z#\\-])"


def validate(candidate: str) -> str:
    address = candidate.strip()
    if not 4 <= len(address) <= 64:
        raise InvalidLength()
    if not all(c in ALSO or "\u3400" <= c <= "\u4dbf" or "\u4e00" <= c <= "\u9fff" for c in address):
        raise InvalidFormat()
    names = load_table(TABLE)
    if not any(address[:size] in names for size in SIZES):
        raise InvalidComponent()
    return address


DETECTOR = Detector(
    name="cn_address",
    description="Mainland China postal address (after its label or in an address column)",
    severity=Severity.MEDIUM,
    patterns=(_IDEOGRAPH + _BODY + "{1,62}(?:" + "|".join(UNITS) + ")",),
    validate=validate,
    checks=(Trim(), Length(4, 64), Ideographs(0, ALSO), InTable(TABLE, 0, SIZES)),
    mask=PrefixEdges(TABLE, SIZES, 0),
    context=("address",),
    labels=LABELS,
    requires_context=True,
    base_confidence=0.85,
    context_confidence=0.85,
    priority=30,
    positives=(
        Example("地址：广东省广州市天河区体育西路191号", ("广东省广州市天河区体育西路191号",)),
        Example(
            "收货地址 北京市朝阳区建国路88号院3号楼2单元401室，电话",
            ("北京市朝阳区建国路88号院3号楼2单元401室",),
        ),
        Example("家庭住址为浙江杭州西湖区文三路90号。", ("浙江杭州西湖区文三路90号",)),
    ),
    negatives=(
        "我们在北京市朝阳区建国路88号开会",  # no label
        "地址：见附件",
        "地址：某某路12号",  # no region name
        "address: 221B Baker Street",
    ),
)
