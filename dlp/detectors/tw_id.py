"""Taiwan identity card number (國民身分證統一編號), 10 characters.

Structure: a letter (place of first registration), 1 or 2 (sex; 8 or 9 on resident
certificates) and eight digits, the last a check digit: the letter's two-digit code
(A=10, B=11 ... in the Ministry of the Interior order, I=34, O=35, W=32, Z=33)
and the nine digits, weighted 1 9 8 7 6 5 4 3 2 1 1, sum to a multiple of 10.
The value is upper-case.

>>> DETECTOR.validate('a123456789')
'A123456789'
"""

from __future__ import annotations

from dlp.checks import Clean, TwId, Upper
from dlp.detector import Detector, Example, Severity, edges
from dlp.detectors._util import clean
from dlp.errors import InvalidChecksum, InvalidFormat

_CODES = dict(
    zip(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
        (
            10,
            11,
            12,
            13,
            14,
            15,
            16,
            17,
            34,
            18,
            19,
            20,
            21,
            22,
            35,
            23,
            24,
            25,
            26,
            27,
            28,
            29,
            32,
            30,
            31,
            33,
        ),
        strict=True,
    )
)
_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 1, 1)


def checksum_ok(number: str) -> bool:
    """True when a letter + nine digits number has a valid check digit."""
    code = _CODES[number[0]]
    total = code // 10 + code % 10 * 9 + sum(int(d) * w for d, w in zip(number[1:], _WEIGHTS, strict=True))
    return total % 10 == 0


def validate(candidate: str) -> str:
    number = clean(candidate, drop="").upper()
    if not (len(number) == 10 and number[0] in _CODES and number[1:].isascii() and number[1:].isdigit()):
        raise InvalidFormat()
    if not checksum_ok(number):
        raise InvalidChecksum()
    return number


DETECTOR = Detector(
    name="tw_id",
    description="Taiwan identity card number (check digit)",
    severity=Severity.HIGH,
    # Upper-case first letter only: a lower-case one would make every word of ordinary
    # text a start (an ID typed in lower case is missed).
    patterns=(r"[A-Z][1289][0-9]{8}",),
    validate=validate,
    checks=(Clean(""), Upper(), TwId()),
    mask=edges(1, 2),
    context=("tw_id", "id", "customer"),
    base_confidence=0.6,
    context_confidence=0.95,
    priority=75,
    positives=(
        Example("身分證字號：A123456789", ("A123456789",)),
        Example("台湾身份证 F131104093。", ("F131104093",)),
        Example("居留证 A800000014", ("A800000014",)),
    ),
    negatives=(
        "A123456788",  # wrong check digit
        "A323456789",  # 3 is not a sex digit
        "A12345678",  # nine characters
        "XA123456789",  # inside a longer token
    ),
)
