"""Mainland China mobile number (手机号), 11 digits.

Structure: a 3- or 4-digit network prefix from the numbering plan (data table
``cn_mobile_prefixes``) followed by subscriber digits. Written plain, in 3-4-4
groups with spaces or hyphens, with a +86 / 0086 / (+86) / 86- country prefix, or in
full-width digits. The value is the 11 digits.

>>> DETECTOR.validate('+86 138-1234-5678')
'13812345678'
"""

from __future__ import annotations

import re

from dlp.checks import DIGITS, Charset, Clean, InTable, Length, StripPrefix
from dlp.data import load_table
from dlp.detector import Detector, Example, Severity, edges
from dlp.detectors._util import CODE_LABELS, clean, isdigits
from dlp.errors import InvalidComponent, InvalidFormat, InvalidLength

_COUNTRY = re.compile(r"^(?:\(\+?86\)|\+86|0086|\+0086|86)")
COUNTRY_PREFIXES = ("(+86)", "(86)", "+86", "0086", "+0086", "86")  # what _COUNTRY removes
_BODY = r"1[3-9][0-9][ \-]?[0-9]{4}[ \-]?[0-9]{4}"


def validate(candidate: str) -> str:
    if len(candidate) == 11 and candidate.isascii() and candidate.isdigit():
        number = candidate  # the plain form, nearly every candidate: nothing to clean
    else:
        number = _COUNTRY.sub("", clean(candidate, drop=" -"))
    if not isdigits(number):
        raise InvalidFormat()
    if len(number) != 11:
        raise InvalidLength()
    prefixes = load_table("cn_mobile_prefixes")
    if number[:3] not in prefixes and number[:4] not in prefixes:
        raise InvalidComponent()
    return number


DETECTOR = Detector(
    name="cn_mobile",
    description="Mainland China mobile phone number",
    severity=Severity.MEDIUM,
    patterns=(
        _BODY,
        r"(\+|00|\+00)86[ \-]?" + _BODY,
        r"\(\+?86\)[ \-]?" + _BODY,
        r"86[ \-]" + _BODY,  # the country code without + or 00: 86-138 1234 5678
    ),
    validate=validate,
    checks=(
        Clean(" -"),
        StripPrefix(COUNTRY_PREFIXES),
        Charset(DIGITS),
        Length(11),
        InTable("cn_mobile_prefixes", 0, (3, 4)),
    ),
    mask=edges(3, 4),
    context=("phone", "customer"),
    base_confidence=0.7,
    context_confidence=0.95,
    priority=60,
    refuted_by=CODE_LABELS,
    positives=(
        Example("手机：13812345678", ("13812345678",)),
        Example("电话 138-1234-5678；138 1234 5678", ("13812345678", "13812345678")),
        Example("+86 138 1234 5678", ("13812345678",)),
        Example("联系方式+8613812345678。", ("13812345678",)),
        Example("0086-13812345678", ("13812345678",)),
        Example("(+86)13812345678", ("13812345678",)),
        Example("（+86）１３９１２３４５６７８", ("13912345678",)),
        Example("mobile=19912345678&x=1", ("19912345678",)),
    ),
    negatives=(
        "138****5678",  # masked
        "12012345678",  # no such prefix
        "1381234567",  # 10 digits
        "138123456789",  # 12 digits
        "1700000000123",  # millisecond timestamp
        "ABC13812345678",  # glued to letters
        "13812345678abc",
        "13812345678.5",  # a decimal number
        "6913812345678",  # EAN-13 style run
        "SF1381234567890",  # tracking number
    ),
)
