"""What a detector is: patterns, context words and validation, all declared as data.

A detector module in :mod:`dlp.detectors` defines a module-level ``DETECTOR``. The
native core (:mod:`dlp._core`, built by :mod:`dlp.engine.core`) compiles every
detector's ``patterns`` into one set of DFAs that runs over UTF-8 bytes (full-width
forms folded to ASCII where a buffer holds a full-width digit), checks that a
candidate does not start or end inside a longer run of ASCII letters or digits, and
runs the detector's ``checks`` (primitives from :mod:`dlp.checks`) for an explicit
verdict; ``masking`` is its mask. ``validate`` and ``mask`` are the same rules
written in Python: the reference the core is tested against
(``tests/engine/test_checks.py``), and what :meth:`Detector.check` runs.

Patterns are regular expressions in the syntax of Rust's ``regex`` crate (which the
patterns of Python's ``re`` and YARA here also are), matched on bytes; non-ASCII
characters stand for their UTF-8 bytes.
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
    labels: tuple[str, ...] = ()
    """When not empty, a value counts only right after one of these words (its label:
    ``微信号：``, ``QQ ``; spaces, ``:``, ``：``, ``=``, ``#``, ``是`` or ``为`` between,
    ASCII matched case-insensitively and as a whole word), or anywhere in an input whose
    header line holds a keyword of the detector's ``context`` (a CSV column of them)."""
    refuted_by: tuple[str, ...] = ()
    """Labels of other kinds of number: a candidate right after one of them (matched
    as ``labels`` are) is not this kind (``发票代码`` before a landline-shaped code)."""
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
    priority: int = 50
    """When two detectors claim overlapping text, the higher priority wins."""
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
