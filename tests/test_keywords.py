"""Context keywords: the Aho-Corasick and Hyperscan matchers give the same positions."""

from __future__ import annotations

import importlib.util
import random
from pathlib import Path

import pytest

from dlp.engine.keywords import KeywordIndex, load_keyword_lists

LISTS = load_keyword_lists()


def _index(engine: str, tmp_path: Path) -> KeywordIndex:
    return KeywordIndex(LISTS, engine, tmp_path)


def test_ascii_keywords_are_caseless_whole_words(tmp_path: Path) -> None:
    index = _index("ahocorasick", tmp_path)
    assert index.find(b"Card No: 1") == {"bank": [0, 0]}  # "card" and "card no"
    assert "bank" not in index.find(b"discard 1")
    assert index.find("手机号码".encode()) == {"phone": [0, 0, 0, 6]}


@pytest.mark.skipif(importlib.util.find_spec("hyperscan") is None, reason="hyperscan is not installed here")
def test_hyperscan_matches_ahocorasick(tmp_path: Path) -> None:
    slow, fast = _index("ahocorasick", tmp_path), _index("hyperscan", tmp_path)
    words = [w for ws in LISTS.values() for w in ws]
    filler = ["，", "a", "Z", " ", "的", "x1", "\n", "客", "号"]
    rng = random.Random(11)
    for _ in range(200):
        parts = []
        for _ in range(rng.randint(1, 40)):
            word = rng.choice(words + filler)
            parts.append(word.upper() if rng.random() < 0.2 else word)
        buf = "".join(parts).encode("utf-8")
        assert fast.find(buf) == slow.find(buf), buf
        cut = sorted(rng.randint(0, len(buf)) for _ in range(4))
        windows = [(cut[0], cut[1]), (cut[2], cut[3])] if cut[1] < cut[2] else [(cut[0], cut[3])]
        assert fast.find_in(buf, windows) == slow.find_in(buf, windows), (buf, windows)
