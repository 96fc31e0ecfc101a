"""Resident Identity Card number (居民身份证号码), 18 characters.

Structure (GB 11643-1999): 6-digit region code (GB/T 2260), birth date
YYYYMMDD, 3-digit sequence (odd for men), and an ISO 7064 MOD 11-2 check
character (0-9 or X). The region must appear in the shipped region table (any
era, since old codes stay on issued cards); the date must exist and not be in
the future. Written plain or in 6-8-4 groups separated by spaces or hyphens.

>>> DETECTOR.validate('11010519491231002x')
'11010519491231002X'
"""

from __future__ import annotations

from dlp.checks import DIGITS, Charset, Clean, InTable, Iso7064Mod11_2, Length, PastDate, Upper
from dlp.data import load_table
from dlp.detector import Detector, Example, Severity, edges
from dlp.detectors._util import clean, isdigits, past_yyyymmdd
from dlp.errors import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength

_DATE = r"(18|19|20)[0-9]{2}(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])"


def calc_check_char(first17: str) -> str:
    """The MOD 11-2 check character for the first 17 digits.

    The weights are 2**k mod 11; since 13 = 2 (mod 11), reading the digits as a
    base-13 number yields the weighted sum in one C-level call (as python-stdnum does).
    """
    check = (1 - 2 * int(first17, 13)) % 11
    return "X" if check == 10 else str(check)


def validate(candidate: str) -> str:
    plain = len(candidate) == 18 and candidate.isascii() and candidate.isalnum()
    number = (candidate if plain else clean(candidate)).upper()
    if len(number) != 18:
        raise InvalidLength()
    if not isdigits(number[:17]) or not (number[17].isdigit() or number[17] == "X"):
        raise InvalidFormat()
    if number[17] != calc_check_char(number[:17]):
        raise InvalidChecksum()
    if number[:6] not in load_table("cn_regions"):
        raise InvalidComponent()
    past_yyyymmdd(number[6:14])
    return number


DETECTOR = Detector(
    name="cn_resident_id",
    description="Chinese resident identity card number (18 characters, checksummed)",
    severity=Severity.HIGH,
    patterns=(
        r"[1-9][0-9]{5}" + _DATE + r"[0-9]{3}[0-9Xx]",
        r"[1-9][0-9]{5}[ \-]" + _DATE + r"[ \-][0-9]{3}[0-9Xx]",
    ),
    validate=validate,
    checks=(
        Clean(),
        Upper(),
        Length(18),
        Charset(DIGITS, 0, 17),
        Charset(DIGITS + "X", 17),
        Iso7064Mod11_2(),
        InTable("cn_regions", 0, (6,)),
        PastDate(6),
    ),
    mask=edges(6, 4),
    context=("id", "customer"),
    base_confidence=0.8,
    context_confidence=0.95,
    priority=90,
    positives=(
        Example("身份证号：11010519491231002X", ("11010519491231002X",)),
        Example("证件号码 11010519491231002x。", ("11010519491231002X",)),
        Example("ID 110105 19491231 002X", ("11010519491231002X",)),
        Example("440306198507151231,510107200002294564", ("440306198507151231", "510107200002294564")),
        Example("身份证:４４０３０６１９８５０７１５１２３１", ("440306198507151231",)),
    ),
    negatives=(
        "110105194912310021",  # wrong check character
        "110101********1234",  # masked
        "1.10105E+17",  # Excel scientific notation
        "11010519491331002X",  # month 13
        "000000194912310020",  # no such region
        "811010519491231002X9",  # inside a longer run
        "ABC11010519491231002X",  # glued to letters
        "11010529991231002X",  # year 2999 (future)
    ),
)
