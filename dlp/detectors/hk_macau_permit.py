"""Exit-entry permit for travelling to and from Hong Kong and Macao (往来港澳通行证).

Shape: ``C`` (card) or ``W`` (older booklet) and eight digits. No check character,
so a number is reported only near a permit word (港澳通行证, 通行证号). The value is
upper-case.

>>> DETECTOR.validate('c12345678')
'C12345678'
"""

from __future__ import annotations

from dlp.checks import DIGITS, Charset, Clean, Length, Upper
from dlp.detector import Detector, Example, Severity, edges
from dlp.detectors._util import clean, isdigits
from dlp.errors import InvalidFormat, InvalidLength


def validate(candidate: str) -> str:
    number = clean(candidate, drop="").upper()
    if len(number) != 9:
        raise InvalidLength()
    if not (number[0] in "CW" and isdigits(number[1:])):
        raise InvalidFormat()
    return number


DETECTOR = Detector(
    name="hk_macau_permit",
    description="Exit-entry permit for Hong Kong and Macao (with a permit word nearby)",
    severity=Severity.HIGH,
    patterns=(r"[CWcw][0-9]{8}",),
    validate=validate,
    checks=(Clean(""), Upper(), Length(9), Charset("CW", 0, 1), Charset(DIGITS, 1)),
    mask=edges(1, 2),
    context=("hk_macau_permit",),
    requires_context=True,
    base_confidence=0.9,
    context_confidence=0.9,
    priority=65,
    positives=(
        Example("往来港澳通行证：C12345678", ("C12345678",)),
        Example("港澳通行证号码 w87654321。", ("W87654321",)),
    ),
    negatives=(
        "型号 C12345678",  # no permit word
        "港澳通行证 C1234567",  # seven digits
        "港澳通行证 AC12345678",  # inside a longer token
    ),
)
