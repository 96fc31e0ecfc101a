"""Each detector's validator: ``validate`` on a valid value, ``check`` on a valid and a bad one.

These are the per-candidate Python costs the scan loop pays (about a million times on
a dense 100 MB customer list), so a regression here shows up at once.
"""

from __future__ import annotations

import pytest

from dlp.detector import Detector
from dlp.detectors import all_detectors

DETECTORS = {d.name: d for d in all_detectors()}


def _valid(det: Detector) -> str:
    for example in det.positives:
        if example.values:
            return example.values[0]
    pytest.skip(f"{det.name} has no positive example")


@pytest.mark.parametrize("name", sorted(DETECTORS))
def test_validate(benchmark, name: str) -> None:  # type: ignore[no-untyped-def]
    det = DETECTORS[name]
    value = _valid(det)
    assert benchmark(det.validate, value) == value


@pytest.mark.parametrize("name", sorted(DETECTORS))
def test_check_valid(benchmark, name: str) -> None:  # type: ignore[no-untyped-def]
    det = DETECTORS[name]
    benchmark(det.check, _valid(det))


@pytest.mark.parametrize("name", sorted(DETECTORS))
def test_check_negative(benchmark, name: str) -> None:  # type: ignore[no-untyped-def]
    """The reject path (exceptions raised and caught) on the detector's first negative example."""
    det = DETECTORS[name]
    if not det.negatives:
        pytest.skip(f"{name} has no negative example")
    benchmark(det.check, det.negatives[0])
