"""Decoding a picture for OCR without letting it take the machine.

Pillow reads a picture's header first: its declared width and height are checked
against ``ocr_max_declared_pixels`` before any pixel is decoded, so a
decompression bomb (a small PNG declaring 100,000 x 100,000 pixels) is refused
at once (reported as ``limit_pixels``). Pillow's own guard
(``Image.MAX_IMAGE_PIXELS``, a warning or error while opening) is turned into the
same record. Animated GIFs
and multi-page TIFFs give their first frame. A picture over ``ocr_max_pixels``
is scaled down (its aspect ratio kept) while it is decoded where the format allows
(``draft`` for JPEG) and by resampling otherwise; boxes are then reported in
the original picture's pixels.
"""

from __future__ import annotations

import io
import math
import warnings
from dataclasses import dataclass
from typing import Any, BinaryIO

from dlp.extract.base import Corrupt, LimitHit


@dataclass(frozen=True, slots=True)
class Picture:
    image: Any
    """The decoded RGB :class:`PIL.Image.Image` (scaled down when over the cap)."""
    scale: float
    """Original pixels per decoded pixel (1.0 when not scaled)."""
    size: tuple[int, int]
    """The picture's own width and height."""


def decode(source: BinaryIO | bytes, *, max_pixels: int, max_declared: int, label: str) -> Picture:
    """The first frame of a picture as RGB, at most ``max_pixels`` large."""
    from PIL import Image, UnidentifiedImageError

    stream = io.BytesIO(source) if isinstance(source, bytes) else source
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(stream)
            width, height = image.size
            if width <= 0 or height <= 0:
                raise Corrupt(f"{label}: a picture without pixels")
            if width * height > max_declared:
                raise LimitHit(
                    "limit_pixels",
                    f"{label}: declares {width}x{height} pixels (limit {max_declared}): not decoded",
                )
            scale = 1.0
            if width * height > max_pixels:
                scale = math.sqrt(width * height / max_pixels)
                if image.format == "JPEG":
                    image.draft("RGB", (int(width / scale), int(height / scale)))
            image.seek(0)
            frame = _rgb(image)
            if frame.width * frame.height > max_pixels:
                target = (max(1, int(width / scale)), max(1, int(height / scale)))
                frame = frame.resize(target, Image.Resampling.LANCZOS)
            return Picture(frame, width / frame.width, (width, height))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise LimitHit("limit_pixels", f"{label}: too many pixels: not decoded") from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError, MemoryError) as exc:
        raise Corrupt(f"{label}: damaged or unsupported picture ({type(exc).__name__})") from None


def _rgb(image: Any) -> Any:
    """The current frame as RGB; transparency goes onto white (screenshots with alpha)."""
    from PIL import Image

    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert("RGB")
    return image.convert("RGB")
