"""Reading the text in pictures (optional: ``pip install 'dlp[ocr]'``).

- :mod:`dlp.ocr.engine`: one RapidOCR engine (PP-OCR models shipped inside the
  ``rapidocr`` wheel, run by onnxruntime on one thread), built on first use;
- :mod:`dlp.ocr.picture`: decoding a picture safely (declared size checked before
  decoding, first frame, scaled down to the pixel cap);
- :mod:`dlp.ocr.repair`: fixes for the mistakes OCR makes, applied to OCR text only;
- :mod:`dlp.ocr.quota`: how many pictures one scan may read.

The text lines it reads are scanned by the same core and detectors as any other
text (:mod:`dlp.extract.image`).
"""

from __future__ import annotations

INSTALL_HINT = "OCR needs the optional extra: pip install 'dlp[ocr]' (rapidocr, onnxruntime, pypdfium2)"
