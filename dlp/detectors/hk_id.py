"""Hong Kong identity card number (香港身份证号码).

Structure: one or two letters, six digits and a check character (``0-9`` or ``A``),
usually written with the check character in brackets: ``A123456(3)``. The check is
MOD 11 over the letters (A=10 ... Z=35; a one-letter number counts a space, 36, in
front) and digits, weights 9 down to 2. The value is upper-case without brackets.

>>> DETECTOR.validate('A123456(3)')
'A1234563'
"""

from __future__ import annotations

from dlp.checks import Clean, HkId, Length, Upper
from dlp.detector import Detector, Example, Severity, edges
from dlp.detectors._util import clean
from dlp.errors import InvalidChecksum, InvalidFormat, InvalidLength


def check_char(body: str) -> str:
    """The check character of a body of one or two letters and six digits."""
    letters, digits = body[:-6], body[-6:]
    total = 36 * 9 if len(letters) == 1 else 0
    weight = 8 if len(letters) == 1 else 9
    for c in letters:
        total += (ord(c) - ord("A") + 10) * weight
        weight -= 1
    for c in digits:
        total += int(c) * weight
        weight -= 1
    check = (11 - total % 11) % 11
    return "A" if check == 10 else str(check)


def validate(candidate: str) -> str:
    number = clean(candidate, drop=" ()").upper()
    if not 8 <= len(number) <= 9:
        raise InvalidLength()
    body, last = number[:-1], number[-1]
    letters, digits = body[:-6], body[-6:]
    shape = (
        letters.isascii()
        and letters.isalpha()
        and letters.isupper()
        and digits.isascii()
        and digits.isdigit()
        and last in "0123456789A"
    )
    if not shape:
        raise InvalidFormat()
    if last != check_char(body):
        raise InvalidChecksum()
    return number


DETECTOR = Detector(
    name="hk_id",
    description="Hong Kong identity card number (check character)",
    severity=Severity.HIGH,
    patterns=(
        r"[A-Z]{1,2}[0-9]{6} ?\([0-9A]\)",
        "[A-Z]{1,2}[0-9]{6} ?\uff08[0-9A]\uff09",  # full-width brackets
        r"[A-Z]{1,2}[0-9]{6}[0-9A]",
    ),
    validate=validate,
    checks=(Clean(" ()"), Upper(), Length(8, 9), HkId()),
    mask=edges(1, 1),
    context=("hk_id", "id", "customer"),
    base_confidence=0.6,
    context_confidence=0.95,
    priority=75,
    positives=(
        Example("香港身份证：A123456(3)", ("A1234563",)),
        Example("HKID AB987654(3)", ("AB9876543",)),
        Example("证件号码 A1234563，", ("A1234563",)),
        Example("香港身份證 A123456（3）", ("A1234563",)),
    ),
    negatives=(
        "A123456(4)",  # wrong check character
        "A12345(3)",  # five digits
        "ABC123456(3)",  # three letters
        "XA1234563Y",  # inside a longer token
    ),
)
