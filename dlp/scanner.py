"""The :class:`Scanner`: the public entry point for scanning data.

A scanner compiles its rules once and is then immutable: share one between
threads, or build one per process. Nothing is global; the fingerprint key and
every limit come from the :class:`~dlp.config.ScanConfig` passed in.
"""

from __future__ import annotations

import io
import os
import queue
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from dlp._core import DocText, scan_doc, scan_transcoded
from dlp.config import ScanConfig
from dlp.detector import Severity
from dlp.detectors import select
from dlp.detectors._util import _today
from dlp.engine.core import EDM, Core, Hit, load_keyword_lists
from dlp.engine.lane import LaneOutput, LanePiece
from dlp.engine.rules import signature_files
from dlp.errors import FileTooLarge, FileUnreadable, ScanError, ScanTimeout
from dlp.extract import registry
from dlp.extract.base import Prefixed, Where
from dlp.extract.documents import Sink, Walker
from dlp.extract.encoding import SAMPLE_SIZE, Encoding, sniff
from dlp.extract.sniff import sniff_kind
from dlp.extract.stream import LOOKBEHIND, MARGIN, Window, windows
from dlp.findings import Finding, Location, Problem, ScanResult, plain_findings, printable
from dlp.keys import resolve_key
from dlp.names import mask_values, name_findings
from dlp.safeopen import NotRegular, open_regular
from dlp.walk import STDIN, Entry, walk

if TYPE_CHECKING:
    from dlp.ocr.quota import Quota
    from dlp.ocr.reader import OcrReader

HEADER_BYTES = 4096
PIECE = 10_000  # findings per streamed piece (scan_entry_pieces)
Flush = Callable[[list[Finding]], None]
ENCRYPTED = "encrypted_container"
TRANSCODED = frozenset(
    {"gb18030", "gbk", "gb2312", "big5", "big5hkscs", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"}
)
"""Stateless encodings whose text the core reports as JSONL itself (offsets counted by
character widths); others (ISO-2022 ...) go the Python way."""


class _Counting(io.RawIOBase):
    """Wraps a binary stream and counts the bytes read from it."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self.count = 0

    def read(self, size: int = -1) -> bytes:  # type: ignore[override]
        data = self._stream.read(size)
        self.count += len(data)
        return data


class _Limited(io.RawIOBase):
    """At most ``left`` bytes of a binary stream."""

    def __init__(self, stream: BinaryIO, left: int) -> None:
        self._stream = stream
        self._left = left

    def read(self, size: int = -1) -> bytes:  # type: ignore[override]
        if size < 0 or size > self._left:
            size = self._left
        data = self._stream.read(size) if size > 0 else b""
        self._left -= len(data)
        return data


_UTF8 = Encoding("utf-8")


class Scanner:
    """Scans bytes, text, files and folder trees for personal data.

    >>> scanner = Scanner(ScanConfig(key=b"doctest-key-0123456789"))
    >>> [f.masked for f in scanner.scan_text("手机 13812345678").findings]
    ['138****5678']
    """

    def __init__(self, config: ScanConfig | None = None, *, ocr_quota: Quota | None = None) -> None:
        self.config = config or ScanConfig()
        self.ocr: OcrReader | None = None
        """What reads pictures (``ScanConfig.ocr``); ``ocr_quota`` shares the per-scan
        picture budget between processes (:meth:`dlp.ocr.quota.Quota.shared`)."""
        if self.config.ocr:
            from dlp.ocr.reader import OcrReader

            self.ocr = OcrReader(self.config, ocr_quota)
        key = resolve_key(self.config.key)
        self.detectors = select(self.config.detectors)
        self.edm_index = None
        if self.config.edm_index is not None:
            from dlp.edm.index import EdmIndex

            self.edm_index = EdmIndex(self.config.edm_index, key)
        self._core = Core(
            self.detectors,
            signature_files(self.config.rule_dirs, builtin=self.config.builtin_rules),
            load_keyword_lists(),
            key=key,
            reveal=self.config.reveal,
            allowlist=self.config.allowlist,
            edm=self.edm_index,
            timeout=self.config.yara_timeout,
            cache_dir=self.config.cache_dir,
        )
        self._fingerprint = self._core.engine.fingerprint
        self._width_tables: dict[str, tuple[bytes, int]] = {}  # codec -> widths (transcoded text)

    @property
    def lane_ready(self) -> bool:
        """True: plain text can always be reported as JSON Lines by the core
        (:meth:`dlp._core.Engine.scan_jsonl`); kept for callers written for 0.1, where
        only some inputs could."""
        return True

    # -- inputs -----------------------------------------------------------------

    def scan_bytes(self, data: bytes, *, name: str = "<bytes>") -> ScanResult:
        """Scan an in-memory buffer (a clipboard dump, a message body ...)."""
        return self.scan_stream(io.BytesIO(data), name=name)

    def scan_text(self, text: str, *, name: str = "<text>") -> ScanResult:
        """Scan a string."""
        return self.scan_stream(io.BytesIO(text.encode("utf-8", "surrogatepass")), name=name)

    def scan_file(
        self,
        path: str | os.PathLike[str],
        *,
        flush: Flush | None = None,
        piece: int = PIECE,
        lane: LaneOutput | None = None,
        name: str | None = None,
    ) -> ScanResult:
        """Scan one file. Raises :class:`~dlp.errors.ScanError` if it cannot be read.

        With ``flush``, findings are handed to it in pieces of about ``piece`` as they
        arise instead of being collected in the result (see :meth:`scan_entry_pieces`).
        With ``lane`` (when :attr:`lane_ready`), the findings of plain text go to it as
        JSONL instead (:mod:`dlp.engine.lane`). ``name``: the path to report, when the
        file is read from elsewhere (a cluster worker reads it under another folder).
        """
        source = os.fspath(path)
        name = source if name is None else name
        try:  # one open, checked with fstat: a file swapped for a link or FIFO is not read
            handle, st = open_regular(source, follow_symlinks=self.config.follow_symlinks)
        except FileNotFoundError:
            raise FileUnreadable(f"{name}: no such file", reason="vanished") from None
        except NotRegular as exc:
            raise FileUnreadable(f"{name}: {exc.strerror}", reason="not_regular") from None
        except OSError as exc:
            raise FileUnreadable(f"{name}: {exc.strerror}") from None
        if st.st_size > self.config.max_file_size:
            handle.close()
            raise FileTooLarge(f"{name}: {st.st_size} bytes is over the limit of {self.config.max_file_size}")
        with handle:
            return self.scan_stream(
                handle, name=name, size_hint=st.st_size, flush=flush, piece=piece, lane=lane, scan_name=True
            )

    def scan_paths(self, paths: Iterable[str | os.PathLike[str]]) -> Iterator[ScanResult]:
        """Scan files and folders (recursively); one result per file, errors included.

        ``"-"`` stands for standard input. Never raises for a single bad file: its
        result carries a :class:`~dlp.findings.Problem` instead.
        """
        entries = walk(
            (os.fspath(p) for p in paths),
            follow_symlinks=self.config.follow_symlinks,
            exclude=self.config.exclude,
        )
        for entry in entries:
            yield self.scan_entry(entry)

    def scan_entry(
        self, entry: Entry, *, flush: Flush | None = None, piece: int = PIECE, lane: LaneOutput | None = None
    ) -> ScanResult:
        """Scan one walked entry, turning every per-file failure into a result."""
        if entry.skipped is not None:
            return ScanResult(printable(entry.path), skipped=entry.skipped)
        if entry.error is not None:
            return ScanResult(printable(entry.path), problems=(Problem(*entry.error),))
        try:
            if entry.path == STDIN:
                import sys

                return self.scan_stream(sys.stdin.buffer, name=STDIN, flush=flush, piece=piece, lane=lane)
            return self.scan_file(entry.path, flush=flush, piece=piece, lane=lane)
        except ScanError as exc:  # the record names the file: its message need not (names are content)
            message = exc.message.removeprefix(f"{entry.path}: ")
            return ScanResult(printable(entry.path), problems=(Problem(exc.reason, printable(message)),))

    def scan_entry_pieces(
        self, entry: Entry, *, piece: int = PIECE, lane: LaneOutput | None = None
    ) -> Iterator[ScanResult | LanePiece]:
        """Scan one entry, yielding its findings in pieces of about ``piece`` as found.

        Memory stays bounded however many findings a large input holds: the scan
        runs in a thread and hands pieces over through a queue of two. Every piece
        but the last has ``more=True``; the last one carries problems and size.
        With ``lane``, the JSONL of its plain text comes as :class:`LanePiece` items.
        """
        pieces: queue.Queue[object] = queue.Queue(maxsize=2)

        shown = printable(entry.path)

        def flush(findings: list[Finding]) -> None:
            pieces.put(ScanResult(shown, findings=tuple(findings), more=True))

        if lane is not None:
            lane.set_flush(pieces.put)

        def run() -> None:
            try:
                pieces.put(self.scan_entry(entry, flush=flush, piece=piece, lane=lane))
            except BaseException as exc:  # handed to the consumer, raised there
                pieces.put(exc)

        worker = threading.Thread(target=run, name=f"dlp-scan {entry.path}", daemon=True)
        worker.start()
        while True:
            item = pieces.get()
            if isinstance(item, BaseException):
                raise item
            assert isinstance(item, (ScanResult, LanePiece))
            yield item
            if isinstance(item, ScanResult) and not item.more:
                break
        worker.join()

    # -- the scan loop ----------------------------------------------------------

    def scan_stream(
        self,
        stream: BinaryIO,
        *,
        name: str,
        size_hint: int | None = None,
        flush: Flush | None = None,
        piece: int = PIECE,
        lane: LaneOutput | None = None,
        scan_name: bool = False,
    ) -> ScanResult:
        """Scan a binary stream to its end.

        The type comes from the content (:func:`~dlp.extract.sniff.sniff_kind`):
        text is scanned chunk by chunk as it streams; documents and containers go
        through their extractor (:mod:`dlp.extract`), members recursively. With
        ``scan_name``, the last part of ``name`` (a file name) is scanned too
        (:mod:`dlp.names`).
        """
        name = printable(name)  # reports need valid Unicode; the file is already open
        counting = _Counting(stream)
        sink = Sink(flush, piece)
        sink.lane = lane
        if scan_name:
            self.add_name_findings(sink, name, None)
        encoding: Encoding | None = None
        size = 0
        try:
            origin = stream.tell() if stream.seekable() else None
            first = counting.read(self.config.chunk_size)
            kind = sniff_kind(first, name)
            if kind == "media" or (kind == "image" and self.ocr is None):  # no text without OCR
                found = tuple(sink.findings) if lane is None else ()  # the name may have some
                return ScanResult(name, findings=found, size=size_hint or counting.count, skipped="media")
            if kind == "text":
                encoding = self._scan_text(counting, stream, first, size_hint, name, None, sink)
            else:
                size = self._scan_document(kind, stream, counting, first, origin, name, sink)
        except OSError as exc:
            sink.problems.append(read_problem(exc))
        return ScanResult(
            name,
            findings=tuple(sink.findings),
            problems=tuple(sink.problems),
            size=max(size, counting.count),
            encoding=encoding.name if encoding else None,
        )

    def _scan_text(
        self,
        reader: BinaryIO,
        stream: BinaryIO,
        first: bytes,
        size_hint: int | None,
        name: str,
        member: str | None,
        sink: Sink,
    ) -> Encoding:
        """The plain-text path: overlapping windows over the (transcoded) bytes."""
        problems = sink.problems
        encoding = self._sniff(first, stream, size_hint)
        if encoding.binary:
            problems.append(Problem("binary", "binary content: scanned for embedded text only", True, member))
        elif encoding.decode_errors:
            problems.append(Problem("decode_errors", "undecodable bytes; scanned as raw bytes", True, member))
        replaced = 0
        header: frozenset[str] | None = None
        seen_rules: set[str] = set()
        for window in windows(reader, encoding, self.config.chunk_size, first):
            if header is None:
                header = self._header(window.buf)
            if not encoding.raw:
                replaced += window.buf.count(b"\xef\xbf\xbd", window.emit_from, window.emit_to)
            self._scan_window(window, header, seen_rules, name, member, sink)
        if replaced:
            problems.append(
                Problem(
                    "decode_errors",
                    f"{replaced} undecodable byte sequence(s) in {encoding.name} replaced",
                    True,
                    member,
                )
            )
        return encoding

    def _header(self, buf: bytes) -> frozenset[str]:
        """Keyword categories in the first line of an input that starts with ``buf``."""
        line_end = buf.find(b"\n", 0, HEADER_BYTES)
        return self._core.header_context(buf[: line_end if line_end >= 0 else HEADER_BYTES])

    def _scan_window(
        self,
        window: Window,
        header: frozenset[str],
        seen_rules: set[str],
        name: str,
        member: str | None,
        sink: Sink,
    ) -> None:
        """Findings of one text window, from its emit range, into ``sink`` (as JSONL into
        ``sink.lane`` for the input's own text when it has one)."""
        lane = sink.lane
        core = self._core
        # Rule files the prefilter cannot read need YARA on every window: the Python
        # way, so that the core does not count a window it then hands back.
        if lane is not None and window._codec is None and not core.always_yara:
            if self._path_allowed(name):
                return
            seen = [i for i, rule in enumerate(core.rules) if rule in seen_rules]
            chunk, _, _ = core.engine.scan_jsonl(
                window.buf,
                core.bits(header),
                window.emit_from,
                window.emit_to,
                int(_today.compact()),
                lane.path_json,
                lane.member_json(member),
                window._origin,
                window.line_base,
                lane.tally_for(member),
                seen,
            )
            if chunk is not None:
                lane.add_chunks(chunk)
                return
        elif lane is not None and window._codec in TRANSCODED and not core.always_yara:
            if self._path_allowed(name):
                return
            seen = [i for i, rule in enumerate(core.rules) if rule in seen_rules]
            widths, wide = self._widths(window._codec)
            rendered, _, _ = scan_transcoded(
                core.engine,
                window.buf,
                core.bits(header),
                window.emit_from,
                window.emit_to,
                int(_today.compact()),
                lane.path_json,
                lane.member_json(member),
                window._origin,
                window.line_base,
                lane.tally_for(member),
                seen,
                widths,
                wide,
            )
            if rendered is not None:
                lane.add_chunks([rendered])
                return
        chosen = self._chosen(
            window.buf, header, window.emit_from, window.emit_to, seen_rules, member, sink, name
        )
        if chosen:
            positions = [h.start for h in chosen]
            offsets, lines = window.offsets(positions), window.lines(positions)
            findings = self._plain(chosen, offsets, lines, name, member)
            if lane is not None:
                lane.add_findings(findings)
            else:
                sink.add(findings)

    def _widths(self, codec: str) -> tuple[bytes, int]:
        """How many bytes each BMP code point takes in ``codec`` (``?`` for what it
        cannot encode, as :meth:`Window.offsets` counts), and a character beyond."""
        table = self._width_tables.get(codec)
        if table is None:
            table = self._width_tables[codec] = (
                bytes(min(255, len(chr(c).encode(codec, "replace"))) for c in range(0x10000)),
                len("\U00020000".encode(codec, "replace")),
            )
        return table

    def _scan_document(
        self,
        kind: str,
        stream: BinaryIO,
        counting: _Counting,
        first: bytes,
        origin: int | None,
        name: str,
        sink: Sink,
    ) -> int:
        """Scan a document or container; returns its size in bytes."""
        walker = Walker(self, name, sink)
        if origin == 0:
            stream.seek(0)
            walker.top(kind, stream)
            return stream.seek(0, io.SEEK_END)
        if not registry.random_access(kind):
            walker.top(kind, io.BufferedReader(Prefixed(first, counting), 1 << 16))  # type: ignore[arg-type]
            return counting.count
        with tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024) as spool:
            spool.write(first)
            shutil.copyfileobj(counting, spool, 1 << 20)
            spool.seek(0)
            walker.top(kind, spool)  # type: ignore[arg-type]
        return counting.count

    # -- one large text file in segments, on several cores (dlp.parallel) -------

    def segment_header(self, path: str | os.PathLike[str]) -> frozenset[str] | None:
        """The header context of a file that can be scanned in segments, else None.

        That is a plain UTF-8 (or ASCII) text file: its bytes are scanned as they are,
        so a segment's offsets are file offsets. Documents, other encodings, binary
        data and files with invalid UTF-8 are scanned whole.
        """
        try:
            with open(path, "rb") as handle:
                size = os.fstat(handle.fileno()).st_size
                first = handle.read(self.config.chunk_size)
                if sniff_kind(first, os.fspath(path)) != "text":
                    return None
                encoding = self._sniff(first, handle, size)
        except OSError:
            return None
        if not encoding.raw or encoding.binary or encoding.decode_errors:
            return None
        return self._header(first)

    def scan_segment(
        self,
        path: str,
        start: int,
        end: int,
        line_base: int,
        header: frozenset[str],
        reported: frozenset[str] = frozenset(),
        lane: LaneOutput | None = None,
        name: str | None = None,
    ) -> ScanResult:
        """Scan bytes ``[start, end)`` of a file :meth:`segment_header` accepted.

        ``start`` is 0 or follows a newline, and ``line_base`` newlines come before
        it. Up to ``LOOKBEHIND`` bytes before and ``MARGIN`` after are read as
        context. Offsets and lines are the file's. Signature rules are reported
        once per segment, except those in ``reported`` (an earlier segment has them):
        the caller keeps the first of each for the file. With ``lane``, the findings go
        to it as JSONL (:mod:`dlp.engine.lane`). ``name``: the path to report, if not ``path``.
        """
        name = printable(path if name is None else name)
        sink = Sink()
        sink.lane = lane
        if start == 0:  # the first segment carries the file name's findings
            self.add_name_findings(sink, name, None)
        seen_rules: set[str] = set(reported)
        low = max(0, start - LOOKBEHIND)
        try:
            handle, _ = open_regular(path, follow_symlinks=self.config.follow_symlinks)
            with handle:
                handle.seek(low)
                reader = _Limited(handle, end + MARGIN - low)
                first = reader.read(self.config.chunk_size)
                segment = windows(
                    reader,  # type: ignore[arg-type]
                    _UTF8,
                    self.config.chunk_size,
                    first,
                    origin=low,
                    emit_from=start - low,
                    emit_until=end,
                    line_base=line_base - first.count(b"\n", 0, start - low),
                )
                for window in segment:
                    self._scan_window(window, header, seen_rules, name, None, sink)
        except OSError as exc:
            sink.problems.append(read_problem(exc))
        return ScanResult(name, findings=tuple(sink.findings), problems=tuple(sink.problems), more=True)

    # -- what the document walker (dlp.extract.documents) asks of the scanner ---

    def scan_text_stream(
        self, stream: BinaryIO, first: bytes, *, name: str, member: str | None, sink: Sink
    ) -> None:
        self._scan_text(stream, stream, first, None, name, member, sink)

    def header_context(self, line: bytes) -> frozenset[str]:
        return self._core.header_context(line)

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
    ) -> None:
        """Findings of the new text in ``doc``: as JSONL straight from the core when
        ``sink`` has a lane and no signature rule needs YARA, else as findings (text
        read by OCR too: the core's location map has no ``box``)."""
        core = self._core
        lane = sink.lane
        if lane is not None and not core.always_yara and all(w.box is None for w in wheres):
            if self._path_allowed(name):
                return
            seen = [i for i, rule in enumerate(core.rules) if rule in seen_rules]
            rendered, _, found = scan_doc(
                core.engine,
                doc,
                core.bits(header),
                int(_today.compact()),
                lane.path_json,
                lane.member_json(member),
                lane.tally_for(member),
                seen,
            )
            if rendered is not None:
                if found:
                    lane.add_chunks([rendered])
                return
        buf = doc.buffer()
        chosen = self._chosen(buf, header, doc.emit_from, len(buf), seen_rules, member, sink, name)
        if not chosen:
            return
        places = doc.locate([h.start for h in chosen])
        sink.add(
            self._finding(h, _located(offset, line, wheres[place], cell), name, member)
            for h, (offset, line, place, cell) in zip(chosen, places, strict=True)
        )

    def report_encrypted(
        self, sink: Sink, *, name: str, member: str | None, kind: str, detail: str, digest: str
    ) -> None:
        """An encrypted archive or document: a finding of the container itself.

        Its fingerprint is the keyed fingerprint of the container's SHA-256, so the
        same encrypted file is recognised wherever it turns up. When only some
        detectors were asked for, it is an ``encrypted`` error record instead.
        """
        what = f"encrypted {kind}" + (f" ({detail})" if detail else "")
        if self.config.detectors is not None:
            sink.problems.append(Problem("encrypted", f"{what}: cannot be read", True, member))
            return
        finding = Finding(
            detector=ENCRYPTED,
            path=name,
            location=Location(0, 1),
            masked=what,
            fingerprint=self._fingerprint(digest),
            confidence=1.0,
            severity=Severity.MEDIUM,
            member=member,
            value=digest if self.config.reveal else None,
        )
        sink.add((finding,))

    def _sniff(self, first: bytes, stream: BinaryIO, size_hint: int | None) -> Encoding:
        encoding = sniff(first[:SAMPLE_SIZE])
        if (
            encoding.raw
            and not encoding.binary
            and size_hint
            and size_hint > 4 * SAMPLE_SIZE
            and first[:SAMPLE_SIZE].isascii()
            and stream.seekable()
        ):
            # An ASCII head says little: look at the middle of the file as well.
            here = stream.tell()
            stream.seek(size_hint // 2)
            middle = stream.read(SAMPLE_SIZE)
            stream.seek(here)
            mid_guess = sniff(middle[4:])  # skip a possibly cut character
            if not mid_guess.raw and not mid_guess.binary:
                return mid_guess
        return encoding

    def add_name_findings(self, sink: Sink, path: str, member: str | None) -> None:
        """Findings in the name of input ``path`` (or of its ``member``), into ``sink``."""
        if self._path_allowed(path):
            return
        name = member.rsplit("!", 1)[-1] if member is not None else os.path.basename(path)
        found = name_findings(self._core, name, path=path, member=member, reveal=self.config.reveal)
        if not found:
            return
        if member is None and sink.lane is not None:
            sink.lane.add_findings(found)
        else:
            sink.add(found)

    def mask_values(self, text: str) -> str:
        """``text`` (a path) with the values found in it masked: :func:`dlp.names.mask_values`."""
        return mask_values(self._core, text)

    def _path_allowed(self, name: str) -> bool:
        """True when the allowlist drops every finding of input ``name``."""
        allowlist = self.config.allowlist
        return bool(allowlist) and allowlist.allows_path(name)

    def _chosen(
        self,
        buf: bytes,
        header: frozenset[str],
        lo: int,
        hi: int,
        seen_rules: set[str],
        member: str | None,
        sink: Sink,
        name: str,
    ) -> list[Hit]:
        """Hits of ``buf`` that start in ``[lo, hi)``, sorted, after the allowlist and EDM.

        Shared by the text and document paths. A signature rule counts once per
        input (``seen_rules``); a timeout is recorded in ``sink`` and yields nothing.
        """
        if self._path_allowed(name):
            return []
        core = self._core
        chosen, triggered = core.hits(buf, core.bits(header), lo, hi, int(_today.compact()))
        if not core.needs_yara(triggered, seen_rules):
            return chosen
        try:
            signatures = core.signatures(buf, seen_rules)
        except ScanTimeout as exc:
            sink.problems.append(Problem(exc.reason, exc.message, True, member))
            return chosen
        added = False
        for sig in signatures:
            if sig.detector not in seen_rules and (lo <= sig.start < hi or sig.end == 0):
                if self.config.allowlist and core.engine.allows(sig.value):
                    continue
                seen_rules.add(sig.detector)
                chosen.append(sig)
                added = True
        if added:
            chosen.sort(key=_start)
        return chosen

    def _plain(
        self, hits: list[Hit], offsets: list[int], lines: list[int], name: str, member: str | None
    ) -> list[Finding]:
        """Findings of ``hits`` in plain text (what :meth:`_finding` makes, faster)."""
        if self.edm_index is not None:  # EDM hits carry a column and the value as written
            return [
                self._finding(h, Location(offset, line), name, member)
                for h, offset, line in zip(hits, offsets, lines, strict=True)
            ]
        return plain_findings(name, member, hits, offsets, lines, self.config.reveal)

    def _finding(self, h: Hit, location: Location, name: str, member: str | None) -> Finding:
        revealed = (h.written if h.detector == EDM else h.value) if self.config.reveal else None
        return Finding(
            detector=h.detector,
            path=name,
            location=location,
            masked=h.masked,
            fingerprint=h.fingerprint,
            confidence=h.confidence,
            severity=h.severity,
            member=member,
            value=revealed,
            column=h.column,
        )


def read_problem(exc: OSError) -> Problem:
    """What a failed read of an open input is reported as (it vanished, or an I/O error)."""
    if isinstance(exc, FileNotFoundError):
        return Problem("vanished", "removed while it was read", True)
    return Problem("unreadable", exc.strerror or "read error", True)


def _start(hit: Hit) -> int:
    return hit.start


def _located(offset: int, line: int, where: Where, cell: str | None) -> Location:
    return Location(
        offset, line, where.sheet, cell or where.cell, where.part, where.paragraph, where.page, box=where.box
    )


def scan_path(path: str | Path, config: ScanConfig | None = None) -> list[ScanResult]:
    """Convenience: scan a file or folder with a fresh scanner."""
    return list(Scanner(config).scan_paths([path]))
