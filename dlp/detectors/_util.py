"""Small helpers shared by detector validators."""

from __future__ import annotations

import datetime
import time
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


class _Today:
    """``date.today()``, looked up at most once a minute (it costs more than a check)."""

    __slots__ = ("_compact", "_date", "_until")

    def __init__(self) -> None:
        self._date = datetime.date.min
        self._compact = ""
        self._until = 0.0

    def __call__(self) -> datetime.date:
        now = time.monotonic()
        if now >= self._until:
            self._date, self._until = datetime.date.today(), now + 60.0
            self._compact = self._date.strftime("%Y%m%d")
        return self._date

    def compact(self) -> str:
        """Today as ``YYYYMMDD``."""
        self()
        return self._compact


_today = _Today()


_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_MMDD = frozenset(f"{m:02d}{d:02d}" for m in range(1, 13) for d in range(1, _MONTH_DAYS[m - 1] + 1))
_MMDD_LEAP = _MMDD | {"0229"}


def past_yyyymmdd(text: str) -> None:
    """Raise :class:`InvalidComponent` unless ``text`` (8 ASCII digits, YYYYMMDD) is a
    real date not in the future: :func:`past_date` without building the date."""
    year = int(text[:4])
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    if year < 1 or text[4:] not in (_MMDD_LEAP if leap else _MMDD) or text > _today.compact():
        raise InvalidComponent()


def past_date(year: int, month: int, day: int) -> datetime.date:
    """The date, which must exist and not lie in the future."""
    try:
        date = datetime.date(year, month, day)
    except ValueError:
        raise InvalidComponent() from None
    if date > _today():
        raise InvalidComponent()
    return date


# Labels of codes and reference numbers that look like phone or card numbers: a
# number right after one of them is that code (``Detector.refuted_by``).
CODE_LABELS = (
    "发票代码",
    "发票号码",
    "发票号",
    "税控码",
    "校验码",
    "机器编号",
    "订单号",
    "订单编号",
    "单号",
    "运单号",
    "快递单号",
    "流水号",
    "交易流水号",
    "流水",  # a statement's transaction serial (流水 123…), as on a bank statement
    "交易单号",
    "交易参考号",
    "参考号",
    "凭证号",
    "批次号",
    "合同编号",
    "合同号",
    "工单号",
    "invoice no",
    "invoice code",
    "order no",
    "order id",
    "transaction id",
    "reference no",
    "ref no",
)
