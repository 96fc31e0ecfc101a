"""PDF text, page by page, with pypdfium2 (PDFium, the PDF engine of Chrome).

PDFium maps fonts to Unicode through their ToUnicode maps and the CJK character
collections it bundles (Adobe-GB1, -CNS1, -Japan1, -Korea1), so text set in
STSong-Light or SimSun comes out as Chinese; characters come in content-stream
order, so the columns of a two-column page are read one after the other. One
segment per page, located by ``page`` (1-based). A PDF encrypted with a user
password cannot be read: it is reported as an encrypted container. Pages without
text (scanned pages) are read by OCR when the scan asks for it
(:mod:`dlp.extract.pdfscan`), after the text pages.

PDFium inflates a page's content streams whole and cannot be stopped while it
does, so every Flate stream of the file is inflated here first, piece by piece,
through the input's budgets (:func:`check_streams`): a 306 KB PDF holding one
300 MiB stream ends in ``limit_ratio`` after the first MiB that breaks the ratio,
before PDFium sees it. Then, where the platform can fork (Linux, macOS), PDFium
runs in a child process (:func:`_forked`) under an address-space limit, sending
page texts back as it reads them, and is killed when the input's time budget is
spent (``limit_time``): no page, filter or crash in PDFium can stall or end the
scan. Elsewhere it runs in-process with the time checked between pages.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import select
import signal
import struct
import time
import warnings
import zlib
from collections.abc import Iterator
from typing import BinaryIO

from dlp.extract.base import Context, Corrupt, Encrypted, ExtractError, LimitHit, Segment, Where
from dlp.extract.limits import RATIO_FLOOR

WINDOW = 16 * 1024 * 1024
IN_MEMORY = 128 * 1024 * 1024
PIECE = 64 * 1024
_STREAM = re.compile(rb"(?<!end)stream(?:\r\n|\n|\r)")
_DICT_BACK = 2048
_FLATE = re.compile(rb"/(?:FlateDecode|Fl)\b")
FPDF_ERR_PASSWORD = 4
CHILD_MEMORY = 1 << 30
"""Address space a PDF parsing child may add to what it inherits."""
IN_PROCESS_ENV = "DLP_PDF_IN_PROCESS"
"""Set to 1 to parse PDFs in the scanning process (no fork; time checked between pages)."""


def extract(source: BinaryIO, ctx: Context) -> Iterator[Segment]:
    source.seek(0, 2)
    size = source.tell()
    source.seek(0)
    # PDFium reads a buffer in memory much faster than through Python callbacks.
    data: BinaryIO | bytes = source.read() if size <= IN_MEMORY else source
    check_streams(io.BytesIO(data) if isinstance(data, bytes) else source, ctx)
    source.seek(0)
    if isinstance(data, bytes) and hasattr(os, "fork") and os.environ.get(IN_PROCESS_ENV) != "1":
        pages = _forked(data, ctx)
    else:
        pages = _pages(data, ctx)
    blank: list[int] = []
    for number, text in enumerate(pages, 1):
        if text.strip():
            yield Segment(text, Where(page=number))
        else:
            blank.append(number - 1)
    if blank and ctx.ocr is not None:
        yield from _scanned(source, blank, ctx)


def _scanned(source: BinaryIO, blank: list[int], ctx: Context) -> Iterator[Segment]:
    """OCR of the pages without text (in this process: OCR is opt-in and bounded by
    its own budgets, see :mod:`dlp.extract.pdfscan`)."""
    import pypdfium2

    from dlp.extract import pdfscan

    source.seek(0)
    try:
        document = pdfscan.open_document(source)
    except pypdfium2.PdfiumError:
        raise Corrupt("scanned pages cannot be rendered (damaged PDF)") from None
    try:
        yield from pdfscan.scanned_pages(document, blank, ctx)
    except pypdfium2.PdfiumError:
        raise Corrupt("a scanned page cannot be rendered (damaged PDF)") from None
    finally:
        document.close()


def _pages(data: BinaryIO | bytes, ctx: Context | None) -> Iterator[str]:
    """The text of every page, read with PDFium in this process."""
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(data, autoclose=False)
    except pdfium.PdfiumError as exc:
        if getattr(exc, "err_code", None) == FPDF_ERR_PASSWORD:
            raise Encrypted("password-protected PDF", "pdf") from None
        raise Corrupt("not a readable PDF (damaged or truncated)") from None
    pages = 0
    try:
        count = len(document)
        if count == 0:
            raise Corrupt("no readable pages in this PDF (damaged or truncated)")
        for index in range(count):
            if ctx is not None:
                ctx.check_time()
            page = document[index]
            try:
                textpage = page.get_textpage()
                try:
                    text = textpage.get_text_range()
                finally:
                    textpage.close()
            finally:
                page.close()
            pages = index + 1
            yield text
    except pdfium.PdfiumError:
        raise Corrupt(f"damaged PDF data after page {pages}") from None
    finally:
        document.close()


def _forked(data: bytes, ctx: Context) -> Iterator[str]:
    """:func:`_pages` in a forked child that the time budget can stop.

    PDFium cannot be interrupted while it lays out a page, and a crash in it would
    end the scan: the child parses, under an address-space limit of
    ``CHILD_MEMORY`` more than it starts with, and sends each page's text through a
    pipe; the parent waits for it only until the input's deadline, then kills it
    (``limit_time``). A child that dies gives ``corrupt`` (or ``limit_bytes`` when it
    ran out of memory); what it sent before counts.
    """
    import pypdfium2  # noqa: F401 - loaded and initialised once, inherited by every child

    read_end, write_end = os.pipe()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # fork with threads: the child only parses
        pid = os.fork()
    if pid == 0:  # the child: never returns
        code = 0
        try:
            os.close(read_end)
            _limit_memory()
            with os.fdopen(write_end, "wb") as out:
                try:
                    for text in _pages(data, None):
                        body = text.encode("utf-8", "surrogatepass")
                        out.write(b"T" + struct.pack("<Q", len(body)) + body)
                    out.write(b"D")
                except Encrypted:
                    out.write(b"P")
                except Corrupt as exc:
                    body = exc.message.encode()
                    out.write(b"C" + struct.pack("<Q", len(body)) + body)
                except MemoryError:
                    out.write(b"M")
        except BaseException:
            code = 1
        finally:
            os._exit(code)
    os.close(write_end)
    reader = _Reader(read_end, ctx)
    finished = False
    try:
        while True:
            kind = reader.take(1)
            if kind == b"T":
                (length,) = struct.unpack("<Q", reader.take(8))
                yield reader.take(length).decode("utf-8", "surrogatepass")
            elif kind == b"D":
                finished = True
                return
            elif kind == b"P":
                raise Encrypted("password-protected PDF", "pdf")
            elif kind == b"C":
                (length,) = struct.unpack("<Q", reader.take(8))
                raise Corrupt(reader.take(length).decode("utf-8", "replace"))
            elif kind == b"M":
                raise LimitHit("limit_bytes", f"{ctx.name}: the PDF parser ran out of its memory budget")
            else:  # the child died without a word
                raise _death(pid)
    finally:
        os.close(read_end)
        if not finished:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)


class _Reader:
    """Exact reads from the child's pipe, stopped by the input's deadline."""

    def __init__(self, fd: int, ctx: Context) -> None:
        self._fd = fd
        self._ctx = ctx
        self._buf = bytearray()

    def take(self, n: int) -> bytes:
        while len(self._buf) < n:
            left = self._ctx.budget.deadline - time.monotonic()
            if left <= 0:
                self._ctx.check_time()
            ready, _, _ = select.select([self._fd], [], [], max(0.0, min(left, 1.0)))
            if not ready:
                self._ctx.check_time()
                continue
            block = os.read(self._fd, 1 << 20)
            if not block:
                return bytes(self._buf[:0])  # end of pipe: the caller sees an unknown kind
            self._buf += block
        out = bytes(self._buf[:n])
        del self._buf[:n]
        return out


def _death(pid: int) -> ExtractError:
    """What a child that ended without finishing is reported as."""
    try:
        _, status = os.waitpid(pid, 0)
    except ChildProcessError:
        return Corrupt("the PDF parser failed on this file")
    if os.WIFSIGNALED(status) and os.WTERMSIG(status) in (signal.SIGKILL, signal.SIGABRT, signal.SIGSEGV):
        return Corrupt(f"the PDF parser failed on this file (signal {os.WTERMSIG(status)})")
    return Corrupt("the PDF parser failed on this file")


def _limit_memory() -> None:
    """Cap the child's address space at what it has plus ``CHILD_MEMORY`` (Linux)."""
    try:
        import resource

        with open("/proc/self/statm", encoding="ascii") as handle:
            pages = int(handle.read().split()[0])
        limit = pages * os.sysconf("SC_PAGE_SIZE") + CHILD_MEMORY
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (OSError, ValueError, ImportError):
        pass


def check_streams(source: BinaryIO, ctx: Context) -> None:
    """Inflate every Flate stream of the PDF in ``source`` through the budgets.

    Raises :class:`LimitHit` (``limit_ratio``) for a stream that expands more
    than the ratio allows once past ``RATIO_FLOOR``, or (``limit_bytes``) when the
    streams together exceed the bytes budget; output is counted, never kept.
    """
    cfg = ctx.budget.config
    source.seek(0)
    base = 0
    total = 0
    carry = b""
    while True:
        block = source.read(WINDOW)
        if not block:
            return
        data = carry + block
        start_of_data = base - len(carry)
        for match in _STREAM.finditer(data):
            head = data[max(0, match.start() - _DICT_BACK) : match.start()]
            opened = head.rfind(b"obj")
            if not _FLATE.search(head[opened + 3 if opened >= 0 else 0 :]):
                continue
            produced = _inflate(source, start_of_data + match.end(), ctx, cfg.max_ratio, total)
            total += produced
            if total > cfg.max_archive_bytes:
                raise LimitHit(
                    "limit_bytes", f"{ctx.name}: PDF streams inflate to over {cfg.max_archive_bytes} bytes"
                )
        base += len(block)
        carry = data[-_DICT_BACK:]
        source.seek(base)


def _inflate(source: BinaryIO, at: int, ctx: Context, ratio: float, before: int) -> int:
    """Bytes the Flate stream at offset ``at`` inflates to (stopping at the limits)."""
    inflater = zlib.decompressobj()
    source.seek(at)
    consumed = produced = 0
    limit_bytes = ctx.budget.config.max_archive_bytes
    while not inflater.eof:
        piece = source.read(PIECE)
        if not piece:
            break
        consumed += len(piece)
        data = piece
        while data:
            try:
                out = inflater.decompress(data, PIECE)
            except zlib.error:
                return produced  # not Flate data after all: PDFium will judge it
            produced += len(out)
            data = inflater.unconsumed_tail
            if produced > RATIO_FLOOR and produced > ratio * max(consumed - len(data), 1):
                raise LimitHit(
                    "limit_ratio", f"{ctx.name}: a PDF stream expands over {ratio:g} times its size"
                )
            if before + produced > limit_bytes:
                raise LimitHit("limit_bytes", f"{ctx.name}: PDF streams inflate to over {limit_bytes} bytes")
            if inflater.eof or not out:
                break
        ctx.check_time()
    return produced
