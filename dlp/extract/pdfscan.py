"""Scanned PDF pages: pages without a text layer, rendered with pypdfium2 and read by OCR.

:func:`scanned_pages` takes an open :class:`pypdfium2.PdfDocument` and the pages
(0-based) the text extractor found no text on; each is rendered at ``DPI``
(less when that would exceed ``ocr_max_pixels``) and read like a picture
(:func:`dlp.extract.image.read`): its segments carry ``page`` (1-based) and the
``box`` of each line in pixels of the rendered page. A page counts as one picture
against the OCR budgets. :func:`has_text` tells whether a page has a text layer.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from typing import Any

from dlp.extract.base import Context, Segment
from dlp.extract.image import read

DPI = 200
"""Rendering resolution: small print (8 pt) is then about 22 pixels high, what the OCR models read well."""


def has_text(page: Any) -> bool:
    """True when a pypdfium2 page has characters in its text layer."""
    textpage = page.get_textpage()
    try:
        return bool(textpage.get_text_range().strip())
    finally:
        textpage.close()


def scanned_pages(document: Any, indexes: Iterable[int], ctx: Context) -> Iterator[Segment]:
    """OCR segments of the pages ``indexes`` (0-based) of ``document``."""
    if ctx.ocr is None:
        return
    max_pixels = ctx.ocr.config.ocr_max_pixels
    for index in indexes:
        ctx.check_time()
        page = document[index]
        try:
            width, height = page.get_size()  # points (1/72 inch)
            scale = DPI / 72
            if width * height * scale * scale > max_pixels:
                scale = math.sqrt(max_pixels / max(width * height, 1.0))
            bitmap = page.render(scale=scale)
            image = bitmap.to_pil().convert("RGB")
            bitmap.close()
        finally:
            page.close()
        yield from read(image, ctx, f"{ctx.name} page {index + 1}", page=index + 1)


def open_document(source: Any) -> Any:
    """A pypdfium2 document over a seekable binary stream (pdfium reads it in place)."""
    import pypdfium2

    source.seek(0)
    return pypdfium2.PdfDocument(source)
