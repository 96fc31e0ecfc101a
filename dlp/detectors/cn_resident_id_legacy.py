"""First-generation resident ID number, 15 digits (issued until 2004).

Structure: 6-digit region code, birth date YYMMDD (19YY), 3-digit sequence; there
is no check digit, so a valid-looking value is only reported when an ID context
word (身份证, 证件号码 ...) is nearby.

>>> DETECTOR.validate('110105491231002')
'110105491231002'
"""

from __future__ import annotations

from dlp.checks import DIGITS, Charset, Clean, InTable, Length, PastDate
from dlp.data import load_table
from dlp.detector import Detector, Example, Severity, edges
from dlp.detectors._util import clean, isdigits, past_date
from dlp.errors import InvalidComponent, InvalidFormat, InvalidLength


def validate(candidate: str) -> str:
    number = clean(candidate)
    if len(number) != 15:
        raise InvalidLength()
    if not isdigits(number):
        raise InvalidFormat()
    if number[:6] not in load_table("cn_regions"):
        raise InvalidComponent()
    past_date(1900 + int(number[6:8]), int(number[8:10]), int(number[10:12]))
    return number


DETECTOR = Detector(
    name="cn_resident_id_legacy",
    description="First-generation 15-digit resident ID number (needs ID context)",
    severity=Severity.HIGH,
    patterns=(r"[1-9][0-9]{7}(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])[0-9]{3}",),
    validate=validate,
    checks=(
        Clean(),
        Length(15),
        Charset(DIGITS),
        InTable("cn_regions", 0, (6,)),
        PastDate(6, "YYMMDD", 1900),
    ),
    mask=edges(6, 3),
    context=("id",),
    requires_context=True,
    base_confidence=0.7,
    context_confidence=0.7,
    priority=30,
    positives=(Example("旧身份证号码：110105491231002", ("110105491231002",)),),
    negatives=(
        "110105491231002",  # no ID context
        "身份证 110105491331002",  # month 13
        "身份证 000000491231002",  # no such region
    ),
)
