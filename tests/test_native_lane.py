"""The C lane (dlp._native, driven by dlp.engine.lane) writes what the Python way writes.

The Python pipeline is the reference. Each C piece is compared with it on its own
(validators, masks, fingerprints, policy counts), and whole scans are compared
byte for byte: JSONL records, summary counts and verdicts, over corpora that hold
every detector's forms, context words, full-width digits, signature markers,
other encodings and documents, with windows small enough that values sit on their
edges.
"""

from __future__ import annotations

import pickle
import random
from collections import Counter
from pathlib import Path

import benchmark_modules
import pytest

import dlp
from dlp import synthetic
from dlp.detectors import all_detectors
from dlp.detectors._util import _today
from dlp.engine import lane as lane_module
from dlp.findings import Fingerprinter
from dlp.policy import Policy, _Tally
from dlp.report import Reporter, ReportSpec
from dlp.walk import walk

native = pytest.importorskip("dlp._native", reason="the C extension is not built here (.ci/run builds it)")

ROOT = Path(__file__).resolve().parent.parent
KEY = b"native-lane-test-key-0123"


@pytest.fixture(scope="module")
def scanner(tmp_path_factory: pytest.TempPathFactory) -> dlp.Scanner:
    config = dlp.ScanConfig(key=KEY, cache_dir=tmp_path_factory.mktemp("cache"), chunk_size=64 * 1024)
    built = dlp.Scanner(config)
    if not built.lane_ready:
        pytest.skip("the lane runs with the Hyperscan engine only")
    return built


def _detector(name: str):  # type: ignore[no-untyped-def]
    return next(d for d in all_detectors() if d.name == name)


# -- validators ------------------------------------------------------------------

_SEPARATORS = [" ", "-", "·", "•", "・", "(", ")", "+", "x", "X", ".", "@", "_", "A", "京", "学"]


def _mutations(rng: random.Random, value: str) -> list[str]:
    """``value`` and look-alikes: one character changed, dropped or doubled, a separator
    put in, case changed, digits shifted."""
    out = [value, value.lower(), value.upper(), value[:-1], value + rng.choice("0123456789X")]
    for _ in range(12):
        i = rng.randrange(len(value))
        alphabet = "0123456789" if value[i].isdigit() else "ABCDEFGHJKLMNPQRSTUVWXYZabcdxyz0123456789"
        out.append(value[:i] + rng.choice(alphabet) + value[i + 1 :])
        out.append(value[:i] + rng.choice(_SEPARATORS) + value[i:])
        out.append(value[:i] + value[i + 1 :])
    return out


def _values(rng: random.Random, name: str) -> list[str]:
    make = {
        "cn_mobile": lambda: synthetic.mobile(rng),
        "cn_resident_id": lambda: synthetic.resident_id(rng),
        "cn_landline": lambda: synthetic.landline(rng)[0],
        "cn_plate": lambda: synthetic.plate(rng),
        "email": lambda: synthetic.email(rng),
        "cn_uscc": lambda: synthetic.uscc(rng),
        "bank_card": lambda: synthetic.bank_card(rng),
        "cn_resident_id_legacy": lambda: (
            synthetic.resident_id(rng)[:6]
            + synthetic.resident_id(rng)[8:14]
            + "".join(rng.choice("0123456789") for _ in range(3))
        ),
    }[name]
    values = [make() for _ in range(150)]
    extra = {
        "cn_mobile": [synthetic.mobile_bad_prefix(rng) for _ in range(30)],
        "cn_resident_id": [synthetic.resident_id_bad_checksum(rng) for _ in range(30)]
        + [synthetic.resident_id_bad_date(rng) for _ in range(30)]
        + [synthetic.resident_id_bad_region(rng) for _ in range(30)],
        "bank_card": [synthetic.bank_card_bad_luhn(rng) for _ in range(30)],
    }.get(name, [])
    return values + extra


@pytest.mark.parametrize("name", sorted(lane_module.NATIVE_KINDS))
def test_c_validator_agrees_with_python(scanner: dlp.Scanner, name: str) -> None:
    det = _detector(name)
    assert det.native == name
    kind = lane_module.NATIVE_KINDS[name]
    lane = scanner._lane._native  # type: ignore[union-attr]
    rng = random.Random(f"validators-{name}")
    today = _today.compact()
    decided = 0
    values = _values(rng, name)
    candidates = [ex.text for ex in det.positives] + list(det.negatives)
    for value in values:
        candidates.extend(_mutations(rng, value))
    candidates += ["", "0", "@", "京", "·", "\ufffd" * 7, "京A·12345", "粤B-D12345", "沪AF12345", "京A1234学"]
    for text in candidates:
        got = native.validate(lane, kind, text.encode("utf-8"), today)
        if got is NotImplemented:  # a form the C validator leaves to Python
            continue
        decided += 1
        try:
            want = det.validate(text).encode("utf-8")
        except (dlp.errors.ValidationError, ValueError, IndexError, KeyError):
            want = None
        assert got == want, text
    # the C validator itself decides the forms values are written in (so it is tested)
    assert all(native.validate(lane, kind, v.encode(), today) is not NotImplemented for v in values)
    assert decided > len(values)


def test_dates_in_the_future_are_rejected_as_in_python(scanner: dlp.Scanner) -> None:
    lane = scanner._lane._native  # type: ignore[union-attr]
    rng = random.Random(5)
    number = synthetic.resident_id(rng)
    det = _detector("cn_resident_id")
    for today in ("19000101", number[6:14], "29991231"):
        got = native.validate(lane, lane_module.NATIVE_KINDS["cn_resident_id"], number.encode(), today)
        assert (got is not None) == (number[6:14] <= today)
    assert det.validate(number)  # today's real date: a synthetic birth date lies in the past


# -- masks and fingerprints ----------------------------------------------------------


def test_c_masks_agree_with_python(scanner: dlp.Scanner) -> None:
    lane = scanner._lane._native  # type: ignore[union-attr]
    rng = random.Random(11)
    for det in all_detectors():
        kind, head, tail = lane_module.mask_kind(det)
        if kind == lane_module.MASK_PYTHON:
            continue
        for value in _values(rng, det.name)[:100]:
            try:
                value = det.validate(value)
            except (dlp.errors.ValidationError, ValueError, IndexError, KeyError):
                continue
            assert native.mask(lane, kind, head, tail, value.encode()) == det.mask(value), det.name
    for text in ("", "a", "ab", "京A", "京A1", "京A12345", "1234567"):
        assert native.mask(lane, lane_module.MASK_EDGES, 2, 2, text.encode()) == dlp.detector.edges(2, 2)(
            text
        )


@pytest.mark.parametrize("size", [0, 1, 16, 54, 55, 56, 63, 64, 65, 200])
def test_c_fingerprint_is_the_hmac(size: int) -> None:
    key = bytes(range(size))
    raw = native.Lane(key, [], (0, [], 0), [], (), ((), (), ()), (ValueError,))  # only the key matters
    values = ("13812345678", "京A12345", "zhao@example.com", "", "x" * 55, "x" * 56, "京" * 19, "y" * 200)
    for value in values:  # one padded block up to 55 bytes, the general way past it
        assert native.hmac_hex(raw, value.encode()) == Fingerprinter(key)(value)


# -- policy counts ---------------------------------------------------------------------


def test_tally_counts_like_the_python_tally() -> None:
    rng = random.Random(3)
    ours, theirs = native.Tally(), _Tally()
    policy = Policy()
    line = 1
    for _ in range(3000):
        line += rng.choice((0, 0, 1, 2))
        detector = rng.choice(("cn_mobile", "cn_resident_id", "email"))
        fingerprint = Fingerprinter(KEY)(str(rng.randrange(500)))
        finding = dlp.findings.Finding(
            detector, "p", dlp.findings.Location(0, line), "*", fingerprint, 0.9, dlp.detector.Severity.LOW
        )
        theirs.add(finding, frozenset())
        ours.add(detector, fingerprint, line)
    a = policy.verdict("p", None, ours)
    b = policy.verdict("p", None, theirs)
    assert (a.verdict, dict(a.counts), a.rows) == (b.verdict, dict(b.counts), b.rows)
    assert a.rows > 0 and sum(a.counts.values()) > 0


def test_tally_pickles_and_merges() -> None:
    one, two = native.Tally(), native.Tally()

    def fingerprint(i: int) -> str:
        return Fingerprinter(KEY)(str(i))

    for i in range(100):
        one.add("cn_mobile", fingerprint(i), i)
        one.add("email", fingerprint(i), i)
        two.add("cn_mobile", fingerprint(i + 50), 1000 + i)
    copy = pickle.loads(pickle.dumps(one))
    assert copy.distinct() == one.distinct() == {"cn_mobile": 100, "email": 100}
    copy.merge(two)
    assert copy.distinct() == {"cn_mobile": 150, "email": 100}
    assert copy.found() == {"cn_mobile": 200, "email": 100}
    assert copy.close() == 100  # lines 0-99 hold two kinds each


# -- whole scans ------------------------------------------------------------------------


def _mixed_text(rng: random.Random, lines: int) -> str:
    """Prose lines holding every detector's forms, with and without context words."""
    forms = [ex.text for d in all_detectors() for ex in d.positives] + [
        n for d in all_detectors() for n in d.negatives
    ]
    out = []
    for i in range(lines):
        words = synthetic.prose(rng, rng.randint(0, 60))
        kind = rng.randrange(12)
        if kind == 0:
            out.append(words + rng.choice(forms))
        elif kind == 1:
            out.append(f"{words}手机{synthetic.mobile(rng)}，身份证{synthetic.resident_id(rng)}")
        elif kind == 2:
            out.append(f"{synthetic.resident_id(rng)}{words}{synthetic.plate(rng)}")
        elif kind == 3:
            out.append(f"{words}银行卡号 {synthetic.bank_card(rng)} {synthetic.bank_card(rng)}")
        elif kind == 4:
            out.append(f"{words}{synthetic.email(rng)}.{synthetic.uscc(rng)}")
        elif kind == 5:
            out.append(f"{words}电话{synthetic.landline(rng)[0]}-{rng.randint(1, 999)}")
        elif kind == 6 and i % 50 == 0:
            out.append(f"{words}严禁外传")
        elif kind == 7:
            out.append(f"{words}{rng.choice(['+86 ', '0086-', '(+86)'])}{synthetic.mobile(rng)}")
        elif kind == 8 and i % 40 == 0:
            out.append(f"{words}１３８１２３４５６７８")  # full-width: that window goes the Python way
        elif kind == 9:
            out.append(f"{synthetic.mobile(rng)}{synthetic.mobile(rng)} {synthetic.mobile(rng)}.5 {words}")
        else:
            out.append(words)
    return "\n".join(out) + "\n"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("lane-corpus")
    rng = random.Random(2026)
    (root / "mixed.txt").write_text(_mixed_text(rng, 6000), encoding="utf-8")
    (root / "mixed_gb18030.txt").write_text(_mixed_text(rng, 500), encoding="gb18030")
    (root / "short.txt").write_text("手机 13812345678", encoding="utf-8")
    (root / "empty.txt").write_bytes(b"")
    corpus_module = benchmark_modules.load("corpus")
    corpus_module.make_prose(root / "prose.txt", 400_000, seed=5)
    corpus_module.make_csv(root / "customers.csv", 300_000, seed=5)
    accuracy = benchmark_modules.load("accuracy")
    accuracy.build_corpus(root / "accuracy", seed=13, n_files=40)
    return root


def _report(scanner: dlp.Scanner, paths: list[str], *, stream: bool) -> tuple[bytes, Counter, Counter]:
    reporter = Reporter(ReportSpec(key=KEY))
    rendered, findings, verdicts = [], Counter(), Counter()
    for entry in walk(paths):
        for processed in reporter.scan(scanner, entry, stream=stream):
            assert processed.rendered is not None
            rendered.append(processed.rendered)
            findings.update(processed.summary.findings)
            verdicts.update(processed.summary.verdicts)
    return b"".join(rendered), findings, verdicts


@pytest.mark.parametrize(("stream", "c_scans"), [(False, True), (True, True), (False, False)])
def test_lane_writes_what_python_writes(
    scanner: dlp.Scanner, corpus: Path, stream: bool, c_scans: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``c_scans``: the lane runs Hyperscan itself (linked libhs), else the matches come
    through the hyperscan package's callback into the Collector."""
    if c_scans and not scanner._lane._scans:  # type: ignore[union-attr]
        pytest.skip("dlp._native was built without libhs")
    monkeypatch.setattr(scanner._lane, "_scans", c_scans)
    paths = [str(corpus), str(ROOT / "tests" / "samples")]
    lane_scan = scanner._lane.scan  # type: ignore[union-attr]
    windows: Counter[bool] = Counter()

    def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
        done = lane_scan(*args, **kwargs)
        windows[done] += 1
        return done

    scanner._lane.scan = counted  # type: ignore[union-attr,method-assign]
    try:
        fast = _report(scanner, paths, stream=stream)
    finally:
        del scanner._lane.scan  # type: ignore[union-attr]
    # most windows went through C, and some (full-width digits, new signature
    # literals) the Python way, inside the same inputs
    assert windows[True] > 20 and windows[False] > 3
    lane, scanner._lane = scanner._lane, None  # the Python way
    try:
        assert not scanner.lane_ready
        slow = _report(scanner, paths, stream=stream)
    finally:
        scanner._lane = lane
    assert fast[0].count(b"\n") > 5000
    assert set(fast[1]) >= {d.name for d in all_detectors()} | {"yara:dlp_marker_confidential"}
    assert fast == slow


def test_lane_is_off_where_only_python_can_do_it(tmp_path: Path) -> None:
    base = {"key": KEY, "cache_dir": tmp_path}
    assert not dlp.Scanner(dlp.ScanConfig(reveal=True, **base)).lane_ready
    assert not dlp.Scanner(dlp.ScanConfig(engine="yara", **base)).lane_ready
    scanner = dlp.Scanner(dlp.ScanConfig(**base))
    assert Reporter(ReportSpec(key=KEY)).lane_for(scanner)
    assert not Reporter(ReportSpec(fmt="text", key=KEY)).lane_for(scanner)


def test_c_scan_finds_what_the_hyperscan_package_finds(scanner: dlp.Scanner, corpus: Path) -> None:
    lane = scanner._lane
    assert lane is not None
    if not lane._scans:
        pytest.skip("dlp._native was built without libhs")
    data = (corpus / "mixed.txt").read_bytes()
    for buf in (data, data[:100], data[:2048], data[:2049], data[: 64 * 1024]):
        ours = lane._native.collector()
        lane._native.scan(ours, buf)
        theirs = lane._native.collector()
        lane_module.feed(lane._engine, buf, theirs)
        assert sorted(ours.matches()) == sorted(theirs.matches())
        assert len(buf) < 3000 or len(ours.matches()) > 100
