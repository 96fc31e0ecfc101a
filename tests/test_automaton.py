"""dlp.engine.automaton: the bounded detector patterns as one DFA (the C lane's digit scan).

Three references hold it: Python's ``re`` for the language of each pattern (full
matches of small patterns, and every boundary-delimited match of the shipped
detectors' expressions on look-alike text), and the ``hyperscan`` package for what
the C lane reports from a whole buffer, edges included.
"""

from __future__ import annotations

import random
import re

import pytest

from dlp import synthetic
from dlp.detectors import all_detectors
from dlp.engine import automaton
from dlp.engine.automaton import Automaton, Unsupported, build, leading_byte, parse, split_bounded


def _full(pattern: str) -> Automaton:
    """An automaton whose only match in a newline-free buffer is the whole of it."""
    dfa, taken = build([(7, f"\\n(?:{pattern})\\n")])
    assert taken == [7] and dfa is not None
    return dfa


@pytest.mark.parametrize(
    ("pattern", "alphabet", "members"),
    [
        (r"a{2,3}b?", "ab", ["aab", "aaa"]),
        (r"(0[1-9]|1[0-2])", "0129", ["09", "12"]),
        (r"[^0-9A-Za-z]x", "0aZx -", [" x", "-x"]),
        (r"\(\+?86\)", "()+86", ["(+86)", "(86)"]),
        (r"[\x41-\x43]{1,2}", "ABCD", ["A", "CB"]),
        (r"(?:ab|a)(c|)d", "abcd", ["abd", "acd"]),
        (r"[a\-z]{2}", "az-b", ["a-", "-z"]),
        (r"\d{2}-?\d", "12-a", ["12-1", "221"]),
        (r"..?", "a\t", ["a", "\ta"]),
        (r"1[3-9][0-9][ \-]?[0-9]{4}", "13590 -", ["139 0000", "1390000"]),
        (r"(\+|00|\+00)86[ \-]?1", "+0861 -", ["+86 1", "+00861", "0086-1"]),
    ],
)
def test_parsed_patterns_match_like_re(pattern: str, alphabet: str, members: list[str]) -> None:
    dfa = _full(pattern)
    rng = random.Random(pattern)
    compiled = re.compile(pattern)
    samples = {"".join(rng.choice(alphabet) for _ in range(rng.randint(1, 9))) for _ in range(3000)}
    for member in members:  # and their look-alikes: one character changed or dropped
        samples.add(member)
        for i in range(len(member)):
            samples.add(member[:i] + member[i + 1 :])
            samples.update(member[:i] + c + member[i + 1 :] for c in alphabet)
    samples.discard("")
    for text in samples:
        expected = [(7, 0, len(text))] if compiled.fullmatch(text) else []
        assert dfa.matches(text.encode()) == expected, text
    assert all(dfa.matches(m.encode()) for m in members)


@pytest.mark.parametrize(
    "pattern",
    [
        "a*",
        "a+",
        "a{2,}",
        "a??",
        "^a",
        "a$",
        r"\b1",
        r"(a)\1",
        "(?=a)b",
        "(?i)a",
        "[]a]",
        r"\w",
        "é",
        "(a",
        "a{3,2}",
    ],
)
def test_what_it_cannot_read_stays_with_hyperscan(pattern: str) -> None:
    with pytest.raises(Unsupported):
        split_bounded(f"\\n(?:{pattern})\\n")
    dfa, taken = build([(1, f"\\n(?:{pattern})\\n"), (2, "\\n(?:b)\\n")])
    assert taken == [2] and dfa is not None and dfa.ids == (2,)


def test_shape_and_length_limits() -> None:
    with pytest.raises(Unsupported):
        split_bounded("(?:ab)\\n")  # no leading boundary byte
    with pytest.raises(Unsupported):
        split_bounded(f"\\n(?:a{{{automaton.MAX_VALUE + 1}}})\\n")
    assert split_bounded(f"\\n(?:a{{{automaton.MAX_VALUE}}})\\n")[0] == 1 << 0x0A
    assert build([(0, "(?:@[a-z]+)\\n")]) == (None, [])
    assert parse("[^a]") == ("cat", [("set", automaton.ALL & ~(1 << ord("a")))])


def test_the_leading_byte_of_a_pattern() -> None:
    email = r"(?:@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,24})[^0-9A-Za-z]"
    assert leading_byte(email) == ord("@")  # the trailing byte may be an "@" too
    assert leading_byte(r"(?:@[a-z@]+)[^a-z]") is None  # a second "@" inside
    assert leading_byte(r"[^0-9](?:1[0-9])[^0-9]") is None  # starts with a class
    assert leading_byte(r"(?:(@|#)a)\n") is None
    assert leading_byte(r"(?:@a)") is None  # no trailing byte
    assert leading_byte(r"(?:@a(?=b))\n") is None  # unreadable


# -- the shipped detectors' expressions --------------------------------------------


def _bounded_expressions() -> list[tuple[int, str]]:
    from dlp.engine.candidates import _bounded

    out = []
    for det in all_detectors():
        if det.extend_left or det.char_patterns:
            continue
        out.extend((len(out), _bounded(det, p).decode()) for p in det.patterns)
    return out


def _look_alikes(rng: random.Random) -> bytes:
    """Values of every digit detector, cut, joined and spaced the ways lists are."""
    values = [
        synthetic.mobile(rng),
        synthetic.resident_id(rng),
        synthetic.landline(rng)[0],
        synthetic.uscc(rng),
        synthetic.bank_card(rng),
        synthetic.resident_id(rng)[:6] + synthetic.resident_id(rng)[8:17],
        "(0" + str(rng.randint(10, 999)) + ")" + str(rng.randint(2_000_000, 99_999_999)),
        synthetic.email(rng),
        rng.choice(["a@b.cc@d.ee", "@@x.com", "x@a.bb.cc.dd.", "@-.io", "q@w.e.rt-y.uk@"]),
        rng.choice(["+86", "0086", "+0086", "(+86)", "(86)"])
        + rng.choice(["", " ", "-"])
        + synthetic.mobile(rng),
    ]
    parts = []
    for _ in range(rng.randint(1, 4)):
        value = rng.choice(values)
        if rng.random() < 0.4:  # separators inside
            cut = sorted(rng.sample(range(1, len(value)), k=min(3, len(value) - 1)))
            value = "".join(
                value[a:b] + rng.choice(" -") for a, b in zip([0, *cut], [*cut, len(value)], strict=True)
            )[:-1]
        if rng.random() < 0.2:  # cut short or run on
            value = value[: rng.randint(1, len(value))] + "".join(
                rng.choice("0123456789xX") for _ in range(2)
            )
        parts.append(value)
        parts.append(rng.choice(["", " ", ",", "-", "a", "号", "\t", "(", ")", "+"]))
    return "".join(parts).encode()


def _reference(expressions: list[tuple[int, str]], data: bytes) -> list[tuple[int, int, int]]:
    """Hyperscan's reports in a newline-sentinel buffer, by ``re``: per pattern and end
    of a match, the leftmost start (as value offsets into ``data``)."""
    buf = b"\n" + data + b"\n"
    found = []
    for ident, text in expressions:
        compiled = re.compile(text.encode(), re.DOTALL)
        for end in range(2, len(buf) + 1):
            start = next((s for s in range(end - 1) if compiled.fullmatch(buf, s, end)), None)
            if start is not None:
                found.append((ident, start, end - 2))
    return sorted(found)


def test_detector_expressions_match_like_re() -> None:
    expressions = _bounded_expressions()
    dfa, taken = build(expressions)
    assert dfa is not None and len(taken) >= 10  # every digit detector's patterns
    readable = [(i, t) for i, t in expressions if i in taken]
    rng = random.Random(2026)
    total = 0
    for _ in range(150):
        data = _look_alikes(rng)
        ours = sorted(dfa.matches(data))
        assert ours == _reference(readable, data), data
        total += len(ours)
    assert total > 100


# -- the C lane against the hyperscan package ---------------------------------------


def test_the_c_lane_reports_what_hyperscan_reports(tmp_path) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip("dlp._native", reason="the C extension is not built here (.ci/run builds it)")
    import dlp
    from dlp.engine import lane as lane_module
    from dlp.engine.candidates import EDGE

    scanner = dlp.Scanner(dlp.ScanConfig(key=b"automaton-test-key-0123", cache_dir=tmp_path))
    lane = scanner._lane
    if lane is None or not lane._scans:
        pytest.skip("the C lane does not scan itself here (no libhs)")
    assert len(lane.automaton_ids) >= 10
    assert lane.anchored_ids  # e-mail domains: their start is found from the "@"
    rng = random.Random(7)
    for size in [0, 1, 17, 2 * EDGE - 3, 2 * EDGE, 2 * EDGE + 1, 3 * EDGE + 5, 20_000]:
        data = b""
        while len(data) < size:
            data += _look_alikes(rng)
        data = data[:size]
        ours = lane._native.collector()
        lane._native.scan(ours, data)
        theirs = lane._native.collector()
        lane_module.feed(lane._engine, data, theirs)
        assert sorted(ours.matches()) == sorted(theirs.matches()), size
        assert size < 1000 or sum(i in lane.automaton_ids for i, _, _ in ours.matches()) > 20
        assert size < 1000 or sum(i in lane.anchored_ids for i, _, _ in ours.matches()) > 5


def test_a_value_at_the_buffer_start_is_reported_once(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """``+0086 ...`` at data[0]: the in-place scan also sees ``0086 ...`` after the ``+``
    (same pattern, same end); as in a sentinel buffer, only the leftmost start counts."""
    import dlp
    from dlp.engine.candidates import EDGE, HyperscanCandidates

    scanner = dlp.Scanner(dlp.ScanConfig(key=b"automaton-test-key-0123", cache_dir=tmp_path))
    engine = scanner._matcher.candidate_engine
    if not isinstance(engine, HyperscanCandidates):
        pytest.skip("the hyperscan package is not installed here")
    data = b"+0086 13812345678 " + b"x" * (3 * EDGE)
    plus = [
        i for i, name in enumerate(engine._names) if name == "cn_mobile" and b"00)86" in engine.expressions[i]
    ]
    hits = [(i, s, e) for i, s, e in engine._scan(engine._db, data) if i in plus]
    assert hits == [(plus[0], 0, len("+0086 13812345678") + 2)]
    lane = scanner._lane
    if lane is not None and lane._scans:
        collector = lane._native.collector()
        lane._native.scan(collector, data)
        assert [m for m in collector.matches() if m[0] in plus] == hits
