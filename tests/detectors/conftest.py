"""Helpers for the per-detector tests: scan a text and get its findings as plain tuples."""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import pytest

import dlp


class Found(NamedTuple):
    detector: str
    value: str
    index: int  # character index in the scanned text (from the finding's byte offset)
    confidence: float
    masked: str


Find = Callable[..., list[Found]]


@pytest.fixture
def find(scanner: dlp.Scanner) -> Find:
    """``find(text, detector=None)``: the findings of ``text`` (of one detector, if given)."""

    def run(text: str, detector: str | None = None) -> list[Found]:
        result = scanner.scan_text(text)
        assert not result.problems, result.problems
        data = text.encode("utf-8")
        found = []
        for f in result.findings:
            if detector is None or f.detector == detector:
                index = len(data[: f.location.offset].decode("utf-8"))
                found.append(Found(f.detector, f.value or "", index, f.confidence, f.masked))
        return found

    return run
