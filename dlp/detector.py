"""What a detector is: patterns and context words (data) plus a validator (code).

A detector module in :mod:`dlp.detectors` defines a module-level ``DETECTOR``.
The engine compiles every detector's ``patterns`` into one YARA rule set that
runs over UTF-8 bytes (full-width forms already folded to ASCII), checks that a
candidate does not start or end inside a longer run of ASCII letters or digits,
and then asks :meth:`Detector.check` for an explicit :class:`Verdict`.

Patterns are YARA regular expressions *without* the surrounding slashes. They
should begin with a fixed byte or a small class so that YARA can pick good atoms.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from dlp.checks import Edges
from dlp.errors import ValidationError


class Severity(str, enum.Enum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class Verdict(str, enum.Enum):
    CONFIRM = "confirm"  # valid value: report it
    UNKNOWN = "unknown"  # plausible, cannot be verified: report only with context
    REJECT = "reject"  # not a value of this kind


@dataclass(frozen=True, slots=True)
class Check:
    """The outcome of validating one candidate."""

    verdict: Verdict
    value: str = ""  # normalised value, empty when rejected
    reason: str = ""  # why it was rejected (never contains the value)


@dataclass(frozen=True, slots=True)
class Example:
    """A synthetic sample: ``text`` scanned alone yields exactly ``values``."""

    text: str
    values: tuple[str, ...] = ()


@dataclass(frozen=True)
class Detector:
    name: str
    description: str
    severity: Severity
    patterns: tuple[str, ...]
    validate: Callable[[str], str]
    """Return the normalised value or raise :class:`~dlp.errors.ValidationError`."""
    mask: Callable[[str], str]
    """Mask a normalised value for display (never reveals the whole value)."""
    context: tuple[str, ...] = ()
    """Keyword categories (files in ``signatures/keywords``) that raise confidence."""
    base_confidence: float = 0.6
    context_confidence: float = 0.9
    requires_context: bool = False
    """Only report candidates with a context keyword nearby (weak checksums)."""
    unverifiable: Callable[[str], bool] | None = None
    """Optional: True when a valid value cannot be verified (verdict UNKNOWN)."""
    joiners: str = ""
    """ASCII characters that, next to a match, make it part of a longer token."""
    followers: tuple[str, ...] = ()
    """Characters that, right after a match, make it part of a longer token."""
    allow_extension: bool = False
    """A trailing ``-digits`` is an extension (landlines), not a longer number."""
    extend_left: str = ""
    """ASCII characters a match is extended over to its left, at most
    ``extend_left_max`` of them: for patterns that start at a later literal (e-mail
    addresses at ``@``), so each value is one candidate, not one per start offset."""
    extend_left_max: int = 0
    char_patterns: tuple[str, ...] = ()
    """Optional: what ``patterns`` match, written for a byte-at-a-time engine
    (Hyperscan) that is slow on frequent literals. Each starts with ``[\\x80-\\xff]``,
    the *last* byte of the value's first (non-ASCII) character, instead of spelling
    that character out; the engine moves the start back to the character's first
    byte and the validator checks the character. Plates: the province characters
    (京, 新, 云 ...) are common words in Chinese text, the letter after them is not.
    Engines that match by literal atoms (YARA) use ``patterns``."""
    priority: int = 50
    """When two detectors claim overlapping text, the higher priority wins."""
    native: str = ""
    """Optional: the C validator in :mod:`dlp._native` that gives the same verdicts and
    values as ``validate`` (:data:`dlp.engine.lane.NATIVE_KINDS`; for ``cn_landline``
    and ``email`` the mask too). ``tests/test_native_lane.py`` holds them equal."""
    positives: tuple[Example, ...] = field(default=())
    negatives: tuple[str, ...] = field(default=())
    checks: tuple[object, ...] = ()
    """The validation program for the Rust core: primitives from :mod:`dlp.checks`
    that give the same verdicts and values as ``validate``
    (``tests/engine/test_checks.py`` holds them equal)."""
    masking: object = None
    """The mask for the Rust core: a mask primitive from :mod:`dlp.checks` that masks as
    ``mask`` does. When ``mask`` itself is one (``edges(6, 4)``), it is the default."""

    def __post_init__(self) -> None:
        if self.masking is None and hasattr(self.mask, "spec"):
            object.__setattr__(self, "masking", self.mask)

    def check(self, candidate: str) -> Check:
        """Validate a candidate (as written, separators included)."""
        try:
            value = self.validate(candidate)
        except ValidationError as exc:
            return Check(Verdict.REJECT, reason=type(exc).__name__)
        except (ValueError, IndexError, KeyError) as exc:
            return Check(Verdict.REJECT, reason=type(exc).__name__)
        if self.unverifiable is not None and self.unverifiable(value):
            return Check(Verdict.UNKNOWN, value)
        return Check(Verdict.CONFIRM, value)

    @cached_property
    def joiner_bytes(self) -> bytes:
        return self.joiners.encode("ascii")

    @cached_property
    def follower_bytes(self) -> tuple[bytes, ...]:
        return tuple(c.encode("utf-8") for c in self.followers)

    @cached_property
    def left_bytes(self) -> frozenset[int]:
        return frozenset(self.extend_left.encode("ascii"))

    @cached_property
    def left_chars(self) -> bytes:
        return self.extend_left.encode("ascii")

    def is_valid(self, candidate: str) -> bool:
        return self.check(candidate).verdict is Verdict.CONFIRM


def edges(head: int, tail: int) -> Edges:
    """A mask keeping ``head`` leading and ``tail`` trailing characters (:func:`keep_edges`)."""
    return Edges(head, tail)


def keep_edges(value: str, head: int, tail: int, fill: str = "*") -> str:
    """Mask all but ``head`` leading and ``tail`` trailing characters."""
    if len(value) <= head + tail:
        return fill * len(value)
    return value[:head] + fill * (len(value) - head - tail) + value[len(value) - tail :]
