"""What every document and container extractor yields, and how it fails.

An extractor is a function ``extract(source, ctx) -> Iterator[Item]`` over a
readable binary ``source`` (seekable when its format needs random access). It
yields, in document order:

- :class:`Section`: a new part of the document starts (a worksheet); its
  ``header`` text (the sheet's first row) counts as context for the whole part;
- :class:`Segment`: a piece of text with where it is (:class:`Where`) and the
  separator that goes before it in the extracted text (``"\\t"`` between the
  cells of one row, ``"\\n"`` between rows and paragraphs, ``""`` between
  pieces of one text stream cut at line ends);
- :class:`Rows`: spreadsheet rows as a reader returns them (lists of cell
  values, ``None`` for an empty cell), a batch at a time: the native core renders
  and locates the cells itself (``sheet``, ``cell``), rows separated by newlines,
  the cells of a row by tabs;
- :class:`Member`: a file inside a container (an archive member, an e-mail
  attachment, an object embedded in an Office file), scanned recursively as an
  input of its own.

Extractors raise :class:`Corrupt` when the input is not a valid file of its
format, :class:`Encrypted` when it cannot be read without a password, and let
:class:`LimitHit` from the :class:`Context` through. Nothing else may escape: the
scanner turns these into error records (``corrupt``, ``limit_*``) or an
``encrypted_container`` finding.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, BinaryIO, Protocol

if TYPE_CHECKING:
    from dlp.extract.limits import Budget
    from dlp.ocr.reader import OcrReader


@dataclass(frozen=True, slots=True)
class Where:
    """Where in a document a segment is; every field is optional."""

    sheet: str | None = None
    cell: str | None = None
    part: str | None = None
    paragraph: int | None = None
    page: int | None = None
    box: tuple[int, int, int, int] | None = None
    """A text line read by OCR: ``(x0, y0, x1, y1)`` in the picture's pixels."""


NOWHERE = Where()


@dataclass(frozen=True, slots=True)
class Segment:
    text: str
    where: Where = NOWHERE
    sep: str = "\n"


@dataclass(frozen=True, slots=True)
class Section:
    header: str = ""


@dataclass(frozen=True, slots=True)
class Rows:
    """Rows ``first_row``, ``first_row + 1`` ... (1-based) of sheet ``sheet``; the
    first value of each row is in column ``first_col`` (0-based: A is 0)."""

    sheet: str
    rows: list[list[object]]
    first_row: int = 1
    first_col: int = 0


@dataclass(frozen=True, slots=True)
class Member:
    """A nested input. ``open`` returns a fresh binary stream of its content.

    ``size`` and ``compressed`` are what the container declares (``None`` when
    unknown); the scanner checks them against the limits before opening, and
    counts the bytes actually read as well.
    """

    name: str
    open: Callable[[], BinaryIO]
    size: int | None = None
    compressed: int | None = None
    accounted: bool = False
    """Its bytes are already counted by a guarded container stream (tar members in a .tar.gz)."""


Item = Segment | Section | Rows | Member


class ExtractError(Exception):
    """Base of the failures an extractor reports; ``reason`` is the record's reason."""

    reason = "corrupt"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Corrupt(ExtractError):
    """Not a valid file of the format it claims to be (truncated, damaged, junk)."""


class Encrypted(ExtractError):
    """Needs a password: reported as an ``encrypted_container`` finding."""

    reason = "encrypted"

    def __init__(self, message: str, kind: str) -> None:
        super().__init__(message)
        self.kind = kind


class LimitHit(ExtractError):
    """A configured limit stopped the extraction; ``reason`` names it (``limit_ratio`` ...).

    ``fatal`` limits (time, total bytes, member count) end the whole top-level
    input; the others end only the member or container they are about: the one
    whose stream raised it (``owner``), or the member being opened (``owner`` None).
    """

    def __init__(self, reason: str, message: str, *, fatal: bool = False, owner: object = None) -> None:
        super().__init__(message)
        self.reason = reason
        self.fatal = fatal
        self.owner = owner


class Context(Protocol):
    """What an extractor may ask of the scan it runs in."""

    name: str
    """The input's own name (a file path or a member name), for hints and messages."""
    kind: str
    """What :func:`dlp.extract.sniff.sniff_kind` said the input is."""
    ocr: OcrReader | None
    """The scan's OCR reader, or None when pictures are not read (``ScanConfig.ocr``)."""

    def admit_picture(self, label: str) -> None:
        """Count a picture against the per-input and per-scan budgets (:class:`LimitHit` when spent)."""

    @property
    def budget(self) -> Budget:
        """The limits of the scan and what the input has used of them."""

    def check_time(self) -> None:
        """Raise :class:`LimitHit` (``limit_time``) when the time budget is spent."""

    def check_package(self, sizes: list[tuple[int, int]]) -> None:
        """Check (uncompressed, compressed) sizes of a package's parts before a library reads them."""

    def guard(
        self, stream: BinaryIO, compressed: Callable[[], int] | None = None, *, account: bool = True
    ) -> BinaryIO:
        """Wrap a decompressing stream so its output counts against the limits (time and
        ratio only when ``account`` is False: its bytes were counted already, as the
        declared sizes of a package's parts are)."""

    def encrypted(self, kind: str, detail: str) -> None:
        """Report an encrypted container (or encrypted members) and go on."""


Extractor = Callable[[BinaryIO, Context], Iterator[Item]]


class Prefixed(io.RawIOBase):
    """``head`` (bytes already read, e.g. to sniff the type) followed by the rest of ``stream``."""

    def __init__(self, head: bytes, stream: BinaryIO) -> None:
        self._head = head
        self._stream = stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if self._head:
            n = min(len(buffer), len(self._head))
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._stream.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def cell_text(value: object) -> str:
    """A spreadsheet value as people see it: numbers exact, no ``.0``, no exponent.

    >>> cell_text(13812345678.0), cell_text(12345678901234567890), cell_text(1e-07), cell_text(True)
    ('13812345678', '12345678901234567890', '0.0000001', 'TRUE')
    """
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return str(value)
        if value.is_integer():
            return str(int(value))
        text = repr(value)
        if "e" in text or "E" in text:
            from decimal import Decimal

            text = format(Decimal(text), "f")
        return text
    isoformat = getattr(value, "isoformat", None)
    if isoformat is not None:
        return str(isoformat())
    return str(value)
