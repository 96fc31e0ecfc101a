"""Mainland China landline number (座机/固定电话) with its area code.

Structure: area code with leading 0 (data table ``cn_area_codes``: 010 and 02x
take an 8-digit subscriber number, the 4-digit codes 7 or 8 digits) and a
subscriber number that does not start with 0. Written 0871-8260779,
010-12345678, (021)87654321, 0755 2345 6789 or +86 21 8765 4321; a trailing
extension (-1234, 转8021) is not part of the value. Numbers without an area code
and 400/800/95xxx service numbers are not landlines. The value is the area code
with its 0 followed by the subscriber digits.

>>> DETECTOR.validate('(021)87654321')
'02187654321'
"""

from __future__ import annotations

import re

from dlp.checks import Landline, PrefixEdges
from dlp.data import load_table
from dlp.detector import Detector, Example, Severity, keep_edges
from dlp.detectors._util import CODE_LABELS, clean, isdigits
from dlp.errors import InvalidComponent, InvalidFormat, InvalidLength

_COUNTRY = re.compile(r"^(?:\+86|0086|\+0086|\(\+?86\))")
_SUBSCRIBER = r"[ \-]?[1-9][0-9]{2,3}[ \-]?[0-9]{4}"


def split(number: str) -> tuple[str, str]:
    """Split a digits-only number starting with 0 into (area code, subscriber)."""
    areas = load_table("cn_area_codes")
    for size in (3, 4):
        if number[:size] in areas:
            return number[:size], number[size:]
    raise InvalidComponent()


def validate(candidate: str) -> str:
    number = clean(candidate, drop=" -()")
    if candidate.lstrip().startswith(("+", "00", "(+", "(8")):
        stripped = _COUNTRY.sub("", clean(candidate, drop=" -"))
        number = "0" + stripped.replace("(", "").replace(")", "")
    if not isdigits(number) or not number.startswith("0"):
        raise InvalidFormat()
    area, subscriber = split(number)
    if subscriber.startswith("0"):
        raise InvalidComponent()
    if len(subscriber) != 8 and not (len(area) == 4 and len(subscriber) == 7):
        raise InvalidLength()
    return area + subscriber


def mask(value: str) -> str:
    """Keep the area code and the last two digits (``value`` is valid: see :func:`split`)."""
    area = 3 if value[:3] in load_table("cn_area_codes") else 4
    return keep_edges(value, area, 2)


DETECTOR = Detector(
    name="cn_landline",
    description="Mainland China landline number with area code",
    severity=Severity.LOW,
    patterns=(
        r"0[1-9][0-9]{1,2}" + _SUBSCRIBER,
        r"\(0[1-9][0-9]{1,2}\)" + _SUBSCRIBER,
        "\uff080[1-9][0-9]{1,2}\uff09" + _SUBSCRIBER,  # full-width brackets: （021）
        r"(\+|00|\+00)86[ \-]?[1-9][0-9]{1,2}" + _SUBSCRIBER,
    ),
    validate=validate,
    mask=mask,
    checks=(Landline("cn_area_codes"),),
    masking=PrefixEdges("cn_area_codes", (3, 4), 2),
    context=("phone", "customer"),
    base_confidence=0.6,
    context_confidence=0.9,
    allow_extension=True,
    refuted_by=CODE_LABELS,
    priority=50,
    positives=(
        Example("电话：0871-8260779", ("08718260779",)),
        Example("座机 010-12345678 转8021", ("01012345678",)),
        Example("(021)87654321-1234", ("02187654321",)),
        Example("0755 2345 6789", ("075523456789",)),
        Example("Tel: +86 21 8765 4321", ("02187654321",)),
        Example("（０２１）８７６５４３２１", ("02187654321",)),
    ),
    negatives=(
        "400-810-8888",  # service number
        "800-820-8820",
        "95588",
        "87654321",  # no area code
        "0999-0123456",  # subscriber starts with 0
        "013812345678",  # 0 + mobile number
        "2023-01-01",
        "12345678901234567890",
    ),
)
