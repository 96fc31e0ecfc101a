"""Passport of the People's Republic of China (护照号码).

Shapes: ``E``/``G``/``D``/``S``/``P`` and eight digits (ordinary, diplomatic, service
and official passports), or ``E`` with a letter ``A``-``F`` and seven digits (the
electronic ordinary passports issued since the E-series numbers ran out). No check
character, and the shapes are common codes, so a number is reported only near a
passport word (护照, passport). The value is upper-case.

>>> DETECTOR.validate('e12345678')
'E12345678'
"""

from __future__ import annotations

from dlp.checks import DIGITS, Charset, Clean, Length, Upper
from dlp.detector import Detector, Example, Severity, edges
from dlp.detectors._util import clean, isdigits
from dlp.errors import InvalidFormat, InvalidLength


def validate(candidate: str) -> str:
    # The patterns give only E[A-F] for a letter in second place.
    number = clean(candidate, drop="").upper()
    if len(number) != 9:
        raise InvalidLength()
    if not (number[0] in "EGDSP" and number[1] in DIGITS + "ABCDEF" and isdigits(number[2:])):
        raise InvalidFormat()
    return number


DETECTOR = Detector(
    name="cn_passport",
    description="Chinese passport number (with a passport word nearby)",
    severity=Severity.HIGH,
    # Upper-case first letter: a lower-case one would make every word of ordinary text
    # a start (a number typed all in lower case is missed).
    patterns=(r"[EGDSP][0-9]{8}", r"E[A-Fa-f][0-9]{7}"),
    validate=validate,
    checks=(
        Clean(""),
        Upper(),
        Length(9),
        Charset("EGDSP", 0, 1),
        Charset(DIGITS + "ABCDEF", 1, 2),
        Charset(DIGITS, 2),
    ),
    mask=edges(1, 2),
    context=("passport",),
    requires_context=True,
    base_confidence=0.9,
    context_confidence=0.9,
    priority=65,
    positives=(
        Example("护照号码：E12345678", ("E12345678",)),
        Example("Passport No. EA1234567", ("EA1234567",)),
        Example("护照 G87654321，有效期至2030年", ("G87654321",)),
    ),
    negatives=(
        "订单 E12345678",  # no passport word
        "护照 E1234567",  # seven digits
        "护照 EG1234567",  # G is not a second letter
        "护照 XE12345678",  # inside a longer token
    ),
)
