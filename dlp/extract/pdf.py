"""PDF text, page by page, with pdfminer.six.

pdfminer reads the file lazily (objects are loaded as pages need them) and maps
CID fonts to Unicode through the font's ToUnicode map or the Adobe CJK
collections it ships (Adobe-GB1, -CNS1, -Japan1, -Korea1), so text set in
STSong-Light or SimSun comes out as Chinese. Layout analysis puts the characters
of each line in reading order. One segment per page, located by ``page``
(1-based). A PDF encrypted with a user password cannot be read: it is reported
as an encrypted container. Scanned images carry no text (no OCR).
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
            yield Segment(out.getvalue().replace("\x0c", "\n"), Where(page=number))
    except (PDFPasswordIncorrect, PDFEncryptionError):
        raise Encrypted("password-protected PDF", "pdf") from None
    except (PSException, ValueError, KeyError, TypeError, IndexError, AttributeError, OSError):
        raise Corrupt(f"damaged PDF data after page {pages}") from None
    if pages == 0:
        raise Corrupt("no readable pages in this PDF (damaged or truncated)")
