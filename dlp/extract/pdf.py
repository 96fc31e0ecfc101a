"""PDF text, page by page, with pypdfium2 (PDFium, the PDF engine of Chrome).

PDFium maps fonts to Unicode through their ToUnicode maps and the CJK character
collections it bundles (Adobe-GB1, -CNS1, -Japan1, -Korea1), so text set in
STSong-Light or SimSun comes out as Chinese; characters come in content-stream
order, so the columns of a two-column page are read one after the other. One
segment per page, located by ``page`` (1-based). A PDF encrypted with a user
password cannot be read: it is reported as an encrypted container. Scanned
images carry no text (no OCR).

PDFium inflates a page's content streams whole and cannot be stopped while it
does, so every Flate stream of the file is inflated here first, piece by piece,
through the input's budgets (:func:`check_streams`): a 306 KB PDF holding one
300 MiB stream ends in ``limit_ratio`` after the first MiB that breaks the ratio,
before PDFium sees it. Time is checked between pages and inside that pass.
"""

from __future__ import annotations

import io
import re
import zlib
from collections.abc import Iterator
from typing import BinaryIO

from dlp.extract.base import Context, Corrupt, Encrypted, LimitHit, Segment, Where
from dlp.extract.limits import RATIO_FLOOR

WINDOW = 16 * 1024 * 1024
IN_MEMORY = 128 * 1024 * 1024
PIECE = 64 * 1024
_STREAM = re.compile(rb"(?<!end)stream(?:\r\n|\n|\r)")
_DICT_BACK = 2048
_FLATE = re.compile(rb"/(?:FlateDecode|Fl)\b")
FPDF_ERR_PASSWORD = 4


def extract(source: BinaryIO, ctx: Context) -> Iterator[Segment]:
    import pypdfium2 as pdfium

    source.seek(0, 2)
    size = source.tell()
    source.seek(0)
    # PDFium reads a buffer in memory much faster than through Python callbacks.
    data: BinaryIO | bytes = source.read() if size <= IN_MEMORY else source
    check_streams(io.BytesIO(data) if isinstance(data, bytes) else source, ctx)
    source.seek(0)
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
            yield Segment(text, Where(page=pages))
    except pdfium.PdfiumError:
        raise Corrupt(f"damaged PDF data after page {pages}") from None
    finally:
        document.close()


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
