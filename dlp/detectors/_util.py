"""Small helpers shared by detector validators."""

from __future__ import annotations

import datetime
import unicodedata
from functools import cache

from dlp.errors import InvalidComponent


@cache
def _table(drop: str) -> dict[int, None]:
    return dict.fromkeys(map(ord, drop))


def clean(text: str, drop: str = " -\u00b7") -> str:
    """NFKC-normalise ``text`` and remove separator characters."""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    return text.strip().translate(_table(drop))


def isdigits(text: str) -> bool:
    """True for a non-empty string of ASCII digits only."""
    return text.isascii() and text.isdigit()


def past_date(year: int, month: int, day: int) -> datetime.date:
    """The date, which must exist and not lie in the future."""
    try:
        date = datetime.date(year, month, day)
    except ValueError:
        raise InvalidComponent() from None
    if date > datetime.date.today():
        raise InvalidComponent()
    return date
