"""Literal triggers for signature rules, so YARA runs only where it can match.

YARA walks every byte of a chunk through its Aho-Corasick automaton. On Chinese
text nearly every byte is a CJK lead or continuation byte that enters the
automaton, so even a handful of signature rules cost as much as the whole
candidate pass. Most signature rules, though, are a list of text strings and a
condition such as ``any of them``: such a rule cannot match a chunk that holds
none of its strings. This module reads a rule file's source and, when every rule
in it is of that kind, returns each rule's strings as literal *triggers*; the native
core looks for them in the same pass as the detector patterns, and YARA runs on a
chunk only when a trigger of a rule not yet reported for the input occurs.

The reading is deliberately conservative. A file is prefiltered only when:

* it has no ``import``/``include`` and no ``global`` rule;
* every string is a text string (``"..."``) with no modifiers but ``ascii``,
  ``wide``, ``nocase``, ``fullword`` and ``private`` (hex and regex strings, ``xor``
  and ``base64`` have no literal to look for);
* every condition is built from string references (``$a``, ``$a*``, ``them``),
  ``and``, ``or``, parentheses and ``any``/``all``/``N of`` with N at least 1.
  Such a condition is false when no string occurs. Counts, offsets, ``filesize``,
  ``not``, module calls, references to other rules: the file runs unfiltered.

Anything else, and anything this reader does not understand, leaves the file
out (``None``): YARA then runs it on every chunk, exactly as before.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_COMMENT_OR_STRING = re.compile(r'//[^\n]*|/\*.*?\*/|"(?:\\.|[^"\\\n])*"', re.DOTALL)
_RULE = re.compile(
    r"(?P<mods>(?:\b(?:private|global)\s+)*)\brule\s+(?P<name>[A-Za-z_]\w*)"
    r"(?:\s*:\s*[\w\s]*?)?\s*\{(?P<body>.*?)\n?\s*\}(?=\s*(?:$|rule\b|private\b|global\b))",
    re.DOTALL,
)
_SECTION = re.compile(r"\b(meta|strings|condition)\s*:")
_DEFINITION = re.compile(r"\$\w*\s*=")
_STRING = re.compile(r'\s*\$\w*\s*=\s*"(?P<text>(?:\\.|[^"\\])*)"(?P<mods>[\w\s]*)')
_MODIFIERS = frozenset({"ascii", "wide", "nocase", "fullword", "private"})
_TOKEN = re.compile(r"\s*(\$\w*\*?|\(|\)|,|\d+|[A-Za-z_]\w*)")
_WORDS = frozenset({"and", "or", "any", "all", "of", "them"})
_ESCAPES = {"n": b"\n", "t": b"\t", "r": b"\r", '"': b'"', "\\": b"\\"}


@dataclass(frozen=True, slots=True)
class Trigger:
    """A literal that must occur for ``rule`` to match (``caseless``: ASCII letters)."""

    rule: str
    literal: bytes
    caseless: bool


def triggers(source: str) -> tuple[Trigger, ...] | None:
    """The triggers of every rule in a rule file, or None when it cannot be prefiltered."""
    masked = _mask_strings_and_comments(source)
    if re.search(r"\b(?:import|include)\b", masked):
        return None
    found: list[Trigger] = []
    rules = 0
    for match in _RULE.finditer(masked):
        rules += 1
        if "global" in match.group("mods").split():
            return None
        body = source[match.start("body") : match.end("body")]
        own = _rule_triggers(match.group("name"), body, masked[match.start("body") : match.end("body")])
        if own is None:
            return None
        found.extend(own)
    # Everything outside the rules must be blank: otherwise the reader missed something.
    rest = _RULE.sub("", masked)
    if rules == 0 or rest.strip():
        return None
    return tuple(found)


def _mask_strings_and_comments(source: str) -> str:
    """``source`` with comments blanked and string contents replaced by ``x`` (same length)."""

    def blank(match: re.Match[str]) -> str:
        text = match.group()
        if text.startswith('"'):
            return '"' + "x" * (len(text) - 2) + '"'
        return re.sub(r"[^\n]", " ", text)

    return _COMMENT_OR_STRING.sub(blank, source)


def _rule_triggers(name: str, body: str, masked_body: str) -> list[Trigger] | None:
    sections: dict[str, tuple[int, int]] = {}
    marks = list(_SECTION.finditer(masked_body))
    for i, mark in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(masked_body)
        sections[mark.group(1)] = (mark.end(), end)
    if "strings" not in sections or "condition" not in sections:
        return None
    low, high = sections["strings"]
    starts = [m.start() for m in _DEFINITION.finditer(masked_body, low, high)]
    if not starts or masked_body[low : starts[0]].strip():
        return None
    out: list[Trigger] = []
    for i, start in enumerate(starts):
        end = starts[i + 1] if i + 1 < len(starts) else high
        string = _STRING.fullmatch(masked_body, start, end)  # comments blanked
        if string is None:
            return None
        mods = string.group("mods").split()
        if not set(mods) <= _MODIFIERS:
            return None
        literal = _unescape(body[string.start("text") : string.end("text")])
        if not literal:
            return None
        caseless = "nocase" in mods
        if "wide" not in mods or "ascii" in mods:
            out.append(Trigger(name, literal, caseless))
        if "wide" in mods:
            out.append(Trigger(name, b"".join(bytes((b, 0)) for b in literal), caseless))
    low, high = sections["condition"]
    if not _monotone(masked_body[low:high]):
        return None
    return out


def _unescape(text: str) -> bytes:
    out = bytearray()
    i = 0
    while i < len(text):
        char = text[i]
        if char != "\\":
            out += char.encode("utf-8")
            i += 1
            continue
        nxt = text[i + 1 : i + 2]
        if nxt in _ESCAPES:
            out += _ESCAPES[nxt]
            i += 2
        elif nxt == "x" and re.fullmatch(r"[0-9A-Fa-f]{2}", text[i + 2 : i + 4]):
            out.append(int(text[i + 2 : i + 4], 16))
            i += 4
        else:
            return b""  # an escape this reader does not know: give up on the rule
    return bytes(out)


def _monotone(condition: str) -> bool:
    """True when ``condition`` is false whenever none of the rule's strings occurs."""
    tokens: list[str] = []
    pos = 0
    text = condition.strip()
    while pos < len(text):
        token = _TOKEN.match(text, pos)
        if token is None:
            return False
        tokens.append(token.group(1))
        pos = token.end()
        while pos < len(text) and text[pos].isspace():
            pos += 1
    if not tokens:
        return False
    for i, token in enumerate(tokens):
        if token.startswith("$") or token in ("(", ")", ","):
            continue
        if token.isdigit():
            if int(token) < 1 or i + 1 >= len(tokens) or tokens[i + 1] != "of":
                return False
            continue
        if token not in _WORDS:
            return False
    return True
