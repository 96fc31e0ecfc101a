"""The string date check of the ID validators agrees with building the date."""

from __future__ import annotations

import datetime
import random

import pytest

from dlp.detectors._util import past_date, past_yyyymmdd
from dlp.errors import InvalidComponent


def _ok(check, *args) -> bool:  # type: ignore[no-untyped-def]
    try:
        check(*args)
    except InvalidComponent:
        return False
    return True


def test_agrees_with_past_date_on_random_and_edge_dates() -> None:
    rng = random.Random(2)
    cases = [(rng.randint(0, 9999), rng.randint(0, 13), rng.randint(0, 32)) for _ in range(20_000)]
    cases += [(2000, 2, 29), (1900, 2, 29), (2024, 2, 29), (2023, 2, 29), (1, 1, 1), (0, 1, 1), (2023, 4, 31)]
    today = datetime.date.today()
    for delta in (-1, 0, 1, 400):
        day = today + datetime.timedelta(days=delta)
        cases.append((day.year, day.month, day.day))
    for year, month, day in cases:
        text = f"{year:04d}{month:02d}{day:02d}"
        assert _ok(past_yyyymmdd, text) == _ok(past_date, year, month, day), text


@pytest.mark.parametrize("text", ["20230229", "19991301", "19990100", "99991231", "00000101"])
def test_rejects(text: str) -> None:
    assert not _ok(past_yyyymmdd, text)
