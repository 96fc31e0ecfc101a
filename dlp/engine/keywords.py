"""Context keywords: one multi-literal matcher over all keyword lists.

The Aho-Corasick automaton (pyahocorasick) runs over the UTF-8 bytes of a chunk
viewed as Latin-1 text, so positions are byte offsets and nothing is decoded;
ASCII keywords match case-insensitively because the chunk is lower-cased first
(ASCII bytes only), and only as whole words (no ASCII letter right before or
after them). Where the Hyperscan engine is in use, the same keywords go into a
Hyperscan literal database instead (caseless, same word rule), which needs
neither the lower-cased copy nor the decode; both give the same positions
(``tests/test_keywords.py``).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping
from importlib.resources import files
from pathlib import Path

import ahocorasick


def load_keyword_lists() -> dict[str, tuple[str, ...]]:
    """Category name -> keywords, from ``dlp.signatures/keywords/*.txt``."""
    lists: dict[str, tuple[str, ...]] = {}
    for entry in files("dlp.signatures").joinpath("keywords").iterdir():
        if not entry.name.endswith(".txt"):
            continue
        words = []
        for raw in entry.read_text(encoding="utf-8").splitlines():
            word = raw.strip()
            if word and not word.startswith("#"):
                words.append(word)
        lists[entry.name[:-4]] = tuple(words)
    return lists


_LETTERS = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")


class KeywordIndex:
    """Finds keyword categories near a position. Immutable after construction.

    ``engine``: ``"ahocorasick"`` (everywhere) or ``"hyperscan"`` (when installed).
    """

    def __init__(
        self,
        lists: Mapping[str, tuple[str, ...]],
        engine: str = "ahocorasick",
        cache_dir: Path | None = None,
    ) -> None:
        by_key: dict[str, set[str]] = {}
        for category, words in lists.items():
            for word in words:
                key = word.lower().encode("utf-8").decode("latin-1")
                by_key.setdefault(key, set()).add(category)
        # ASCII keywords are words: "card" must not match inside "discard".
        self._entries = [(len(key), tuple(sorted(cats)), key.isascii()) for key, cats in by_key.items()]
        self._keys = list(by_key)
        self._empty = not by_key
        self._hyperscan = None
        self._automaton = None
        if self._empty:
            pass
        elif engine == "hyperscan":
            self._hyperscan = _literal_database([k.encode("latin-1") for k in self._keys], cache_dir)
        else:
            automaton = ahocorasick.Automaton()
            for key, entry in zip(self._keys, self._entries, strict=True):
                automaton.add_word(key, entry)
            automaton.make_automaton()
            self._automaton = automaton
        self.categories = frozenset(lists)

    def find(self, buf: bytes) -> dict[str, list[int]]:
        """Category -> sorted start offsets of its keywords in ``buf``."""
        return self.find_in(buf, [(0, len(buf))])

    def find_in(self, buf: bytes, windows: list[tuple[int, int]]) -> dict[str, list[int]]:
        """Like :meth:`find`, looking only inside sorted, disjoint ``windows`` of ``buf``.

        The windows are joined (NUL-separated: no keyword holds a NUL) and searched
        in one pass, so many small windows cost one call, not one each.
        """
        hits: dict[str, list[int]] = {}
        if self._empty or not windows:
            return hits
        if len(windows) == 1:
            low, high = windows[0]
            text = buf[low:high]
            bases, lows = [0], [low]
        else:
            text = b"\0".join([buf[low:high] for low, high in windows])
            bases, lows = [], []
            base = 0
            for low, high in windows:
                bases.append(base)
                lows.append(low)
                base += high - low + 1
        size = len(buf)
        single = len(bases) == 1
        for at, (length, categories, word) in self._matches(text):
            i = 0 if single else bisect_right(bases, at) - 1
            start = lows[i] + at - bases[i]
            if word and (
                (start > 0 and buf[start - 1] in _LETTERS)
                or (start + length < size and buf[start + length] in _LETTERS)
            ):
                continue
            for category in categories:
                hits.setdefault(category, []).append(start)
        for positions in hits.values():
            positions.sort()
        return hits

    def _matches(self, text: bytes) -> list[tuple[int, tuple[int, tuple[str, ...], bool]]]:
        """(start in ``text``, entry) for every keyword occurrence."""
        if self._hyperscan is not None:
            entries = self._entries
            found: list[tuple[int, tuple[int, tuple[str, ...], bool]]] = []
            append = found.append

            def on_match(ident: int, start: int, end: int, flags: int, context: object) -> None:
                entry = entries[ident]
                append((end - entry[0], entry))

            self._hyperscan.scan(text, on_match)
            return found
        assert self._automaton is not None
        return [
            (end - entry[0] + 1, entry) for end, entry in self._automaton.iter(text.lower().decode("latin-1"))
        ]

    @property
    def longest(self) -> int:
        """Length in bytes of the longest keyword."""
        return max((len(k) for k in self._keys), default=0)


def _literal_database(keys: list[bytes], cache_dir: Path | None):  # type: ignore[no-untyped-def]
    """A Hyperscan block database of caseless literals (ids = positions in ``keys``)."""
    import hyperscan

    from dlp.engine.candidates import _Database, _literal

    flags = [hyperscan.HS_FLAG_CASELESS] * len(keys)
    return _Database([_literal(k) for k in keys], flags, cache_dir)


def merge(spans: list[tuple[int, int]], low: int, high: int) -> list[tuple[int, int]]:
    """Sorted spans widened by ``low``/``high`` bytes, overlapping ones merged."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        a, b = max(0, start - low), end + high
        if merged and a <= merged[-1][1]:
            if b > merged[-1][1]:
                merged[-1] = (merged[-1][0], b)
        else:
            merged.append((a, b))
    return merged
