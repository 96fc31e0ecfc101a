"""Types of the native core, the extension module built from ``crates/dlp-py``.

Private: use it through :class:`dlp.Scanner` (:mod:`dlp.engine.core` builds the
engine's spec). Buffers are UTF-8 bytes; offsets are byte offsets into them.
"""

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

EDM_DETECTOR: int
"""The detector index of exact-data-match hits (65535)."""

HitTuple = tuple[int, int, int, str, str, str, float, int | None, str | None]
"""(detector index, start, end, value, masked, fingerprint hex, confidence,
EDM column index, EDM value as written)."""

class Engine:
    """The compiled engine of one scanner: immutable, shared between threads."""

    def __init__(self, spec: Mapping[str, Any]) -> None: ...
    def categories_in(self, buf: bytes) -> int:
        """Keyword categories (bit set) in ``buf``."""
    def fingerprint(self, value: str) -> str:
        """Keyed HMAC-SHA256 of a normalised value, hex."""
    def allows(self, value: str) -> bool:
        """True when the allowlist accepts a normalised value."""
    def scan(
        self, buf: bytes, header: int, emit_from: int, emit_to: int, today: int
    ) -> tuple[list[HitTuple], list[int]]:
        """Hits starting in ``[emit_from, emit_to)`` and the signature rules triggered."""
    def scan_jsonl(
        self,
        buf: bytes,
        header: int,
        emit_from: int,
        emit_to: int,
        today: int,
        path_json: bytes,
        member_json: bytes | None,
        origin: int,
        line_base: int,
        tally: Tally,
        seen: Sequence[int],
    ) -> tuple[list[bytes] | None, list[int], int]:
        """JSONL pieces of the hits (None when a rule not in ``seen`` needs YARA first),
        the rules triggered, and the number of findings."""

class NameFilter:
    """The name filter of an EDM index being built (``dlp edm build``)."""

    def __init__(self, key: bytes, bits: int) -> None: ...
    def add(self, names: Sequence[str]) -> None:
        """Set the bits of names (normalised values of name columns)."""
    def to_bytes(self) -> bytes: ...

def edm_filter_bits(names: int) -> int:
    """Bits of the name filter of an index with ``names`` names (a power of two)."""

class Tally:
    """A file's policy counts: distinct values, rows with two or more kinds, findings."""

    def __init__(self) -> None: ...
    def add(self, detector: str, fingerprint: str, record: int | tuple[str, int]) -> None: ...
    def add_edm(self, fingerprint: str, record: int | tuple[str, int], column: int, name: bool) -> None: ...
    def close(self) -> int:
        """Rows with two or more kinds (closes every open record)."""
    def merge(self, other: Tally) -> None: ...
    def distinct(self) -> dict[str, int]: ...
    def found(self) -> dict[str, int]: ...
    def registered(self) -> list[tuple[str, int]]: ...
    def __getstate__(self) -> tuple[Any, ...]: ...
    def __setstate__(self, state: tuple[Any, ...]) -> None: ...

def newlines(buf: bytes, start: int = 0, end: int | None = None) -> int:
    """Newlines in ``buf[start:end]``."""

def check(
    steps: Iterable[Any], candidate: str, tables: Mapping[str, Iterable[str]], today: int
) -> tuple[str, str]:
    """Run a validation program on one candidate (a test hook): ``(verdict, value or reason)``."""

def apply_mask(mask_spec: Any, value: str, tables: Mapping[str, Iterable[str]]) -> str:
    """Mask one normalised value (a test hook)."""

class DocText:
    """One buffer of an input's extracted text with a compact location map (see
    :mod:`dlp.extract.documents`): segments point at registered places; spreadsheet
    rows are rendered and located in the core."""

    def __init__(self, limit: int, lookbehind: int) -> None: ...
    def place(self, json: bytes, sheet: str | None = None) -> int:
        """Register a place (its location members as JSON); returns its index."""
    def add_text(self, text: str, place: int, sep: str) -> bool:
        """Add text at ``place`` after ``sep``; True when the buffer is full."""
    def add_rows(
        self, rows: Sequence[Sequence[object]], first_row: int, first_col: int, place: int, other: Any
    ) -> bool:
        """Add spreadsheet rows (None: empty cell); True when the buffer is full."""
    @property
    def size(self) -> int:
        """Bytes of new text."""
    @property
    def emit_from(self) -> int:
        """Length of the look-behind at the start of the buffer."""
    def buffer(self) -> bytes: ...
    def locate(self, positions: Sequence[int]) -> list[tuple[int, int, int, str | None]]:
        """``(offset, line, place, cell)`` of sorted buffer positions."""
    def roll(self) -> int | None:
        """Keep the look-behind, drop the rest (after a scan); the places are cut down to
        the look-behind's (now index 0): returns its former index."""
    def section(self) -> None:
        """A new section starts: no look-behind into it."""

def scan_doc(
    engine: Engine,
    doc: DocText,
    header: int,
    today: int,
    path_json: bytes,
    member_json: bytes | None,
    tally: Tally,
    seen: Sequence[int],
) -> tuple[bytes | None, list[int], int]:
    """JSONL of the new text's findings (None when a rule not in ``seen`` needs YARA
    first), the rules triggered, and the number of findings."""

class SheetExtent:
    """Cells and the rows/columns their references span, fed a worksheet's XML."""

    cells: int
    min_row: int
    max_row: int
    min_col: int
    max_col: int
    def __init__(self) -> None: ...
    def feed(self, piece: bytes) -> None: ...
    def finish(self) -> None: ...
    @property
    def area(self) -> int:
        """Cells of the dense range from the first to the last referenced cell."""

def scan_transcoded(
    engine: Engine,
    buf: bytes,
    header: int,
    emit_from: int,
    emit_to: int,
    today: int,
    path_json: bytes,
    member_json: bytes | None,
    origin: int,
    line_base: int,
    tally: Tally,
    seen: Sequence[int],
    widths: bytes,
    wide: int,
) -> tuple[bytes | None, list[int], int]:
    """``Engine.scan_jsonl`` for text transcoded to UTF-8: record offsets are input
    offsets, ``origin`` plus the input widths (``widths`` per BMP code point, ``wide``
    beyond) of the characters before each hit."""
