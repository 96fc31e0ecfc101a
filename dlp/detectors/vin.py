"""Vehicle identification number (车架号 / 车辆识别代号, VIN), 17 characters.

Structure (ISO 3779, GB 16735): 17 characters from ``0-9 A-Z`` without I, O and Q;
the last four are digits; the 9th is a check character, mandatory for vehicles
registered in China: each character's transliterated value (A=1 ... H=8, J=1 ... N=5,
P=7, R=9, S=2 ... Z=9) times its weight (8 7 6 5 4 3 2 10 0 9 8 7 6 5 4 3 2), summed,
mod 11, ``X`` for 10. One random 17-character code in eleven passes, so the pattern
also wants a letter in the first 13 characters (an all-digit run is an order number).
The value is upper-case.

>>> DETECTOR.validate('lsvam4187c2184847')
'LSVAM4187C2184847'
"""

from __future__ import annotations

from dlp.checks import Clean, Length, Upper, Vin
from dlp.detector import Detector, Example, Severity, edges
from dlp.detectors._util import clean
from dlp.errors import InvalidChecksum, InvalidFormat, InvalidLength

ALPHABET = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"
_VALUES = dict(zip("0123456789", range(10), strict=True)) | dict(
    zip(
        "ABCDEFGHJKLMNPRSTUVWXYZ",
        (1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 7, 9, 2, 3, 4, 5, 6, 7, 8, 9),
        strict=True,
    )
)
_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
_CHAR = "[A-HJ-NPR-Za-hj-npr-z0-9]"
_LETTER = "[A-HJ-NPR-Za-hj-npr-z]"
_FIRST_LETTER = "[A-HJ-NPR-Z]"


def check_char(vin: str) -> str:
    """The check character of a 17-character VIN (its 9th character is ignored)."""
    total = sum(_VALUES[c] * w for c, w in zip(vin, _WEIGHTS, strict=True)) % 11
    return "X" if total == 10 else str(total)


def validate(candidate: str) -> str:
    vin = clean(candidate, drop="").upper()
    if len(vin) != 17:
        raise InvalidLength()
    if not all(c in _VALUES for c in vin):
        raise InvalidFormat()
    if vin[8] != check_char(vin):
        raise InvalidChecksum()
    return vin


DETECTOR = Detector(
    name="vin",
    description="Vehicle identification number (17 characters, check character at position 9)",
    severity=Severity.MEDIUM,
    # A letter somewhere in the first 13 characters, the last four digits. The first
    # character is a digit or an upper-case letter: otherwise every lower-case word of
    # ordinary text would start a candidate (a VIN typed all in lower case is missed).
    patterns=(
        "|".join(
            f"[0-9]{{{k}}}{_LETTER if k else _FIRST_LETTER}{_CHAR}{{{12 - k}}}[0-9]{{4}}" for k in range(13)
        ),
    ),
    validate=validate,
    checks=(Clean(""), Upper(), Length(17), Vin()),
    mask=edges(3, 4),
    context=("vin", "plate"),
    base_confidence=0.7,
    context_confidence=0.95,
    priority=80,
    positives=(
        Example("车架号：LSVAM4187C2184847", ("LSVAM4187C2184847",)),
        Example("车辆识别代号 Lsvam4187c2184847，", ("LSVAM4187C2184847",)),
        Example("VIN: 1M8GDM9AXKP042788", ("1M8GDM9AXKP042788",)),
        Example("LFV2A21K5D3041111,粤B12345", ("LFV2A21K5D3041111",)),
    ),
    negatives=(
        "车架号 LSVAM4188C2184847",  # wrong check character
        "LSVAM4187C218484",  # 16 characters
        "LSVAM4187C21848477",  # 18 characters
        "LSVAO4187C2184847",  # O is not a VIN character
        "LSVAM4187C2184ABC",  # the last four must be digits
        "12345678901234567",  # no letter: an order number
        "XLSVAM4187C2184847",  # inside a longer token
    ),
)
