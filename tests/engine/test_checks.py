"""The Rust core's validation programs and masks against the Python validators.

Every detector declares ``checks`` and ``masking`` (:mod:`dlp.checks`) for the core
next to its Python ``validate`` and ``mask``, which stay as the oracle: here the two
must give the same verdict, the same value and the same reject reason for every
candidate, from the detectors' own examples and from hypothesis strategies that build
valid values (correct check characters) and near misses in each detector's shape.
All values are synthetic. ``DLP_CHECKS_EXAMPLES`` sets the number of hypothesis
examples per test (1500 by default).
"""

from __future__ import annotations

import os
import re
import string
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from stdnum import luhn
from stdnum.cn import ric
from stdnum.cn import uscc as stdnum_uscc

from dlp import checks
from dlp.data import load_table
from dlp.detector import Detector, Verdict
from dlp.detectors import all_detectors
from dlp.detectors._util import _today
from dlp.detectors.cn_plate import PROVINCES, SUFFIXES
from dlp.detectors.cn_uscc import org_code_ok
from dlp.detectors.email import _FILE_SUFFIXES
from dlp.detectors.hk_id import check_char as hk_check_char
from dlp.detectors.tw_id import checksum_ok as tw_checksum_ok
from dlp.detectors.vin import ALPHABET as VIN_ALPHABET
from dlp.detectors.vin import check_char as vin_check_char

core = pytest.importorskip("dlp._core", reason="the Rust extension dlp._core is not built")

DETECTORS = {d.name: d for d in all_detectors()}
TODAY = int(_today.compact())
TODAY_DATE = date(TODAY // 10000, TODAY // 100 % 100, TODAY % 100)
TABLE_NAMES = ("cn_regions", "cn_mobile_prefixes", "cn_area_codes")
TABLES = {name: tuple(load_table(name)) for name in TABLE_NAMES}
REGIONS = sorted(TABLES["cn_regions"])
MOBILE_PREFIXES = sorted(TABLES["cn_mobile_prefixes"])
AREA_CODES = sorted(TABLES["cn_area_codes"])
SETTINGS = settings(
    max_examples=int(os.environ.get("DLP_CHECKS_EXAMPLES", "1500")),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def _tables_for(detector: Detector) -> dict[str, tuple[str, ...]]:
    """Only the tables a detector's program names (building cn_regions costs a little)."""
    text = repr([c.spec() for c in detector.checks]) + repr(detector.masking.spec())  # type: ignore[attr-defined]
    return {name: keys for name, keys in TABLES.items() if name in text}


DETECTOR_TABLES = {name: _tables_for(d) for name, d in DETECTORS.items()}


def oracle(name: str, candidate: str) -> tuple[str, str]:
    result = DETECTORS[name].check(candidate)
    return result.verdict.value, result.value if result.verdict is not Verdict.REJECT else result.reason


def run_core(name: str, candidate: str) -> tuple[str, str]:
    return core.check(DETECTORS[name].checks, candidate, DETECTOR_TABLES[name], TODAY)


def known_reason_difference(name: str, candidate: str) -> bool:
    """Rejects whose *reason* differs on purpose (the verdict is the same).

    ``cn_mobile`` skips cleaning for a plain 11-digit candidate, so ``0086`` + 7 digits
    is rejected for its prefix (InvalidComponent) rather than, as the same digits with a
    separator are, for the length left after removing ``0086`` (InvalidLength); the
    core cleans every candidate the same way.
    """
    return name == "cn_mobile" and len(candidate) == 11 and candidate.isascii() and candidate.isdigit()


def assert_same(name: str, candidate: str, *, reasons: bool = True) -> tuple[str, str]:
    want = oracle(name, candidate)
    got = run_core(name, candidate)
    same_verdict = want[0] == got[0] == "reject"
    if want != got and same_verdict and (not reasons or known_reason_difference(name, candidate)):
        return got
    assert got == want, (name, candidate)
    if got[0] != "reject":
        detector = DETECTORS[name]
        masked = core.apply_mask(detector.masking, got[1], DETECTOR_TABLES[name])
        assert masked == detector.mask(got[1]), (name, got[1])
    return got


# -- the detectors' own examples --------------------------------------------


def _fold(text: str) -> str:
    """What the engine does before validating: full-width ASCII forms to ASCII."""
    return "".join(chr(ord(c) - 0xFEE0) if 0xFF01 <= ord(c) <= 0xFF5E else c for c in text)


def _candidates(detector: Detector, text: str) -> set[str]:
    folded = _fold(text)
    found = {text, folded, *re.split(r"[\s,，;；:：。<>|=&]+", folded)}
    for pattern in detector.patterns:
        found.update(m.group(0) for m in re.finditer(pattern, folded))
    return {c for c in found if c}


EXAMPLES = sorted(
    (d.name, candidate)
    for d in DETECTORS.values()
    for text in (*(e.text for e in d.positives), *(v for e in d.positives for v in e.values), *d.negatives)
    for candidate in _candidates(d, text)
)


def test_every_detector_declares_checks_and_masking() -> None:
    for detector in DETECTORS.values():
        assert detector.checks, detector.name
        assert detector.masking is not None, detector.name
        checks.specs(detector.checks)  # every primitive has a spec


@pytest.mark.parametrize(("name", "candidate"), EXAMPLES)
def test_examples(name: str, candidate: str) -> None:
    assert_same(name, candidate)


def test_example_values_confirm() -> None:
    for detector in DETECTORS.values():
        for ex in detector.positives:
            for value in ex.values:
                assert run_core(detector.name, value) == ("confirm", value)


def test_parse_errors_are_value_errors() -> None:
    with pytest.raises(ValueError, match="unknown check"):
        core.check([("nope",)], "1", {}, TODAY)
    with pytest.raises(ValueError):
        core.check([("length", "x")], "1", {}, TODAY)
    with pytest.raises(ValueError, match="unknown table"):
        core.check([checks.InTable("missing")], "110105", {}, TODAY)
    with pytest.raises(ValueError, match="unknown mask"):
        core.apply_mask(("blur",), "x", {})


def test_unverified() -> None:
    program = (checks.Charset(checks.DIGITS), checks.Unverified())
    assert core.check(program, "123", {}, TODAY) == ("unknown", "123")
    assert core.check(program, "12a", {}, TODAY) == ("reject", "InvalidFormat")


# -- strategies ---------------------------------------------------------------

SEPARATORS = st.sampled_from(["", "", "", " ", "-", "\u00b7", "  ", "\t"])
SPACE = st.sampled_from(["", "", " ", "\n", "\u3000", "\t"])
NON_ASCII = "\u00b7\u2022\u30fb\u3000\u00b2\u2474\uff15\u4eac\u00e9\u0130\u212a\u017f"


def _pick(draw: st.DrawFn, chars: str, n: int) -> str:
    return "".join(draw(st.sampled_from(chars)) for _ in range(n))


def junk(chars: str, max_size: int) -> st.SearchStrategy[str]:
    """Random text over a detector's characters plus a few others."""
    return st.text(alphabet=st.sampled_from(chars + " -" + NON_ASCII), max_size=max_size)


@st.composite
def dates(draw: st.DrawFn) -> str:
    """YYYYMMDD: mostly real past dates; also 29 February, day/month overflows, the future."""
    kind = draw(st.sampled_from(["past", "past", "feb29", "bad", "future", "edge"]))
    if kind == "past":
        day = draw(st.dates(min_value=date(1800, 1, 1), max_value=TODAY_DATE))
        return day.strftime("%Y%m%d")
    if kind == "feb29":
        return f"{draw(st.sampled_from([1900, 1904, 1996, 1999, 2000, 2001, 2024, 2100]))}0229"
    if kind == "future":
        return (TODAY_DATE + timedelta(days=draw(st.integers(1, 4000)))).strftime("%Y%m%d")
    if kind == "edge":
        return draw(st.sampled_from([TODAY_DATE, TODAY_DATE - timedelta(days=1)])).strftime("%Y%m%d")
    return _pick(draw, "0123456789", 4) + f"{draw(st.integers(0, 13)):02d}{draw(st.integers(0, 32)):02d}"


def _ric(first17: str) -> str:
    return first17 + ric.calc_check_digit(first17 + "0")


@st.composite
def resident_ids(draw: st.DrawFn) -> str:
    region = draw(st.sampled_from(REGIONS)) if draw(st.integers(0, 9)) else _pick(draw, "0123456789", 6)
    number = _ric(region + draw(dates()) + _pick(draw, "0123456789", 3))
    if draw(st.integers(0, 3)) == 0:  # a wrong (or random) check character
        number = number[:17] + draw(st.sampled_from("0123456789Xx"))
    if draw(st.booleans()):
        number = number.lower()
    sep = draw(SEPARATORS)
    if sep:
        number = number[:6] + sep + number[6:14] + draw(SEPARATORS) + number[14:]
    return draw(SPACE) + number + draw(SPACE)


@st.composite
def legacy_ids(draw: st.DrawFn) -> str:
    region = draw(st.sampled_from(REGIONS)) if draw(st.integers(0, 9)) else _pick(draw, "0123456789", 6)
    day = draw(dates())
    number = region + day[2:] + _pick(draw, "0123456789", 3)
    sep = draw(SEPARATORS)
    return draw(SPACE) + (number[:6] + sep + number[6:] if sep else number) + draw(SPACE)


COUNTRY = st.sampled_from(
    ["", "", "", "+86", "0086", "+0086", "(+86)", "(86)", "+86 ", "0086-", "(+86) ", "86"]
)


@st.composite
def mobiles(draw: st.DrawFn) -> str:
    prefix = (
        draw(st.sampled_from(MOBILE_PREFIXES))
        if draw(st.integers(0, 5))
        else "1" + _pick(draw, "0123456789", 2)
    )
    size = draw(st.sampled_from([11, 11, 11, 10, 12]))
    number = prefix + _pick(draw, "0123456789", max(0, size - len(prefix)))
    if draw(st.booleans()):
        sep = draw(st.sampled_from([" ", "-"]))
        number = number[:3] + sep + number[3:7] + draw(st.sampled_from(["", sep])) + number[7:]
    return draw(SPACE) + draw(COUNTRY) + number + draw(SPACE)


@st.composite
def landlines(draw: st.DrawFn) -> str:
    area = (
        draw(st.sampled_from(AREA_CODES)) if draw(st.integers(0, 5)) else "0" + _pick(draw, "0123456789", 3)
    )
    first = draw(st.sampled_from("0123456789" + "23456789" * 3))
    subscriber = first + _pick(draw, "0123456789", draw(st.sampled_from([6, 7, 7, 8])))
    sep = draw(st.sampled_from(["", "-", " "]))
    form = draw(st.sampled_from(["plain", "plain", "paren", "country", "country_paren", "no_zero_paren"]))
    if form == "paren":
        number = f"({area}){sep}{subscriber}"
    elif form == "country":
        number = draw(COUNTRY) + draw(st.sampled_from(["", " ", "-"])) + area[1:] + sep + subscriber
    elif form == "country_paren":
        number = draw(COUNTRY) + f"({area[1:]})" + sep + subscriber
    elif form == "no_zero_paren":
        number = f"({area[1:]}){sep}{subscriber}"
    else:
        number = area + sep + subscriber[:4] + draw(st.sampled_from(["", sep])) + subscriber[4:]
    return draw(SPACE) + number + draw(SPACE)


PLATE_CHARS = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"


@st.composite
def plates(draw: st.DrawFn) -> str:
    province = draw(st.sampled_from(PROVINCES + "北京A1"))
    letter = draw(st.sampled_from(PLATE_CHARS + "IOio1"))
    kind = draw(st.sampled_from(["ordinary", "ne_small", "ne_large", "special", "random"]))
    if kind == "ordinary":
        serial = _pick(draw, "0123456789" * 4 + PLATE_CHARS, 5)
    elif kind == "ne_small":
        serial = (
            draw(st.sampled_from("ABCDEFGHJKLMXZ"))
            + draw(st.sampled_from(PLATE_CHARS))
            + _pick(draw, "0123456789", 4)
        )
    elif kind == "ne_large":
        serial = _pick(draw, "0123456789", 5) + draw(st.sampled_from("DFAX"))
    elif kind == "special":
        serial = _pick(draw, "0123456789" * 3 + PLATE_CHARS, draw(st.sampled_from([3, 4, 4, 5]))) + draw(
            st.sampled_from(SUFFIXES)
        )
    else:
        serial = _pick(draw, PLATE_CHARS + "IO" + SUFFIXES, draw(st.integers(3, 7)))
    if draw(st.booleans()):
        serial = serial.lower()
    dot = draw(st.sampled_from(["", "", "\u00b7", "\u2022", "\u30fb"]))
    sep = draw(st.sampled_from(["", "", " ", "-", "\u00b7", "\u2022", "\u30fb", "_"]))
    return draw(SPACE) + province + dot + letter + sep + serial + draw(SPACE)


@st.composite
def usccs(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["alnum", "digits", "digits_org", "ric"]))
    if kind == "alnum":
        body = (
            _pick(draw, "123456789", 2)
            + draw(st.sampled_from(REGIONS))
            + _pick(draw, checks.USCC_ALPHABET + "IOSVZ", 9)
        )
    elif kind == "digits":
        body = _pick(draw, "0123456789", 17)
    elif kind == "digits_org":  # an all-digit code with a valid organisation code
        while True:
            org = _pick(draw, "0123456789", 8)
            for check in "0123456789":
                if org_code_ok(org + check):
                    body = _pick(draw, "0123456789", 8) + org + check
                    break
            else:
                continue
            break
    else:  # a resident ID's first 17 digits
        body = draw(resident_ids()).strip()[:17]
    number = (
        body + stdnum_uscc.calc_check_digit(body)
        if all(c in checks.USCC_ALPHABET for c in body)
        else body + "0"
    )
    if draw(st.integers(0, 3)) == 0:
        number = number[:17] + draw(st.sampled_from(checks.USCC_ALPHABET + "IOxy"))
    if draw(st.booleans()):
        number = number.lower()
    sep = draw(st.sampled_from(["", "", " ", "-"]))
    if sep:
        number = number[:2] + sep + number[2:8] + sep + number[8:]
    return draw(SPACE) + number + draw(SPACE)


@st.composite
def bank_cards(draw: st.DrawFn) -> str:
    size = draw(st.integers(14, 20))
    body = draw(st.sampled_from("123456789")) + _pick(draw, "0123456789", size - 2)
    number = body + luhn.calc_check_digit(body)
    if draw(st.integers(0, 3)) == 0:
        number = number[:-1] + draw(st.sampled_from("0123456789"))
    sep = draw(st.sampled_from(["", "", " ", "-"]))
    if sep:
        number = sep.join(number[i : i + 4] for i in range(0, len(number), 4))
    return draw(SPACE) + number + draw(SPACE)


LOCAL = string.ascii_letters + string.digits + "._%+-!#$&*^~"
LABEL = string.ascii_letters + string.digits + "-"


@st.composite
def emails(draw: st.DrawFn) -> str:
    local = draw(st.text(alphabet=st.sampled_from(LOCAL + "=/\u00e9\u212a"), min_size=0, max_size=70))
    labels = [
        draw(st.text(alphabet=st.sampled_from(LABEL), min_size=0, max_size=draw(st.sampled_from([8, 8, 70]))))
        for _ in range(draw(st.integers(1, 3)))
    ]
    tld = draw(st.sampled_from([*sorted(_FILE_SUFFIXES), "com", "CN", "org", "x1", "c-m", "", "\u212az"]))
    at = draw(st.sampled_from(["@", "@", "@", "@@", ""]))
    return draw(SPACE) + local + at + ".".join(labels) + "." + tld + draw(SPACE)


@st.composite
def vins(draw: st.DrawFn) -> str:
    chars = VIN_ALPHABET if draw(st.integers(0, 5)) else VIN_ALPHABET + "IOQ"
    size = draw(st.sampled_from([17, 17, 17, 16, 18]))
    vin = _pick(draw, chars, size)
    if size == 17 and all(c in VIN_ALPHABET for c in vin) and draw(st.integers(0, 3)):
        vin = vin[:8] + vin_check_char(vin) + vin[9:]
    if draw(st.booleans()):
        vin = vin.lower()
    return draw(SPACE) + vin + draw(SPACE)


@st.composite
def hk_ids(draw: st.DrawFn) -> str:
    letters = _pick(draw, string.ascii_uppercase + "a1", draw(st.sampled_from([1, 2, 2, 3])))
    digits = _pick(draw, "0123456789" * 3 + "A", draw(st.sampled_from([6, 6, 6, 5])))
    body = letters + digits
    shaped = (
        letters.isalpha() and letters.isupper() and len(letters) < 3 and digits.isdigit() and len(digits) == 6
    )
    check = (
        hk_check_char(body) if shaped and draw(st.integers(0, 3)) else draw(st.sampled_from("0123456789Aa"))
    )
    if draw(st.booleans()):
        return draw(SPACE) + body + draw(st.sampled_from(["", " "])) + f"({check})" + draw(SPACE)
    return draw(SPACE) + body + check + draw(SPACE)


@st.composite
def tw_ids(draw: st.DrawFn) -> str:
    number = draw(st.sampled_from(string.ascii_uppercase + "a1")) + _pick(draw, "0123456789", 9)
    if number[0].isupper() and not tw_checksum_ok(number) and draw(st.integers(0, 3)):
        for last in "0123456789":
            if tw_checksum_ok(number[:9] + last):
                number = number[:9] + last
                break
    size = draw(st.sampled_from([10, 10, 10, 9, 11]))
    number = (number + "1")[:size]
    if draw(st.integers(0, 4)) == 0:
        number = number.lower()
    return draw(SPACE) + number + draw(SPACE)


SHAPES = {
    "cn_resident_id": st.one_of(resident_ids(), junk("0123456789Xx", 22)),
    "cn_resident_id_legacy": st.one_of(legacy_ids(), junk("0123456789", 18)),
    "cn_mobile": st.one_of(mobiles(), junk("0123456789+()", 18)),
    "cn_landline": st.one_of(landlines(), junk("0123456789+()", 18)),
    "cn_plate": st.one_of(plates(), junk(PROVINCES[:6] + PLATE_CHARS[:8] + SUFFIXES[:2] + "io", 10)),
    "cn_uscc": st.one_of(usccs(), junk(checks.USCC_ALPHABET + "xy", 22)),
    "bank_card": st.one_of(bank_cards(), junk("0123456789", 22)),
    "email": st.one_of(emails(), junk(LOCAL[50:] + "@.ab", 20)),
    "vin": st.one_of(vins(), junk(VIN_ALPHABET[:12] + "IOQx", 20)),
    "hk_id": st.one_of(hk_ids(), junk("0123456789ABZ()a", 12)),
    "tw_id": st.one_of(tw_ids(), junk("0123456789ABZa", 12)),
}


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_core_equals_python(name: str) -> None:
    verdicts: dict[str, int] = {}

    @SETTINGS
    @given(SHAPES[name])
    @example("")
    @example(" ")
    def run(candidate: str) -> None:
        verdict = assert_same(name, candidate)[0]
        verdicts[verdict] = verdicts.get(verdict, 0) + 1

    run()
    # The strategies must reach both sides of the validator.
    assert verdicts.get("confirm", 0) > 20 and verdicts.get("reject", 0) > 20, verdicts


@SETTINGS
@given(st.text(max_size=24))
def test_core_equals_python_on_any_text(candidate: str) -> None:
    # Reasons only for ASCII: the core folds the NFKC forms that can end up in a value
    # (full-width, superscript digits, ⑴ ...), not those that expand into other
    # characters (¼ -> 1⁄4), so a reject for such junk may name another reason.
    for name in SHAPES:
        assert_same(name, candidate, reasons=candidate.isascii())


@pytest.mark.parametrize(
    ("mask", "value"),
    [
        (checks.Edges(6, 4), "11010519491231002X"),
        (checks.Edges(2, 2), "京A12345"),
        (checks.Edges(4, 4), "1234567"),
        (checks.Edges(3, 4), ""),
        (checks.PrefixEdges("cn_area_codes", (3, 4), 2), "02187654321"),
        (checks.PrefixEdges("cn_area_codes", (3, 4), 2), "08718260779"),
        (checks.EmailMask(), "zhang.san@example.com"),
    ],
)
def test_masks(mask: object, value: str) -> None:
    assert core.apply_mask(mask, value, TABLES) == mask(value)  # type: ignore[operator]
