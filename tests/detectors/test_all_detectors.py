"""Rules every detector follows: its own examples hold, junk never crashes it, discovery works."""

from __future__ import annotations

import importlib
import pkgutil
import random

import pytest

import dlp
import dlp.detectors
from dlp.detector import Check, Detector, Verdict
from dlp.detectors import all_detectors, select

DETECTORS = all_detectors()
EXPECTED = {
    "bank_card",
    "cn_landline",
    "cn_mobile",
    "cn_plate",
    "cn_resident_id",
    "cn_resident_id_legacy",
    "cn_uscc",
    "cn_passport",
    "email",
    "hk_id",
    "hk_macau_permit",
    "home_return_permit",
    "qq_number",
    "tw_compatriot_permit",
    "tw_id",
    "vin",
    "wechat_id",
}


def by_name(detector: Detector) -> str:
    return detector.name


def _junk() -> list[str]:
    rng = random.Random(99)
    samples = [
        "",
        " ",
        "⑱",
        "3²",
        "１２３",
        "\x00" * 50,
        "1" * 10_000,
        "9" * 17 + "X",
        "\ud800",
        "138\udfff1234",
        "\ufffd" * 20,
        "x" * 500 + "@" + "y" * 500 + ".com",
        "@",
        "()+-·",
        "京",
        "京A",
        "+86",
        "0",
        "٣٤٥٦٧٨٩٠١٢٣",  # Arabic-Indic digits
        "𝟏𝟑𝟖𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖",  # mathematical bold digits
    ]
    samples += [
        bytes(rng.randrange(256) for _ in range(rng.randint(1, 64))).decode("latin-1") for _ in range(200)
    ]
    return samples


JUNK = _junk()


def test_discovery_finds_every_detector() -> None:
    assert {d.name for d in DETECTORS} == EXPECTED
    assert [d.name for d in DETECTORS] == sorted(d.name for d in DETECTORS)


def test_module_name_is_detector_name() -> None:
    modules = [m.name for m in pkgutil.iter_modules(dlp.detectors.__path__) if not m.name.startswith("_")]
    assert sorted(modules) == sorted(EXPECTED)
    for name in modules:
        module = importlib.import_module(f"dlp.detectors.{name}")
        assert module.DETECTOR.name == name


def test_select_by_name_and_unknown_names() -> None:
    assert [d.name for d in select(["email", "cn_mobile"])] == ["cn_mobile", "email"]
    assert select(None) == DETECTORS
    with pytest.raises(dlp.ConfigError, match="no_such_detector"):
        select(["email", "no_such_detector"])


@pytest.mark.parametrize("detector", DETECTORS, ids=by_name)
def test_detector_carries_examples(detector: Detector) -> None:
    assert detector.positives and detector.negatives
    assert all(example.values for example in detector.positives)
    assert detector.description and detector.patterns
    assert 0 < detector.base_confidence <= detector.context_confidence <= 1


@pytest.mark.parametrize("detector", DETECTORS, ids=by_name)
def test_positive_examples_yield_exactly_their_values(scanner: dlp.Scanner, detector: Detector) -> None:
    for example in detector.positives:
        result = scanner.scan_text(example.text)
        found = [f.value for f in result.findings if f.detector == detector.name]
        assert found == list(example.values), example.text
        for value in example.values:
            assert detector.check(value).value == value  # a normalised value is a fixed point


@pytest.mark.parametrize("detector", DETECTORS, ids=by_name)
def test_negative_examples_yield_nothing(scanner: dlp.Scanner, detector: Detector) -> None:
    for text in detector.negatives:
        result = scanner.scan_text(text)
        assert [f for f in result.findings if f.detector == detector.name] == [], text


@pytest.mark.parametrize("detector", DETECTORS, ids=by_name)
def test_positive_values_are_masked(scanner: dlp.Scanner, detector: Detector) -> None:
    for example in detector.positives:
        for value in example.values:
            masked = detector.mask(value)
            assert masked != value and "*" in masked


@pytest.mark.parametrize("detector", DETECTORS, ids=by_name)
def test_check_never_raises_on_junk(detector: Detector) -> None:
    for junk in JUNK:
        check = detector.check(junk)
        assert isinstance(check, Check)
        assert isinstance(detector.is_valid(junk), bool)
        if check.verdict is Verdict.REJECT:
            assert check.value == ""
        else:
            assert check.value and check.value.isprintable()


@pytest.mark.parametrize("detector", DETECTORS, ids=by_name)
def test_validators_accept_ascii_digits_only(detector: Detector) -> None:
    """Exotic digits that are not NFKC-compatible with ASCII are never accepted."""
    for example in detector.positives:
        for value in example.values:
            exotic = value.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
            if exotic != value:
                assert not detector.is_valid(exotic)


def test_scanning_junk_never_raises(scanner: dlp.Scanner) -> None:
    for junk in JUNK:
        result = scanner.scan_text(junk)
        assert all(f.value for f in result.findings)
