"""QQ number (QQ号).

Shape: 5 to 11 digits, not starting with 0. Any number has that shape, so a QQ
number is reported only right after its label (QQ：, QQ号 ...) or in a column
headed by one.

>>> DETECTOR.validate('12345678')
'12345678'
"""

from __future__ import annotations

from dlp.checks import DIGITS, Charset, Clean, Length
from dlp.detector import Detector, Example, Severity, edges
from dlp.detectors._util import clean, isdigits
from dlp.errors import InvalidComponent, InvalidFormat, InvalidLength

LABELS = ("qq", "qq号", "qq号码", "qq账号", "qq帐号", "腾讯qq")


def validate(candidate: str) -> str:
    number = clean(candidate, drop="")
    if not 5 <= len(number) <= 11:
        raise InvalidLength()
    if not isdigits(number):
        raise InvalidFormat()
    if number[0] == "0":
        raise InvalidComponent()
    return number


DETECTOR = Detector(
    name="qq_number",
    description="QQ number (after its label)",
    severity=Severity.MEDIUM,
    patterns=(r"[1-9][0-9]{4,10}",),
    validate=validate,
    checks=(Clean(""), Length(5, 11), Charset(DIGITS), Charset("123456789", 0, 1)),
    mask=edges(2, 2),
    context=("qq",),
    labels=LABELS,
    requires_context=True,
    base_confidence=0.9,
    context_confidence=0.9,
    joiners="@",
    priority=40,
    positives=(
        Example("QQ：12345678", ("12345678",)),
        Example("qq号 987654321，", ("987654321",)),
    ),
    negatives=(
        "邮箱 12345678@qq.com",  # an e-mail address
        "订单号 12345678",
        "QQ群很热闹，房间 12345678",  # not right after the label
    ),
)
