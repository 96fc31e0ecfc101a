"""WeChat ID (微信号).

Shape: 6 to 20 characters, a letter then letters, digits, ``_`` and ``-`` (the
``wxid_`` IDs WeChat assigns have the same shape). A word of that shape means
nothing alone, so an ID is reported only right after its label (微信：, 微信号,
WeChat ID ...) or in a column headed by one. The value is as written.

>>> DETECTOR.validate('zhang_san-88')
'zhang_san-88'
"""

from __future__ import annotations

import re

from dlp.checks import Charset, Length, Trim
from dlp.detector import Detector, Example, Severity, edges
from dlp.errors import InvalidFormat, InvalidLength

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
CHARS = LETTERS + "0123456789_-"
LABELS = (
    "微信",
    "微信号",
    "微信号码",
    "微信账号",
    "微信帐号",
    "微信id",
    "wechat",
    "wechat id",
    "weixin",
    "vx",
)
_SHAPE = re.compile(r"[A-Za-z][A-Za-z0-9_\-]*")


def validate(candidate: str) -> str:
    value = candidate.strip()
    if not 6 <= len(value) <= 20:
        raise InvalidLength()
    if not (value.isascii() and _SHAPE.fullmatch(value)):
        raise InvalidFormat()
    return value


DETECTOR = Detector(
    name="wechat_id",
    description="WeChat ID (after its label)",
    severity=Severity.MEDIUM,
    patterns=(r"[A-Za-z][A-Za-z0-9_\-]{5,19}",),
    validate=validate,
    checks=(Trim(), Length(6, 20), Charset(LETTERS, 0, 1), Charset(CHARS)),
    mask=edges(2, 2),
    context=("wechat",),
    labels=LABELS,
    requires_context=True,
    base_confidence=0.9,
    context_confidence=0.9,
    joiners=".@",
    priority=40,
    positives=(
        Example("微信：zhang_san88", ("zhang_san88",)),
        Example("微信号 wxid_k2j4h5g6f7", ("wxid_k2j4h5g6f7",)),
        Example("WeChat ID: Li-Si-2020，", ("Li-Si-2020",)),
    ),
    negatives=(
        "加我微信吧，我们周末见 hello_world",  # not right after the label
        "微信：abc",  # too short
        "微信：zhangsan@example.com",  # an e-mail address
        "name: zhang_san88",
    ),
)
