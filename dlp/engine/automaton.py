"""The bounded detector patterns as one deterministic automaton (the C lane's digit scan).

On a dense customer list nearly every byte is a digit, and Hyperscan ran each digit
pattern as its own automaton over every byte: about 40 % of a scan went there. The
patterns all have the same shape (a boundary byte, a value of at most a few dozen
bytes, a boundary byte), so they fit one small DFA that the C lane runs from each
place a value can start. It reports exactly what Hyperscan reports for the same
expressions: for each pattern and end of a value, the leftmost start.

:func:`build` takes the Hyperscan expressions of :class:`dlp.engine.candidates.HyperscanCandidates`
(``lead(?:body)trail``, with ``lead`` and ``trail`` single-byte classes) and compiles
those it can read: literals, ``\\xNN`` and punctuation escapes, ``\\d``, ``.``, byte
classes, groups with ``|`` and the bounded quantifiers ``?``, ``{m}`` and ``{m,n}``.
A pattern with anything else (anchors, ``\\b``, back-references, look-arounds, flags
other than start-of-match), unbounded repetition or a value longer than
:data:`MAX_VALUE` bytes stays in Hyperscan. :meth:`Automaton.matches` runs the tables
in Python, as the C code (``dlp/_automaton.c``) does, for tests.

:func:`leading_byte` reads the same syntax (unbounded repetition included) for the
patterns left to Hyperscan: one whose match begins with the only byte of its kind in
it (the ``@`` of an e-mail domain) is compiled without start-of-match tracking, and
the lane finds the start itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

MAX_VALUE = 63
"""Longest value (bytes between the boundary bytes) a pattern may match; the C side's
leftmost-start bookkeeping relies on it."""
MAX_PATTERNS = 64
MAX_STATES = 8192
ALL = (1 << 256) - 1
SENTINEL = 0x0A
"""The byte before and after the buffer (as Hyperscan's sentinel scans see it)."""


class Unsupported(ValueError):
    """A pattern (or a set of them) the automaton does not take."""


# ------------------------------------------------------------------- parsing
# A node is ("set", bytes-mask) | ("cat", [nodes]) | ("alt", [nodes]) | ("rep", node, min, max);
# a bytes-mask is an int with bit b set when byte b belongs to the set.

_DIGITS = sum(1 << b for b in range(0x30, 0x3A))
_SIMPLE_ESCAPES = {"n": 0x0A, "t": 0x09, "r": 0x0D, "f": 0x0C, "v": 0x0B}


class _Parser:
    def __init__(self, text: str) -> None:
        if not text.isascii():
            raise Unsupported("non-ASCII pattern text")
        self.s = text
        self.i = 0

    def peek(self) -> str:
        return self.s[self.i] if self.i < len(self.s) else ""

    def take(self) -> str:
        char = self.peek()
        if not char:
            raise Unsupported("pattern ends early")
        self.i += 1
        return char

    def parse(self) -> tuple:
        node = self.alternation()
        if self.i != len(self.s):
            raise Unsupported(f"unexpected {self.peek()!r}")
        return node

    def alternation(self) -> tuple:
        branches = [self.concatenation()]
        while self.peek() == "|":
            self.i += 1
            branches.append(self.concatenation())
        return branches[0] if len(branches) == 1 else ("alt", branches)

    def concatenation(self) -> tuple:
        items = []
        while self.peek() not in ("", "|", ")"):
            items.append(self.repetition())
        return ("cat", items)

    def repetition(self) -> tuple:
        node = self.atom()
        while True:
            char = self.peek()
            if char == "?":
                self.i += 1
                node = ("rep", node, 0, 1)
            elif char == "{":
                low, high = self.bounds()
                node = ("rep", node, low, high)
            elif char in ("*", "+"):
                self.i += 1
                node = ("rep", node, int(char == "+"), None)
            else:
                return node
            if self.peek() in ("?", "+"):  # lazy or possessive forms
                raise Unsupported("lazy or possessive quantifier")

    def bounds(self) -> tuple[int, int | None]:
        end = self.s.find("}", self.i)
        if end < 0:
            raise Unsupported("unclosed {")
        body = self.s[self.i + 1 : end]
        low, comma, high = body.partition(",")
        if not low.isdigit() or (comma and high and not high.isdigit()):
            raise Unsupported(f"repetition {{{body}}}")
        self.i = end + 1
        low_n = int(low)
        if comma and not high:
            return low_n, None
        high_n = int(high) if comma else low_n
        if high_n < low_n:
            raise Unsupported(f"repetition {{{body}}}")
        return low_n, high_n

    def atom(self) -> tuple:
        char = self.take()
        if char == "(":
            if self.s.startswith("?:", self.i):
                self.i += 2
            elif self.peek() == "?":
                raise Unsupported("group flags or look-around")
            node = self.alternation()
            if self.take() != ")":
                raise Unsupported("unclosed group")
            return node
        if char == "[":
            return ("set", self.byte_class())
        if char == "\\":
            return ("set", self.escape())
        if char == ".":
            return ("set", ALL & ~(1 << SENTINEL))
        if char in "^$)|*+?{":
            raise Unsupported(f"{char!r} out of place")
        return ("set", 1 << ord(char))

    def escape(self) -> int:
        char = self.take()
        if char == "x":
            digits = self.s[self.i : self.i + 2]
            if len(digits) != 2 or any(c not in "0123456789abcdefABCDEF" for c in digits):
                raise Unsupported("bad \\x escape")
            self.i += 2
            return 1 << int(digits, 16)
        if char == "d":
            return _DIGITS
        if char in _SIMPLE_ESCAPES:
            return 1 << _SIMPLE_ESCAPES[char]
        if char.isalnum():
            raise Unsupported(f"escape \\{char}")
        return 1 << ord(char)

    def class_item(self) -> tuple[int, int | None]:
        """(mask, the single byte it stands for or None)."""
        char = self.take()
        if char == "\\":
            mask = self.escape()
            return mask, (mask.bit_length() - 1 if mask & (mask - 1) == 0 else None)
        if char == "[":
            raise Unsupported("nested class")
        return 1 << ord(char), ord(char)

    def byte_class(self) -> int:
        negate = self.peek() == "^"
        if negate:
            self.i += 1
        if self.peek() == "]":
            raise Unsupported("empty class or leading ]")
        mask = 0
        while self.peek() != "]":
            item, single = self.class_item()
            if self.peek() == "-" and self.s[self.i + 1 : self.i + 2] not in ("]", ""):
                self.i += 1
                _, last = self.class_item()
                if single is None or last is None or last < single:
                    raise Unsupported("bad class range")
                item = sum(1 << b for b in range(single, last + 1))
            mask |= item
        self.i += 1
        return ALL & ~mask if negate else mask


def parse(text: str) -> tuple:
    """The syntax tree of ``text`` (raises :class:`Unsupported`)."""
    return _Parser(text).parse()


UNBOUNDED = 1 << 30


def _length(node: tuple) -> tuple[int, int]:
    """(shortest, longest) byte length ``node`` matches (longest at most ``UNBOUNDED``)."""
    kind = node[0]
    if kind == "set":
        return 1, 1
    if kind == "rep":
        low, high = _length(node[1])
        most = UNBOUNDED if node[3] is None else high * node[3]
        return low * node[2], min(most, UNBOUNDED)
    spans = [_length(n) for n in node[1]]
    if kind == "cat":
        return sum(s[0] for s in spans), sum(s[1] for s in spans)
    return min(s[0] for s in spans), max(s[1] for s in spans)


def _sets(node: tuple) -> list[int]:
    if node[0] == "set":
        return [node[1]]
    if node[0] == "rep":
        return _sets(node[1])
    return [mask for item in node[1] for mask in _sets(item)]


def leading_byte(text: str) -> int | None:
    """The byte a ``(?:body)trail`` expression's match starts with, when it is one byte
    that occurs nowhere else in the body (``@`` of an e-mail domain), else None.

    The start of such a match is the last occurrence of that byte before its trailing
    byte, so Hyperscan need not track where matches start (which costs it twice the
    time on this pattern)."""
    try:
        node = parse(text)
    except Unsupported:
        return None
    items = node[1] if node[0] == "cat" else [node]
    if len(items) < 2 or items[-1][0] != "set":
        return None
    body = ("cat", items[:-1])
    first = body
    while first[0] == "cat" and first[1]:
        first = first[1][0]
    if first[0] != "set" or first[1] & (first[1] - 1) or not first[1]:
        return None
    byte = first[1].bit_length() - 1
    if sum(mask >> byte & 1 for mask in _sets(body)) != 1:
        return None
    return byte


def split_bounded(text: str) -> tuple[int, tuple, int]:
    """(lead mask, body, trail mask) of a ``lead(?:body)trail`` expression."""
    node = parse(text)
    items = node[1] if node[0] == "cat" else [node]
    if len(items) < 3 or items[0][0] != "set" or items[-1][0] != "set":
        raise Unsupported("not a boundary byte, a value and a boundary byte")
    body = ("cat", items[1:-1])
    shortest, longest = _length(body)
    if shortest < 1 or longest > MAX_VALUE:
        raise Unsupported(f"values of {shortest} to {longest} bytes")
    return items[0][1], body, items[-1][1]


# ------------------------------------------------------------- construction


class _Nfa:
    """Thompson construction: ``edges[s]`` is a list of (mask, target); ``eps[s]`` targets."""

    def __init__(self) -> None:
        self.edges: list[list[tuple[int, int]]] = []
        self.eps: list[list[int]] = []

    def state(self) -> int:
        self.edges.append([])
        self.eps.append([])
        return len(self.edges) - 1

    def add(self, node: tuple, start: int) -> int:
        """Wire ``node`` from ``start``; return its end state."""
        kind = node[0]
        if kind == "set":
            end = self.state()
            self.edges[start].append((node[1], end))
            return end
        if kind == "cat":
            for item in node[1]:
                start = self.add(item, start)
            return start
        if kind == "alt":
            end = self.state()
            for branch in node[1]:
                self.eps[self.add(branch, start)].append(end)
            return end
        _, inner, low, high = node
        for _ in range(low):
            start = self.add(inner, start)
        exits = [start]
        for _ in range(high - low):
            start = self.add(inner, start)
            exits.append(start)
        end = self.state()
        for state in exits:
            self.eps[state].append(end)
        return end

    def closure(self, states: frozenset[int] | set[int]) -> frozenset[int]:
        seen = set(states)
        stack = list(states)
        while stack:
            for nxt in self.eps[stack.pop()]:
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
        return frozenset(seen)


@dataclass(frozen=True)
class Automaton:
    """The DFA tables the C lane runs (state 0 is dead, state 1 the start)."""

    ids: tuple[int, ...]
    """Hyperscan expression id of each pattern (bit i of a mask stands for ``ids[i]``)."""
    classes: bytes
    """Byte -> input class."""
    nclasses: int
    transitions: tuple[int, ...]
    """``transitions[state * nclasses + class]``: the next state."""
    accepts: tuple[int, ...]
    """Per state: the patterns whose value may end there."""
    leads: tuple[int, ...]
    """Per byte: the patterns whose value may start right after it."""
    trails: tuple[int, ...]
    """Per byte: the patterns whose value may end right before it."""

    def matches(self, data: bytes) -> list[tuple[int, int, int]]:
        """(expression id, value start, value end) as the C side reports them: by start,
        then end, then pattern; each (pattern, end) once, with its leftmost start."""
        found = []
        seen: set[tuple[int, int]] = set()
        size = len(data)
        for start in range(size):
            allowed = self.leads[data[start - 1] if start else SENTINEL]
            if not allowed:
                continue
            state = 1
            pos = start
            while True:
                ending = self.accepts[state] & allowed
                if ending:
                    ending &= self.trails[data[pos] if pos < size else SENTINEL]
                    for bit in range(len(self.ids)):
                        if ending >> bit & 1 and (bit, pos) not in seen:
                            seen.add((bit, pos))
                            found.append((self.ids[bit], start, pos))
                if pos == size:
                    break
                state = self.transitions[state * self.nclasses + self.classes[data[pos]]]
                if not state:
                    break
                pos += 1
        return found


def _classes(masks: Sequence[int]) -> tuple[bytes, int]:
    """Bytes that no mask tells apart share a class."""
    index: dict[tuple[bool, ...], int] = {}
    out = bytearray(256)
    for b in range(256):
        signature = tuple(bool(m >> b & 1) for m in masks)
        out[b] = index.setdefault(signature, len(index))
    return bytes(out), len(index)


def build(expressions: Sequence[tuple[int, str]]) -> tuple[Automaton | None, list[int]]:
    """The automaton of the ``(id, expression)`` pairs it can take, and those ids.

    Expressions it cannot read are left out (they stay in Hyperscan); when the
    patterns together would need more than :data:`MAX_STATES` states, none is taken.
    """
    nfa = _Nfa()
    ids: list[int] = []
    finals: dict[int, int] = {}  # NFA final state -> pattern bit
    starts: list[int] = []
    leads = [0] * 256
    trails = [0] * 256
    for ident, text in expressions:
        if len(ids) == MAX_PATTERNS:
            break
        try:
            lead, body, trail = split_bounded(text)
        except Unsupported:
            continue
        bit = len(ids)
        ids.append(ident)
        start = nfa.state()
        starts.append(start)
        finals[nfa.add(body, start)] = bit
        for b in range(256):
            leads[b] |= (lead >> b & 1) << bit
            trails[b] |= (trail >> b & 1) << bit
    if not ids:
        return None, []
    masks = sorted({mask for edges in nfa.edges for mask, _ in edges})
    classes, nclasses = _classes(masks)
    representative = [classes.index(c) for c in range(nclasses)]  # a byte of each class
    dead: frozenset[int] = frozenset()
    first = nfa.closure(set(starts))
    number = {dead: 0, first: 1}
    order = [dead, first]
    transitions: list[int] = [0] * nclasses
    accepts = [0]
    i = 1
    while i < len(order):
        current = order[i]
        accepts.append(sum(1 << finals[s] for s in current if s in finals))
        for c in range(nclasses):
            b = representative[c]
            moved = {target for s in current for mask, target in nfa.edges[s] if mask >> b & 1}
            nxt = nfa.closure(moved) if moved else dead
            if nxt not in number:
                if len(order) == MAX_STATES:
                    return None, []
                number[nxt] = len(order)
                order.append(nxt)
            transitions.append(number[nxt])
        i += 1
    automaton = Automaton(
        tuple(ids), classes, nclasses, tuple(transitions), tuple(accepts), tuple(leads), tuple(trails)
    )
    return automaton, ids
