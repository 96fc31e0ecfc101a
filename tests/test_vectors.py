"""Public test vectors (tests/vectors/*.json) scanned end to end.

A vector with ``expected_valid`` must give a finding of its detector whose value
is the normalised text; one without must give no finding of its detector that
spans the whole text (a valid value *inside* a longer invalid sample is allowed).
Bank cards and 15-digit IDs need context, so their text gets a context prefix.
"""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path
from typing import Any

import pytest

import dlp

VECTORS = Path(__file__).resolve().parent / "vectors"
PREFIX = {"bank_card": "银行卡号：", "cn_resident_id_legacy": "身份证号码："}

# Vectors the scanner gets wrong today, with the reason (none at present).
KNOWN_WRONG: dict[tuple[str, str, str], str] = {}


def _load() -> list[Any]:
    params = []
    for path in sorted(VECTORS.glob("*.json")):
        for number, vector in enumerate(json.loads(path.read_text(encoding="utf-8"))["vectors"]):
            key = (path.name, vector["detector"], vector["text"])
            marks = [pytest.mark.xfail(strict=True, reason=KNOWN_WRONG[key])] if key in KNOWN_WRONG else []
            params.append(pytest.param(vector, id=f"{path.stem}-{number}-{vector['detector']}", marks=marks))
    return params


def compact(detector: str, text: str) -> str:
    """The text as one value: NFKC, separators removed, country prefix and case normalised."""
    text = unicodedata.normalize("NFKC", text).strip()
    if detector == "email":
        return text.lower()
    if detector in ("cn_mobile", "cn_landline"):
        digits = re.sub(r"[\s\-()]", "", text)
        match = re.match(r"^(?:\+|00)?86(?=\d{9,})", digits) if digits.startswith(("+", "00", "86")) else None
        if match:
            digits = digits[match.end() :]
            return digits if detector == "cn_mobile" else "0" + digits
        return digits
    return re.sub(r"[\s\-·]", "", text).upper()


def expected_value(detector: str, text: str) -> str:
    """The value a valid vector must produce (a landline's trailing -extension dropped)."""
    if detector == "cn_landline":
        text = re.sub(r"(?:-|转|ext\.?)\d{1,6}$", "", text) if text.count("-") >= 2 or "转" in text else text
    return compact(detector, text)


def test_vectors_exist() -> None:
    assert len(_load()) >= 100


@pytest.mark.parametrize("vector", _load())
def test_vector(scanner: dlp.Scanner, vector: dict[str, Any]) -> None:
    detector, text = vector["detector"], vector["text"]
    prefix = PREFIX.get(detector, "")
    start = len(prefix.encode("utf-8"))
    result = scanner.scan_text(prefix + text)
    assert not result.problems
    found = [f for f in result.findings if f.detector == detector]
    if vector["expected_valid"]:
        assert [(f.value, f.location.offset) for f in found] == [(expected_value(detector, text), start)]
    else:
        whole = compact(detector, text)
        assert not [f for f in found if f.location.offset == start and f.value == whole]
