"""Mainland travel permit for Taiwan residents (台湾居民来往大陆通行证, 台胞证).

Shape: eight digits (the card number; older booklets add a two-digit issue count in
brackets, not part of the value). Eight digits are anything, so a number is reported
only right after its label (台胞证, 台胞证号码 ...) or in a column headed by one.

>>> DETECTOR.validate('12345678')
'12345678'
"""

from __future__ import annotations

from dlp.checks import DIGITS, Charset, Clean, Length
from dlp.detector import Detector, Example, Severity, edges
from dlp.detectors._util import clean, isdigits
from dlp.errors import InvalidFormat, InvalidLength

LABELS = (
    "台胞证",
    "台胞证号",
    "台胞证号码",
    "台胞證",
    "台胞證號碼",
    "台湾居民来往大陆通行证",
    "台湾居民来往大陆通行证号码",
    "台湾通行证",
)


def validate(candidate: str) -> str:
    number = clean(candidate, drop="")
    if len(number) != 8:
        raise InvalidLength()
    if not isdigits(number):
        raise InvalidFormat()
    return number


DETECTOR = Detector(
    name="tw_compatriot_permit",
    description="Mainland travel permit for Taiwan residents (after its label)",
    severity=Severity.HIGH,
    patterns=(r"[0-9]{8}",),
    validate=validate,
    checks=(Clean(""), Length(8), Charset(DIGITS)),
    mask=edges(1, 2),
    context=("tw_compatriot_permit",),
    labels=LABELS,
    requires_context=True,
    base_confidence=0.9,
    context_confidence=0.9,
    priority=45,
    positives=(
        Example("台胞证：12345678", ("12345678",)),
        Example("台湾居民来往大陆通行证号码 87654321。", ("87654321",)),
    ),
    negatives=(
        "台胞证已办理，日期20240101",  # not right after its label
        "订单 12345678",
        "台胞证 1234567",  # seven digits
    ),
)
