"""Mainland travel permit for Hong Kong and Macao residents (港澳居民来往内地通行证, 回乡证).

Shape: ``H`` (Hong Kong) or ``M`` (Macao) and eight digits, or ten on cards issued
since 2013 (two digits for the renewals). No check character, so a number is
reported only near a permit word (回乡证, 港澳居民来往内地通行证). The value is
upper-case.

>>> DETECTOR.validate('h1234567801')
'H1234567801'
"""

from __future__ import annotations

from dlp.checks import DIGITS, Charset, Clean, Length, Upper
from dlp.detector import Detector, Example, Severity, edges
from dlp.detectors._util import clean, isdigits
from dlp.errors import InvalidFormat, InvalidLength


def validate(candidate: str) -> str:
    number = clean(candidate, drop="").upper()
    if not 9 <= len(number) <= 11:  # the patterns give 8 or 10 digits
        raise InvalidLength()
    if not (number[0] in "HM" and isdigits(number[1:])):
        raise InvalidFormat()
    return number


DETECTOR = Detector(
    name="home_return_permit",
    description="Mainland travel permit for Hong Kong and Macao residents (with a permit word nearby)",
    severity=Severity.HIGH,
    patterns=(r"[HMhm][0-9]{8}", r"[HMhm][0-9]{10}"),
    validate=validate,
    checks=(Clean(""), Upper(), Length(9, 11), Charset("HM", 0, 1), Charset(DIGITS, 1)),
    mask=edges(1, 2),
    context=("home_return_permit",),
    requires_context=True,
    base_confidence=0.9,
    context_confidence=0.9,
    priority=65,
    positives=(
        Example("回乡证：H12345678", ("H12345678",)),
        Example("港澳居民来往内地通行证 m1234567801", ("M1234567801",)),
    ),
    negatives=(
        "编号 H12345678",  # no permit word
        "回乡证 H123456789",  # nine digits
        "回乡证 H1234567",  # seven digits
    ),
)
