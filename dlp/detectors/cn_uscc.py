"""Unified Social Credit Code (统一社会信用代码) of a company or organisation.

18 characters (GB 32100-2015): registration department and organisation type,
6-digit region code, 9-character organisation code, and a MOD 31 check
character over the alphabet 0-9 A-H J-N P-R T-U W-Y. Validation is
python-stdnum's ``stdnum.cn.uscc``. An all-digit code must also pass the GB 11714
check of its embedded organisation code (as issued codes do): otherwise one in 31
resident IDs with a wrong check digit would be reported as a company code.

>>> DETECTOR.validate('91350100m00012343l')
'91350100M00012343L'
"""

from __future__ import annotations

from stdnum.cn import uscc
from stdnum.exceptions import ValidationError as StdnumError

from dlp.checks import DIGITS, USCC_ALPHABET, Charset, Clean, Gb11714Org, Gb32100, Length, Upper
from dlp.detector import Detector, Example, Severity, edges
from dlp.detectors._util import clean
from dlp.errors import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength

_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def org_code_ok(code: str) -> bool:
    """GB 11714 check of the 9-character organisation code inside a USCC (MOD 11)."""
    total = sum(int(c, 36) * w for c, w in zip(code[:8], _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return code[8] == ("X" if check == 10 else "0" if check == 11 else str(check))


def validate(candidate: str) -> str:
    number = clean(candidate).upper()
    if len(number) != 18:
        raise InvalidLength()
    try:
        number = uscc.validate(number)
    except StdnumError as exc:
        checksum = "checksum" in type(exc).__name__.lower()
        raise (InvalidChecksum() if checksum else InvalidFormat()) from None
    if number[:17].isdigit() and not org_code_ok(number[8:17]):
        # An all-digit "code" whose organisation part fails its check is, in
        # practice, a resident ID with a wrong check digit that passed MOD 31 by chance.
        raise InvalidComponent()
    return number


DETECTOR = Detector(
    name="cn_uscc",
    description="Unified Social Credit Code of a company or organisation",
    severity=Severity.LOW,
    # Department and type digits, then the province part of the region code spelled
    # out so that YARA gets literal atoms (a bare leading class scans 25x slower).
    patterns=(
        r"[1-9][1-59](10|1[1-5]|2[1-3]|3[1-7]|4[1-6]|5[0-4]|6[1-5]|71|8[12])[0-9]{4}"
        r"[0-9A-HJ-NPQRTUWXYa-hj-npqrtuwxy]{10}",
        # grouped 2-6-10 (the form python-stdnum prints), with a space or hyphen
        r"[1-9][1-59][ \-](10|1[1-5]|2[1-3]|3[1-7]|4[1-6]|5[0-4]|6[1-5]|71|8[12])[0-9]{4}[ \-]"
        r"[0-9A-HJ-NPQRTUWXYa-hj-npqrtuwxy]{10}",
    ),
    validate=validate,
    checks=(
        Clean(),
        Upper(),
        Length(18),
        Charset(DIGITS, 0, 8),
        Charset(USCC_ALPHABET, 8),
        Gb32100(),
        Gb11714Org(8, digits_only=True),
    ),
    mask=edges(2, 4),
    context=("uscc",),
    base_confidence=0.8,
    context_confidence=0.95,
    priority=80,
    positives=(
        Example("统一社会信用代码：91350100M00012343L", ("91350100M00012343L",)),
        Example("信用代码 1210000040000123XC", ("1210000040000123XC",)),
        Example("统一社会信用代码：91 350100 M00012343L", ("91350100M00012343L",)),
    ),
    negatives=(
        "91350100M00012343A",  # wrong check character
        "110105194912310005",  # an ID with a wrong check digit that passes MOD 31
        "91350100M00012343LX",
        "A1350100M00012343L",
    ),
)
