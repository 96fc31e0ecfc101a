"""Candidate finding and the whole match step over 4 MiB buffers, per candidate engine.

``test_find_*`` times the candidate engine alone (Hyperscan or YARA: where the
detector patterns match); ``test_match_*`` times :meth:`Matcher.match`, which adds
boundary checks, validation, overlap resolution and context keywords. The prose
buffer has a value about every 2 KB, the CSV five or six per row.
"""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

from dlp.detectors import select
from dlp.engine.keywords import load_keyword_lists
from dlp.engine.matcher import Matcher
from dlp.engine.rules import signature_files

try:
    from dlp.engine.candidates import hyperscan_available, make_engine
except ImportError:  # an engine without pluggable candidate backends
    make_engine = None  # type: ignore[assignment]

    def hyperscan_available() -> bool:
        return False


ROUNDS = 5
ENGINES = ["yara", "hyperscan"] if "engine" in inspect.signature(Matcher).parameters else ["default"]


def _needs(engine: str) -> None:
    if engine == "hyperscan" and not hyperscan_available():
        pytest.skip("hyperscan is not installed")


@pytest.fixture(scope="module", params=ENGINES)
def matcher(request: pytest.FixtureRequest, cache_dir: Path) -> Matcher:
    _needs(request.param)
    extra = {} if request.param == "default" else {"engine": request.param}
    return Matcher(
        select(), signature_files(()), load_keyword_lists(), timeout=60, cache_dir=cache_dir, **extra
    )


@pytest.fixture(scope="module", params=[e for e in ENGINES if e != "default"] or ["none"])
def engine(request: pytest.FixtureRequest, cache_dir: Path):  # type: ignore[no-untyped-def]
    if make_engine is None:
        pytest.skip("no pluggable candidate engine in this version")
    _needs(request.param)
    detectors = select()
    lists = load_keyword_lists()
    gated = [d for d in detectors if d.requires_context]
    gates = {c: lists[c] for c in sorted({c for d in gated for c in d.context if c in lists})}
    ungated = [d for d in detectors if not d.requires_context]
    signatures = signature_files(())
    return make_engine(request.param, ungated, gated, gates, signatures, timeout=60, cache_dir=cache_dir)


def _header(matcher: Matcher, buf: bytes) -> frozenset[str]:
    return matcher.header_context(buf[: buf.find(b"\n")])


def test_find_prose(benchmark, engine, prose_buffer: bytes) -> None:  # type: ignore[no-untyped-def]
    found = benchmark.pedantic(engine.find, (prose_buffer,), rounds=ROUNDS, warmup_rounds=1)
    assert found[0]


def test_find_csv(benchmark, engine, csv_buffer: bytes) -> None:  # type: ignore[no-untyped-def]
    found = benchmark.pedantic(engine.find, (csv_buffer,), rounds=ROUNDS, warmup_rounds=1)
    assert found[0]


def test_match_prose(benchmark, matcher: Matcher, prose_buffer: bytes) -> None:  # type: ignore[no-untyped-def]
    hits, _ = benchmark.pedantic(matcher.match, (prose_buffer,), rounds=ROUNDS, warmup_rounds=1)
    benchmark.extra_info["hits"] = len(hits)
    assert hits


def test_match_csv(benchmark, matcher: Matcher, csv_buffer: bytes) -> None:  # type: ignore[no-untyped-def]
    header = _header(matcher, csv_buffer)
    hits, _ = benchmark.pedantic(
        matcher.match, (csv_buffer,), {"header": header}, rounds=ROUNDS, warmup_rounds=1
    )
    benchmark.extra_info["hits"] = len(hits)
    assert hits


@pytest.fixture(scope="module")
def lane(cache_dir: Path):  # type: ignore[no-untyped-def]
    """The C lane's candidate scan: the bounded detector patterns as one DFA
    (:mod:`dlp.engine.automaton`), the rest in Hyperscan."""
    try:
        import dlp
        from dlp.engine.lane import Lane
    except ImportError:
        pytest.skip("no C lane in this version")
    scanner = dlp.Scanner(dlp.ScanConfig(key=b"bench-lane-key-0123456789", cache_dir=cache_dir))
    built = scanner._lane
    if not isinstance(built, Lane) or not built._scans or not getattr(built, "automaton_ids", None):
        pytest.skip("the C lane does not run its own candidate scan here")
    return built


def _lane_scan(lane, buf: bytes) -> int:  # type: ignore[no-untyped-def]
    collector = lane._native.collector()
    lane._native.scan(collector, buf)
    return len(collector.matches())


def test_lane_scan_prose(benchmark, lane, prose_buffer: bytes) -> None:  # type: ignore[no-untyped-def]
    found = benchmark.pedantic(_lane_scan, (lane, prose_buffer), rounds=ROUNDS, warmup_rounds=1)
    benchmark.extra_info["matches"] = found
    assert found


def test_lane_scan_csv(benchmark, lane, csv_buffer: bytes) -> None:  # type: ignore[no-untyped-def]
    found = benchmark.pedantic(_lane_scan, (lane, csv_buffer), rounds=ROUNDS, warmup_rounds=1)
    benchmark.extra_info["matches"] = found
    assert found
