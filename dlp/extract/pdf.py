"""PDF text, page by page, with pdfminer.six.

pdfminer reads the file lazily (objects are loaded as pages need them) and maps
CID fonts to Unicode through the font's ToUnicode map or the Adobe CJK
collections it ships (Adobe-GB1, -CNS1, -Japan1, -Korea1), so text set in
STSong-Light or SimSun comes out as Chinese. Layout analysis puts the characters
of each line in reading order. One segment per page, located by ``page``
(1-based). A PDF encrypted with a user password cannot be read: it is reported
as an encrypted container. Pages without text (scanned pages) are read by OCR
when the scan asks for it (:mod:`dlp.extract.pdfscan`), after the text pages.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from typing import BinaryIO

from dlp.extract.base import Context, Corrupt, Encrypted, Segment, Where


def _quiet() -> None:
    """pdfminer warns on stderr about every odd font; keep that out of the report unless asked."""
    log = logging.getLogger("pdfminer")
    if log.level == logging.NOTSET:
        log.setLevel(logging.ERROR)


def extract(source: BinaryIO, ctx: Context) -> Iterator[Segment]:
    from pdfminer.converter import TextConverter
    from pdfminer.layout import LAParams
    from pdfminer.pdfdocument import PDFDocument, PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdfparser import PDFParser
    from pdfminer.psparser import PSException

    _quiet()
    source.seek(0)
    try:
        document = PDFDocument(PDFParser(source))
    except (PDFPasswordIncorrect, PDFEncryptionError):
        raise Encrypted("password-protected PDF", "pdf") from None
    except (PSException, ValueError, KeyError, TypeError, IndexError, AttributeError, OSError):
        raise Corrupt("not a readable PDF (damaged or truncated)") from None
    resources = PDFResourceManager(caching=True)
    params = LAParams()
    pages = 0
    blank: list[int] = []  # 0-based pages without a text layer
    try:
        for number, page in enumerate(PDFPage.create_pages(document), 1):
            ctx.check_time()
            out = io.StringIO()
            device = TextConverter(resources, out, laparams=params)
            try:
                PDFPageInterpreter(resources, device).process_page(page)
            finally:
                device.close()
            pages = number
            text = out.getvalue().replace("\x0c", "\n")
            if text.strip():
                yield Segment(text, Where(page=number))
            else:
                blank.append(number - 1)
    except (PDFPasswordIncorrect, PDFEncryptionError):
        raise Encrypted("password-protected PDF", "pdf") from None
    except (PSException, ValueError, KeyError, TypeError, IndexError, AttributeError, OSError):
        raise Corrupt(f"damaged PDF data after page {pages}") from None
    if pages == 0:
        raise Corrupt("no readable pages in this PDF (damaged or truncated)")
    if blank and ctx.ocr is not None:
        yield from _scanned(source, blank, ctx)


def _scanned(source: BinaryIO, blank: list[int], ctx: Context) -> Iterator[Segment]:
    import pypdfium2

    from dlp.extract import pdfscan

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
