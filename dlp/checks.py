"""Validation primitives and masks: what a detector checks, declared as data.

A detector lists its checks as a tuple of primitives (``Detector.checks``) and its
mask as one mask primitive (``Detector.masking``); the Rust core (``dlp._core``)
parses them once and runs them on every candidate. Each primitive's ``spec()`` is the
``(op, *args)`` tuple the core reads. Steps run in order on a working value that
starts as the candidate as written; a *rewrite* changes the value, a *check* rejects
the candidate with a reason (the :mod:`dlp.errors` class name) or lets it through.
The value left at the end is the normalised value. A new detector whose checks exist
here is one Python module; a new kind of check (a new check character) is a
primitive here plus its op in ``crates/dlp-engine/src/checks.rs``.

Rewrites:

- ``Clean(drop)``: ``dlp.detectors._util.clean``: NFKC (non-ASCII text only), strip
  whitespace, delete the characters in ``drop``.
- ``Trim()``: strip surrounding whitespace (``str.strip``), no NFKC.
- ``Upper()`` / ``Lower()``: ``str.upper`` / ``str.lower``.
- ``StripPrefix(prefixes)``: remove the first of ``prefixes`` the value starts with (once).

Checks (reason on failure in brackets):

- ``Length(min, max=min)``: between ``min`` and ``max`` characters [InvalidLength].
- ``Charset(chars, start=0, end=None)``: ``value[start:end]`` is non-empty and made of
  ``chars`` only [InvalidFormat].
- ``Iso7064Mod11_2()``: the last character is the ISO 7064 MOD 11-2 check character
  (``X`` for 10) of the digits before it (GB 11643 resident IDs) [InvalidChecksum].
- ``Luhn()``: the digits pass the Luhn check (ISO/IEC 7812 card numbers) [InvalidChecksum].
- ``Gb32100()``: the 18th character is the GB 32100 MOD 31 check character of the first
  17 (alphabet ``0-9 A-H J-N P-R T U W-Y``, as ``stdnum.cn.uscc``) [InvalidChecksum].
- ``Vin()``: a 17-character VIN (alphabet ``0-9 A-Z`` without ``I O Q``) whose 9th
  character is its check character: ISO 3779 / GB 16735 transliteration and weights,
  sum mod 11, ``X`` for 10 [InvalidFormat / InvalidChecksum].
- ``HkId()``: a Hong Kong identity card number, one or two letters, six digits and the
  MOD 11 check character (``0-9`` or ``A``) [InvalidFormat / InvalidChecksum].
- ``TwId()``: a Taiwan identity card number, a letter and nine digits whose weighted
  sum (the letter's two-digit code, weights 1 9 8 ... 1 1) is a multiple of 10
  [InvalidFormat / InvalidChecksum].
- ``Gb11714Org(start, digits_only=False)``: the 9 characters at ``start`` are a GB 11714
  organisation code with a valid MOD 11 check character; with ``digits_only`` the
  check applies only when ``value[:start + 9]`` is all digits [InvalidComponent].
- ``InTable(table, start=0, sizes=(6,))``: ``value[start:start + size]`` is a key of the
  data table ``table`` (:func:`dlp.data.load_table`) for one of ``sizes`` [InvalidComponent].
- ``PastDate(start, fmt="YYYYMMDD", century=1900)``: a real date, not after today, at
  ``start``; ``fmt="YYMMDD"`` reads the year as ``century + YY`` [InvalidComponent].
- ``Unverified()``: a value that passes is reported as UNKNOWN, not CONFIRM.

Composites, where a rule is specific to one kind of value:

- ``Plate(provinces, suffixes)``: GA 36 plate rules on an upper-case plate: province
  character, issuing letter (A-Z without I, O), then a 5-character serial with at most
  2 letters, 4 characters plus a use suffix, or a new-energy serial
  [InvalidLength / InvalidComponent / InvalidFormat].
- ``Landline(table)``: the whole landline rule on the candidate as written: the
  +86 / 0086 / (+86) / (0xx) forms, the area-code split against ``table`` and the
  subscriber length; the value is area code + subscriber.
- ``Email(file_suffixes)``: ``local@domain`` on a stripped, lower-cased address: RFC
  5322 local part without field delimiters, two or more DNS labels, an alphabetic
  top-level domain not in ``file_suffixes`` (``logo@2x.png``).

Masks (``Detector.masking``; callables too, so the same object is ``Detector.mask``):

- ``Edges(head, tail)``: keep ``head`` leading and ``tail`` trailing characters.
- ``PrefixEdges(table, sizes, tail)``: ``Edges`` whose head is the first of ``sizes``
  whose prefix is in ``table`` (else the last size): a landline keeps its area code.
- ``EmailMask()``: first character of the local part, ``***``, ``@domain``.

>>> Length(16, 19).spec()
('length', 16, 19)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

DIGITS = "0123456789"
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"

Spec = tuple[object, ...]

__all__ = [
    "DIGITS",
    "USCC_ALPHABET",
    "Charset",
    "Clean",
    "Edges",
    "Email",
    "EmailMask",
    "Gb11714Org",
    "Gb32100",
    "HkId",
    "InTable",
    "Iso7064Mod11_2",
    "Landline",
    "Length",
    "Lower",
    "Luhn",
    "PastDate",
    "Plate",
    "PrefixEdges",
    "Spec",
    "StripPrefix",
    "Trim",
    "TwId",
    "Unverified",
    "Upper",
    "Vin",
    "specs",
]


def specs(primitives: Iterable[object]) -> tuple[Spec, ...]:
    """The ``(op, *args)`` tuples of a sequence of primitives."""
    return tuple(p.spec() for p in primitives)  # type: ignore[attr-defined]


# -- rewrites ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Clean:
    drop: str = " -\u00b7"

    def spec(self) -> Spec:
        return ("clean", self.drop)


@dataclass(frozen=True, slots=True)
class Trim:
    def spec(self) -> Spec:
        return ("trim",)


@dataclass(frozen=True, slots=True)
class Upper:
    def spec(self) -> Spec:
        return ("upper",)


@dataclass(frozen=True, slots=True)
class Lower:
    def spec(self) -> Spec:
        return ("lower",)


@dataclass(frozen=True, slots=True)
class StripPrefix:
    prefixes: tuple[str, ...]

    def spec(self) -> Spec:
        return ("strip_prefix", tuple(self.prefixes))


# -- checks -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Length:
    min: int
    max: int | None = None

    def spec(self) -> Spec:
        return ("length", self.min, self.min if self.max is None else self.max)


@dataclass(frozen=True, slots=True)
class Charset:
    chars: str
    start: int = 0
    end: int | None = None

    def spec(self) -> Spec:
        if self.end is None:
            return ("charset", self.chars, self.start)
        return ("charset", self.chars, self.start, self.end)


@dataclass(frozen=True, slots=True)
class Iso7064Mod11_2:
    def spec(self) -> Spec:
        return ("iso7064_mod11_2",)


@dataclass(frozen=True, slots=True)
class Luhn:
    def spec(self) -> Spec:
        return ("luhn",)


@dataclass(frozen=True, slots=True)
class Gb32100:
    def spec(self) -> Spec:
        return ("gb32100",)


@dataclass(frozen=True, slots=True)
class Vin:
    def spec(self) -> Spec:
        return ("vin",)


@dataclass(frozen=True, slots=True)
class HkId:
    def spec(self) -> Spec:
        return ("hk_id",)


@dataclass(frozen=True, slots=True)
class TwId:
    def spec(self) -> Spec:
        return ("tw_id",)


@dataclass(frozen=True, slots=True)
class Gb11714Org:
    start: int = 0
    digits_only: bool = False

    def spec(self) -> Spec:
        return ("gb11714_org", self.start, int(self.digits_only))


@dataclass(frozen=True, slots=True)
class InTable:
    table: str
    start: int = 0
    sizes: tuple[int, ...] = (6,)

    def spec(self) -> Spec:
        return ("in_table", self.table, self.start, *self.sizes)


@dataclass(frozen=True, slots=True)
class PastDate:
    start: int
    fmt: str = "YYYYMMDD"
    century: int = 1900

    def spec(self) -> Spec:
        if self.fmt == "YYMMDD":
            return ("past_date", self.fmt, self.start, self.century)
        return ("past_date", self.fmt, self.start)


@dataclass(frozen=True, slots=True)
class Unverified:
    def spec(self) -> Spec:
        return ("unverified",)


@dataclass(frozen=True, slots=True)
class Plate:
    provinces: str
    suffixes: str

    def spec(self) -> Spec:
        return ("plate", self.provinces, self.suffixes)


@dataclass(frozen=True, slots=True)
class Landline:
    table: str = "cn_area_codes"

    def spec(self) -> Spec:
        return ("landline", self.table)


@dataclass(frozen=True, slots=True)
class Email:
    file_suffixes: frozenset[str] = frozenset()

    def spec(self) -> Spec:
        return ("email", tuple(sorted(self.file_suffixes)))


# -- masks ------------------------------------------------------------------


def _keep_edges(value: str, head: int, tail: int) -> str:
    size = len(value)
    if size <= head + tail:
        return "*" * size
    return value[:head] + "*" * (size - head - tail) + value[size - tail :]


class Edges:
    """A mask keeping ``head`` leading and ``tail`` trailing characters.

    A class rather than a closure so that the engines can read ``head`` and ``tail``
    (``spec()``) and do the same masking themselves."""

    __slots__ = ("head", "tail")

    def __init__(self, head: int, tail: int) -> None:
        self.head = head
        self.tail = tail

    def __call__(self, value: str) -> str:
        return _keep_edges(value, self.head, self.tail)

    def __repr__(self) -> str:
        return f"edges({self.head}, {self.tail})"

    def spec(self) -> Spec:
        return ("edges", self.head, self.tail)


@dataclass(frozen=True, slots=True)
class PrefixEdges:
    table: str
    sizes: tuple[int, ...]
    tail: int

    def __call__(self, value: str) -> str:
        from dlp.data import load_table

        keys = load_table(self.table)
        head = next((s for s in self.sizes if value[:s] in keys), self.sizes[-1])
        return _keep_edges(value, head, self.tail)

    def spec(self) -> Spec:
        return ("prefix_edges", self.table, self.tail, *self.sizes)


@dataclass(frozen=True, slots=True)
class EmailMask:
    def __call__(self, address: str) -> str:
        local, _, domain = address.rpartition("@")
        return f"{local[0]}***@{domain}"

    def spec(self) -> Spec:
        return ("email",)
