"""Unified Social Credit Code (统一社会信用代码) of a company or organisation.

18 characters (GB 32100-2015): registration department and organisation type,
6-digit region code, 9-character organisation code, and a MOD 31 check
character over the alphabet 0-9 A-H J-N P-R T-U W-Y. Validation is
python-stdnum's ``stdnum.cn.uscc``.

>>> DETECTOR.validate('91350100m00012345t')
'91350100M00012345T'
"""

from __future__ import annotations

from stdnum.cn import uscc
from stdnum.exceptions import ValidationError as StdnumError

from dlp.detector import Detector, Example, Severity, keep_edges
from dlp.detectors._util import clean
from dlp.errors import InvalidChecksum, InvalidFormat, InvalidLength


def validate(candidate: str) -> str:
    number = clean(candidate).upper()
    if len(number) != 18:
        raise InvalidLength()
    try:
        return uscc.validate(number)
    except StdnumError as exc:
        checksum = "checksum" in type(exc).__name__.lower()
        raise (InvalidChecksum() if checksum else InvalidFormat()) from None


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
    mask=lambda v: keep_edges(v, 2, 4),
    context=("uscc",),
    base_confidence=0.8,
    context_confidence=0.95,
    priority=80,
    positives=(
        Example("统一社会信用代码：91350100M00012345T", ("91350100M00012345T",)),
        Example("信用代码 12100000400001234Y", ("12100000400001234Y",)),
        Example("统一社会信用代码：91 350100 M00012345T", ("91350100M00012345T",)),
    ),
    negatives=(
        "91350100M00012345A",  # wrong check character
        "91350100M00012345TX",
        "A1350100M00012345T",
    ),
)
