"""Scan documents and containers: run extractors, match their text, recurse into members.

A :class:`Walker` serves one top-level input. It runs the extractor for the
input's kind, packs the segments into buffers (:mod:`dlp.extract.pack`) that the
:class:`Host` (the scanner) matches, and scans every member as an input of its
own: sniffed from its first bytes, streamed through the text path when it is
text, spooled to a temporary file when its format needs random access. Limits
(:mod:`dlp.extract.limits`) are checked before a member is opened and on every
read; a failure ends only the member or container it is about, except the
fatal ones (time, total bytes, member count), which end the input.
"""

from __future__ import annotations

import functools
import hashlib
import io
import shutil
import tempfile
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, BinaryIO, Protocol

import orjson

from dlp._core import DocText
from dlp.config import ScanConfig
from dlp.extract import registry
from dlp.extract.base import (
    Corrupt,
    Encrypted,
    ExtractError,
    LimitHit,
    Member,
    Prefixed,
    Rows,
    Section,
    Segment,
    Where,
    cell_text,
)
from dlp.extract.limits import Budget, GuardedReader
from dlp.extract.sniff import sniff_kind
from dlp.extract.stream import LOOKBEHIND
from dlp.findings import Finding, Problem, printable

if TYPE_CHECKING:
    from dlp.ocr.reader import OcrReader

SPOOL_MEMORY = 16 * 1024 * 1024
HEADER_BYTES = 4096


class Sink:
    """Findings and problems of one top-level input, in the order they arise.

    With ``flush``, findings are handed over in pieces of at least ``piece`` as they
    arise, instead of being kept: memory stays bounded however many there are.
    """

    def __init__(self, flush: Callable[[list[Finding]], None] | None = None, piece: int = 10_000) -> None:
        self.findings: list[Finding] = []
        self.problems: list[Problem] = []
        self._flush = flush
        self._piece = piece
        self.lane: Any = None
        """A :class:`dlp.engine.lane.LaneOutput`: the input's findings (its text, its
        documents' text and its members') are reported there as JSONL (``dlp scan -f
        jsonl``) instead of as findings, counted per member."""

    def add(self, findings: Iterable[Finding]) -> None:
        if self.lane is not None:  # reported as JSONL with the input's other findings
            self.lane.add_findings(list(findings))
            return
        self.findings.extend(findings)
        piece = self._piece
        if self._flush is not None and len(self.findings) >= piece:
            # A dense chunk yields far more than a piece: hand it over a piece at a
            # time, so what the consumer builds from each (JSONL bytes) stays small.
            held = self.findings
            self.findings = []
            for i in range(0, len(held), piece):
                self._flush(held[i : i + piece])


class Host(Protocol):
    """What the walker needs from the scanner."""

    config: ScanConfig
    ocr: OcrReader | None

    def scan_text_stream(
        self, stream: BinaryIO, first: bytes, *, name: str, member: str | None, sink: Sink
    ) -> None: ...

    def match_doc(
        self,
        doc: DocText,
        wheres: list[Where],
        header: frozenset[str],
        *,
        name: str,
        member: str | None,
        sink: Sink,
        seen_rules: set[str],
    ) -> None: ...

    def header_context(self, line: bytes) -> frozenset[str]: ...

    def add_name_findings(self, sink: Sink, path: str, member: str | None) -> None: ...

    def report_encrypted(
        self, sink: Sink, *, name: str, member: str | None, kind: str, detail: str, digest: str
    ) -> None: ...


class _Context:
    """The :class:`~dlp.extract.base.Context` one extractor runs with."""

    def __init__(
        self, walker: Walker, kind: str, source: BinaryIO, member: str | None, token: object
    ) -> None:
        self._walker = walker
        self._source = source
        self.kind = kind
        self.member = member
        self.token = token
        self.name = member.rsplit("!", 1)[-1] if member else walker.name
        self.ocr = walker.host.ocr

    def admit_picture(self, label: str) -> None:
        ocr = self.ocr
        assert ocr is not None
        self._walker.budget.admit_picture(self.member or label, ocr.quota)

    @property
    def budget(self) -> Budget:
        return self._walker.budget

    def check_time(self) -> None:
        self._walker.budget.check_time()

    def check_package(self, sizes: list[tuple[int, int]]) -> None:
        self._walker.budget.check_package(self.member or self._walker.name, sizes)

    def guard(
        self, stream: BinaryIO, compressed: Callable[[], int] | None = None, *, account: bool = True
    ) -> BinaryIO:
        label = self.member or self._walker.name
        return GuardedReader(  # type: ignore[return-value]
            stream, self._walker.budget, label, compressed=compressed, account=account, owner=self.token
        )

    def encrypted(self, kind: str, detail: str) -> None:
        walker = self._walker
        digest = _sha256(self._source)
        walker.host.report_encrypted(
            walker.sink, name=walker.name, member=self.member, kind=kind, detail=detail, digest=digest
        )


def _sha256(source: BinaryIO) -> str:
    digest = hashlib.sha256()
    try:
        here = source.tell()
        source.seek(0)
        for block in iter(lambda: source.read(1 << 20), b""):
            digest.update(block)
        source.seek(here)
    except (OSError, ValueError, AttributeError):
        pass
    return digest.hexdigest()


class Walker:
    def __init__(self, host: Host, name: str, sink: Sink) -> None:
        self.host = host
        self.name = name
        self.sink = sink
        self.budget = Budget(host.config)
        self.progress = 0

    def top(self, kind: str, source: BinaryIO) -> None:
        """Scan a top-level input of ``kind``; every failure becomes a problem record."""
        try:
            self.extract(kind, source, None, 0, object())
        except ExtractError as exc:
            partial = exc.reason.startswith("limit_") or self.progress > 0
            self.sink.problems.append(Problem(exc.reason, exc.message, partial))

    def extract(self, kind: str, source: BinaryIO, member: str | None, depth: int, token: object) -> None:
        ctx = _Context(self, kind, source, member, token)
        text = _Text(self.host.config.chunk_size)
        state = _MatchState()
        items = registry.extractor(kind)(source, ctx)
        try:
            for item in items:
                self.progress += 1
                if isinstance(item, Rows):
                    if text.add_rows(item):
                        self._match(text, member, state)
                elif isinstance(item, Segment):
                    if text.add(item):
                        self._match(text, member, state)
                elif isinstance(item, Section):
                    if text.doc.size:
                        self._match(text, member, state)
                    text.section()
                    state.section = item.header
                    state.header = self.host.header_context(
                        item.header.encode("utf-8", "replace")[:HEADER_BYTES]
                    )
                else:
                    self.member(item, member, depth)
                self.budget.check_time()
        except Encrypted as exc:
            ctx.encrypted(exc.kind, "")
        except ExtractError:
            raise
        except Exception as exc:  # a parser failing on hostile input must not end the scan
            raise Corrupt(f"damaged or unsupported {kind} data ({type(exc).__name__})") from None
        finally:
            items.close()  # type: ignore[attr-defined]
            if text.doc.size:
                self._match(text, member, state)

    def _match(self, text: _Text, member: str | None, state: _MatchState) -> None:
        doc = text.doc
        if state.header is None:
            buf = doc.buffer()
            end = buf.find(b"\n", 0, HEADER_BYTES)
            state.header = self.host.header_context(buf[: end if end >= 0 else HEADER_BYTES])
        self.host.match_doc(
            doc,
            text.wheres,
            state.header,
            name=self.name,
            member=member,
            sink=self.sink,
            seen_rules=state.rules,
        )
        text.roll()

    def member(self, item: Member, parent: str | None, depth: int) -> None:
        full = printable(f"{parent}!{item.name}" if parent else item.name)
        self.host.add_name_findings(self.sink, self.name, full)
        token = object()
        try:
            self.budget.admit(full, depth + 1, item.size, item.compressed)
            raw = item.open()
        except LimitHit as exc:
            if exc.fatal:
                raise
            self._problem(full, exc)
            return
        except ExtractError as exc:
            self._problem(full, exc)
            return
        except Exception as exc:  # READ_ERRORS and whatever else a damaged container raises
            self._problem(full, Corrupt(f"cannot be opened ({type(exc).__name__})"))
            return
        compressed = item.compressed
        guard = GuardedReader(
            raw,
            self.budget,
            full,
            compressed=(lambda: compressed) if compressed else None,
            account=not item.accounted,
            owner=token,
        )
        spool: BinaryIO | None = None
        try:
            first = guard.read(self.host.config.chunk_size)
            kind = sniff_kind(first, item.name)
            if kind == "media" or (kind == "image" and self.host.ocr is None):
                return  # no text to read (without OCR); the container's records stand
            if kind == "text":
                self.host.scan_text_stream(guard, first, name=self.name, member=full, sink=self.sink)  # type: ignore[arg-type]
            elif registry.random_access(kind):
                spool = _spool(first, guard)  # type: ignore[arg-type]
                self.extract(kind, spool, full, depth + 1, token)
            else:
                stream = io.BufferedReader(Prefixed(first, guard), 1 << 16)  # type: ignore[arg-type]
                self.extract(kind, stream, full, depth + 1, token)  # type: ignore[arg-type]
        except LimitHit as exc:
            if exc.fatal or exc.owner not in (None, token):
                raise
            self._problem(full, exc)
        except ExtractError as exc:
            self._problem(full, exc)
        except Exception as exc:  # never let one member end its container
            self._problem(full, Corrupt(f"could not be read ({type(exc).__name__})"))
        finally:
            guard.close()
            if spool is not None:
                spool.close()

    def _problem(self, member: str, exc: ExtractError) -> None:
        message = exc.message if member in exc.message else f"{member}: {exc.message}"
        self.sink.problems.append(Problem(exc.reason, message, True, member))


class _Text:
    """The extracted text of one document on its way to the core: a
    :class:`dlp._core.DocText` and the :class:`Where` of each of its places."""

    __slots__ = ("doc", "places", "wheres")

    def __init__(self, limit: int) -> None:
        self.doc = DocText(limit, LOOKBEHIND)
        self.places: dict[Where, int] = {}
        self.wheres: list[Where] = []

    def place(self, where: Where) -> int:
        index = self.places.get(where)
        if index is None:
            index = self.places[where] = self.doc.place(where_json(where), where.sheet)
            self.wheres.append(where)
        return index

    def add(self, segment: Segment) -> bool:
        """Add a segment; True when the buffer is full."""
        if not segment.text:
            return False
        return self.doc.add_text(segment.text, self.place(segment.where), segment.sep)

    def roll(self) -> None:
        """After a scan: the core keeps only the look-behind's place (as index 0)."""
        kept = self.doc.roll()
        where = self.wheres[kept] if kept is not None else None
        self.wheres = [where] if where is not None else []
        self.places = {where: 0} if where is not None else {}

    def section(self) -> None:
        self.doc.section()
        self.wheres, self.places = [], {}

    def add_rows(self, rows: Rows) -> bool:
        """Add spreadsheet rows; True when the buffer is full."""
        place = self.place(Where(sheet=rows.sheet))
        return self.doc.add_rows(rows.rows, rows.first_row, rows.first_col, place, _other_text)


def _other_text(value: object) -> str:
    """A cell value the core does not render itself: dates and times (ISO), others."""
    isoformat = getattr(value, "isoformat", None)
    return str(isoformat()) if isoformat is not None else cell_text(value)


def where_json(where: Where) -> bytes:
    """The location members of ``where`` as JSON, as they follow ``"line":N`` in a record."""
    if where.sheet is None and where.cell is None and where.page is None and where.part is not None:
        tail = b"" if where.paragraph is None else b',"paragraph":%d' % where.paragraph
        return b',"part":' + _json_text(where.part) + tail  # paragraphs: the common case
    out = b""
    for name in ("sheet", "cell", "part", "paragraph", "page"):
        value = getattr(where, name)
        if value is not None:
            out += b',"' + name.encode() + b'":' + orjson.dumps(value)
    return out


@functools.lru_cache(maxsize=256)
def _json_text(text: str) -> bytes:
    return orjson.dumps(text)


class _MatchState:
    __slots__ = ("header", "rules", "section")

    def __init__(self) -> None:
        self.section: str | None = None
        self.header: frozenset[str] | None = None
        self.rules: set[str] = set()


def _spool(first: bytes, stream: BinaryIO) -> BinaryIO:
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY)  # noqa: SIM115 - closed by the caller
    try:
        spool.write(first)
        shutil.copyfileobj(stream, spool, 1 << 20)
        spool.seek(0)
    except BaseException:
        spool.close()
        raise
    return spool  # type: ignore[return-value]
