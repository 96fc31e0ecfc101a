"""Mainland China vehicle licence plate (车牌号).

Structure (GA 36-2018): province abbreviation, issuing-authority letter (A-Z
without I and O), then a serial: 5 letters/digits (at most 2 letters), 4 plus a
use suffix (学 警 挂 港 澳 使 领), or a 6-character new-energy serial (small cars
``[A-HJK][A-HJ-NP-Z0-9]dddd``: D/F, and A-K since 2022; large vehicles
``ddddd[DF]``). A space, middle dot or hyphen may follow the letter, and a middle
dot may follow the province. The value is upper-case without separators.

>>> DETECTOR.validate('粤B·d12345')
'粤BD12345'
"""

from __future__ import annotations

from dlp.checks import Clean, Length, Plate, Upper
from dlp.detector import Detector, Example, Severity, edges
from dlp.detectors._util import clean
from dlp.errors import InvalidComponent, InvalidFormat, InvalidLength

PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
SUFFIXES = "学警挂港澳使领"
_LETTERS = frozenset("ABCDEFGHJKLMNPQRSTUVWXYZ")
_ALNUM = _LETTERS | frozenset("0123456789")
_CLASS = "[A-HJ-NP-Za-hj-np-z0-9]"
# Small new-energy serials start with D (battery) or F (hybrid); since 2022 the
# ranges A B C E (battery) and G H J K (hybrid) are issued as well.
_NEV_SMALL = frozenset("ABCDEFGHJK")


def _serial_ok(serial: str) -> bool:
    if any(c not in _ALNUM for c in serial):
        return False
    if len(serial) == 5:
        return sum(c in _LETTERS for c in serial) <= 2
    if len(serial) == 6:  # new-energy
        small = serial[0] in _NEV_SMALL and serial[1] in _ALNUM and serial[2:].isdigit()
        large = serial[:5].isdigit() and serial[5] in "DF"
        return small or large
    return False


def validate(candidate: str) -> str:
    plate = clean(candidate, drop=" -\u00b7\u2022\u30fb").upper()
    if len(plate) not in (7, 8):
        raise InvalidLength()
    if plate[0] not in PROVINCES or plate[1] not in _LETTERS:
        raise InvalidComponent()
    serial = plate[2:]
    if serial[-1] in SUFFIXES:
        body = serial[:-1]
        if len(body) != 4 or any(c not in _ALNUM for c in body):
            raise InvalidFormat()
        if sum(c in _LETTERS for c in body) > 2:
            raise InvalidFormat()
    elif not _serial_ok(serial):
        raise InvalidFormat()
    return plate


_SERIAL = _CLASS + "{4}(" + _CLASS + "{1,2}|" + "|".join(SUFFIXES) + ")"
_AFTER_PROVINCE = "(·|•|・)?[A-HJ-NP-Za-hj-np-z]( |-|·|•|・)?" + _SERIAL


DETECTOR = Detector(
    name="cn_plate",
    description="Mainland China vehicle licence plate",
    severity=Severity.MEDIUM,
    patterns=("(" + "|".join(PROVINCES) + ")" + _AFTER_PROVINCE,),
    validate=validate,
    checks=(Clean(" -\u00b7\u2022\u30fb"), Upper(), Length(7, 8), Plate(PROVINCES, SUFFIXES)),
    mask=edges(2, 2),
    context=("plate", "customer"),
    followers=tuple(SUFFIXES),
    base_confidence=0.7,
    context_confidence=0.95,
    priority=50,
    positives=(
        Example("车牌：京A12345", ("京A12345",)),
        Example("粤B·D12345，沪A 12345D", ("粤BD12345", "沪A12345D")),
        Example("川A-1234学 京A1234警 冀B1234挂", ("川A1234学", "京A1234警", "冀B1234挂")),
        Example("车牌号 浙a8b12c", ("浙A8B12C",)),
        Example("京AA92035", ("京AA92035",)),
        Example("车牌 京·A12345", ("京A12345",)),
    ),
    negatives=(
        "京I12345",  # I is not an issuing letter
        "京AABCDE",  # too many letters
        "京A1234",  # too short
        "京A12345678",  # too long
        "京AX12345",  # 6-character serial that is not new-energy
        "北京ABC",
        "京AD1234警",  # five characters before a use suffix
    ),
)
