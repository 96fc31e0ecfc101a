"""Repairs of the mistakes OCR makes, applied to OCR text only (never to other text).

- **Glued digit runs.** A screenshot of a table puts a right-aligned number next
  to the next cell, and OCR reads both as one run of digits; two values side by
  side become one run. A run longer than a value is split where that is certain:
  into pieces that are all valid mobiles and resident IDs, or around one 18-character
  resident ID that passes its full check (region, date of birth, check character)
  inside a longer run. A mobile is only split off when every piece of the run is a
  valid value: a mobile-shaped part of an order number or a timestamp is common,
  a valid resident ID by chance is not.
- **Stray strokes after a province character.** The frame or the dot of a plate
  is read as ``I``, ``|``, ``丨``, ``l`` or ``1`` between the province character and the
  authority letter (``京|A12345``); the stroke is dropped when what follows is then a
  plate's letter.
- **Look-alike letters in digit runs** (``O``/``o`` for 0, ``l``/``I`` for 1): replaced inside a
  run that is a valid mobile or resident ID once replaced, and nowhere else.

>>> repair("张三 1381234567811010519491231002X 北京")
'张三 13812345678 11010519491231002X 北京'
>>> repair("京|A12345")
'京A12345'
"""

from __future__ import annotations

import re

from dlp.detectors import cn_mobile, cn_resident_id
from dlp.detectors.cn_plate import PROVINCES
from dlp.errors import ValidationError

ID_LENGTH = 18
MOBILE_LENGTH = 11
_RUN = re.compile(r"(?<![0-9A-Za-z])[0-9OoIl][0-9OoIlXx]{10,}(?![0-9A-Za-z])")
_STRAY = re.compile(f"([{PROVINCES}])\\s?[I|丨l1]\\s?(?=[A-HJ-NP-Z][\\s·]?[0-9A-HJ-NP-Z]{{4}})")
_LOOKALIKE = str.maketrans("OoIl", "0011")


def repair(text: str) -> str:
    """``text`` (one OCR line) with the repairs above."""
    if any(c in text for c in PROVINCES):
        text = _STRAY.sub(r"\1", text)
    return _RUN.sub(_split, text)


def _split(match: re.Match[str]) -> str:
    run = match.group(0)
    digits = run.translate(_LOOKALIKE)
    if digits != run:
        if not _look_alikes_ok(digits):
            return run
        if _valid(digits):
            return digits
    if len(digits) in (MOBILE_LENGTH, ID_LENGTH) or not _digits_only(digits):
        return run if digits != run else digits
    pieces = _values(digits)
    if pieces is None:
        pieces = _around_id(digits)
    if pieces is None:
        return run
    return " ".join(p for p in pieces if p)


def _look_alikes_ok(digits: str) -> bool:
    """Look-alike letters are only replaced where the result is one valid value."""
    return len(digits) in (MOBILE_LENGTH, ID_LENGTH) and _valid(digits)


def _digits_only(run: str) -> bool:
    """Digits, with X only where a resident ID's check character may stand."""
    return run.replace("X", "").replace("x", "").isdigit() and all(
        c.isdigit() or (i + 1) % ID_LENGTH == 0 or _x_ends_id(run, i) for i, c in enumerate(run)
    )


def _x_ends_id(run: str, i: int) -> bool:
    return i + 1 >= ID_LENGTH and _is_id(run[i + 1 - ID_LENGTH : i + 1])


def _valid(value: str) -> bool:
    return _is_mobile(value) if len(value) == MOBILE_LENGTH else len(value) == ID_LENGTH and _is_id(value)


def _is_id(value: str) -> bool:
    try:
        cn_resident_id.validate(value.upper())
    except (ValidationError, ValueError):
        return False
    return True


def _is_mobile(value: str) -> bool:
    try:
        cn_mobile.validate(value)
    except (ValidationError, ValueError):
        return False
    return True


def _values(run: str) -> list[str] | None:
    """The run as a sequence of valid mobiles and resident IDs, if it is exactly that."""
    best: dict[int, list[str]] = {0: []}
    for i in range(len(run)):
        if i not in best:
            continue
        for size in (ID_LENGTH, MOBILE_LENGTH):
            piece = run[i : i + size]
            if len(piece) == size and i + size not in best and _valid(piece):
                best[i + size] = [*best[i], piece]
    return best.get(len(run))


def _around_id(run: str) -> list[str] | None:
    """The run cut around the first valid resident ID inside it."""
    for i in range(len(run) - ID_LENGTH + 1):
        piece = run[i : i + ID_LENGTH]
        if _is_id(piece):
            return [run[:i], piece.upper(), run[i + ID_LENGTH :]]
    return None
