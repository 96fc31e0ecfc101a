"""Pictures (PNG, JPEG, BMP, TIFF, WebP, GIF), read by OCR when the scan asks for it.

Each text line the OCR engine reads (:mod:`dlp.ocr.engine`) is one segment,
after the OCR-only repairs (:mod:`dlp.ocr.repair`), located by its ``box``
(``[x0, y0, x1, y1]`` in the picture's pixels) and, for a rendered PDF page, its
``page``. The budgets: pictures per input (``ocr_max_images``) and per scan
(``ocr_max_images_total``) give ``limit_images``; a picture declaring more pixels
than ``ocr_max_declared_pixels`` gives ``limit_pixels`` undecoded; a picture that
takes over ``ocr_timeout`` seconds gives ``limit_ocr_time`` after the lines read
so far were scanned. None of them ends the container the picture is in.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any, BinaryIO

from dlp.extract.base import Context, LimitHit, Segment, Where
from dlp.ocr.repair import repair


def extract(source: BinaryIO, ctx: Context) -> Iterator[Segment]:
    source.seek(0)
    yield from read(source, ctx, ctx.name)


def read(source: BinaryIO | Any, ctx: Context, label: str, page: int | None = None) -> Iterator[Segment]:
    """OCR one picture: an encoded picture (a stream) or an already decoded PIL image."""
    from dlp.ocr.picture import Picture, decode

    ocr = ctx.ocr
    if ocr is None:
        return
    config = ocr.config
    ctx.admit_picture(label)
    if hasattr(source, "read"):
        picture = decode(
            source,
            max_pixels=config.ocr_max_pixels,
            max_declared=config.ocr_max_declared_pixels,
            label=label,
        )
    else:
        picture = Picture(source, 1.0, source.size)
    reading = ocr.engine.read(picture.image, time.monotonic() + config.ocr_timeout)
    scale = picture.scale
    for line in reading.lines:
        box = tuple(round(v * scale) for v in line.box)
        yield Segment(repair(line.text), Where(page=page, box=box))  # type: ignore[arg-type]
    if not reading.complete:
        raise LimitHit(
            "limit_ocr_time",
            f"{label}: OCR ran past {config.ocr_timeout:g} s; the rest of the picture is not read",
        )
