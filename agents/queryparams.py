"""Query parameters of ``GET /v1/findings``, checked one by one before any reaches the store.

Every parameter is validated, so a bad request is a ``400`` with a message that
says which parameter and why, never a ``500``: unknown or repeated parameters,
texts over the wire format's limits or holding NUL or unpaired surrogates,
``limit`` outside 1-1000, a ``cursor`` that is not a whole number SQLite can hold
(0 to 2**63-1), a ``since`` that is not an ISO 8601 time. Messages name the
parameter, never echo its value.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from dlp.agents.store import Filters
from dlp.agents.wire import LIMITS, parse_time

MAX_PAGE = 1000
DEFAULT_PAGE = 100
MAX_CURSOR = 2**63 - 1
TEXTS = {"host": LIMITS["host"], "detector": LIMITS["detector"], "path_prefix": LIMITS["path"]}
KNOWN = (*TEXTS, "since", "limit", "cursor")


class BadQuery(ValueError):
    """A query parameter is missing its form; the message names it."""


@dataclass(frozen=True)
class Query:
    filters: Filters
    limit: int
    after: int


def _number(name: str, text: str, low: int, high: int) -> int:
    if not (text.isascii() and text.isdigit()) or len(text) > 19 or not low <= int(text) <= high:
        raise BadQuery(f"{name} must be a whole number from {low} to {high}")
    return int(text)


def _text(name: str, text: str) -> str:
    if len(text) > TEXTS[name]:
        raise BadQuery(f"{name} must be at most {TEXTS[name]} characters")
    if "\0" in text or any(0xD800 <= ord(c) <= 0xDFFF for c in text):
        raise BadQuery(f"{name} must not hold NUL or unpaired surrogate characters")
    return text


def parse_query(items: Iterable[tuple[str, str]]) -> Query:
    """The filters and page of a request's query parameters; :class:`BadQuery` if any is bad."""
    seen: dict[str, str] = {}
    for name, value in items:
        if name not in KNOWN:
            raise BadQuery(f"unknown query parameter (known: {', '.join(KNOWN)})")
        if name in seen:
            raise BadQuery(f"{name} is given more than once")
        seen[name] = value
    texts = {name: _text(name, seen[name]) for name in TEXTS if name in seen}
    since = None
    if "since" in seen:
        try:
            since = parse_time(seen["since"])
        except (ValueError, TypeError, OverflowError):
            raise BadQuery("since must be an ISO 8601 time") from None
    limit = _number("limit", seen["limit"], 1, MAX_PAGE) if "limit" in seen else DEFAULT_PAGE
    after = _number("cursor", seen["cursor"], 0, MAX_CURSOR) if "cursor" in seen else 0
    filters = Filters(
        host=texts.get("host"),
        detector=texts.get("detector"),
        path_prefix=texts.get("path_prefix"),
        since=since,
    )
    return Query(filters, limit, after)
