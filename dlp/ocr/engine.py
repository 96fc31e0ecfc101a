"""One OCR engine: RapidOCR with the PP-OCR models its wheel ships, on one thread.

The models are named by path (``rapidocr/models/*.onnx`` inside the installed
package), never by a model key, so RapidOCR has nothing to download: a missing
file is an error, not a fetch. onnxruntime runs each model with one intra-op and
one inter-op thread; parallelism comes from scanning files in several processes
(``dlp scan -j``), each with its own engine.

Recognition runs in batches of text lines, so a picture's time budget is checked
between batches: when it is spent, the lines read so far are returned with
``complete=False``.
"""

from __future__ import annotations

import importlib.util
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dlp.errors import ConfigError
from dlp.ocr import INSTALL_HINT

MODELS = {
    "Det": "PP-OCRv6_det_small.onnx",
    "Cls": "ch_ppocr_mobile_v2.0_cls_mobile.onnx",
    "Rec": "PP-OCRv6_rec_small.onnx",
}
"""The model files of the ``rapidocr`` wheel (3.10) that are used, by stage."""
BATCH = 6
"""Text lines recognised per batch (RapidOCR's default); the time budget is checked between batches."""


def available() -> bool:
    """True when the ``ocr`` extra is installed (checked without importing it)."""
    return all(importlib.util.find_spec(name) is not None for name in ("rapidocr", "onnxruntime"))


def require() -> None:
    """Raise :class:`ConfigError` saying how to install the extra when it is missing."""
    if not available():
        raise ConfigError(INSTALL_HINT)


def model_paths() -> dict[str, Path]:
    """The model files used, inside the installed ``rapidocr`` package."""
    spec = importlib.util.find_spec("rapidocr")
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError(INSTALL_HINT)
    root = Path(next(iter(spec.submodule_search_locations))) / "models"
    paths = {stage: root / name for stage, name in MODELS.items()}
    missing = [str(p) for p in paths.values() if not p.is_file()]
    if missing:
        raise ConfigError(f"the installed rapidocr does not ship {', '.join(missing)}: {INSTALL_HINT}")
    return paths


@dataclass(frozen=True, slots=True)
class Line:
    """One line of text read in a picture, with its box in the picture's pixels."""

    text: str
    box: tuple[int, int, int, int]
    """``(x0, y0, x1, y1)``: left, top, right, bottom."""
    score: float


@dataclass(frozen=True, slots=True)
class Reading:
    lines: tuple[Line, ...]
    complete: bool
    """False when the time budget ran out before every line was recognised."""


class OcrEngine:
    """Detects text lines in a picture and recognises them; thread-safe (one at a time)."""

    def __init__(self, *, min_score: float = 0.5) -> None:
        require()
        import cv2
        from rapidocr import RapidOCR

        cv2.setNumThreads(1)  # resizing and cropping on this thread too: parallelism is across processes
        paths = model_paths()
        params: dict[str, Any] = {
            "Global.log_level": "error",
            "Global.text_score": min_score,
            "EngineConfig.onnxruntime.intra_op_num_threads": 1,
            "EngineConfig.onnxruntime.inter_op_num_threads": 1,
        }
        for stage, path in paths.items():
            params[f"{stage}.model_path"] = str(path)
        self.models = paths
        self._ocr = RapidOCR(params=params)
        self._min_score = min_score
        self._lock = threading.Lock()

    def read(self, image: Any, deadline: float) -> Reading:
        """The text lines of ``image`` (an RGB :class:`PIL.Image.Image`), in the detector's reading order."""
        with self._lock:
            return self._read(image, deadline)

    def _read(self, image: Any, deadline: float) -> Reading:
        # RapidOCR's own steps (what RapidOCR.__call__ runs), with recognition in
        # batches so that the time budget is checked between them.
        from rapidocr.main import RapidOCRError
        from rapidocr.utils.process_img import map_boxes_to_original

        ocr = self._ocr
        original = ocr.load_img(image)
        height, width = original.shape[:2]
        img, record = ocr.preprocess_img(original)
        try:
            crops, found = ocr.detect_and_crop(img, record)
        except RapidOCRError:  # no text in the picture
            return Reading((), True)
        boxes = map_boxes_to_original(found.boxes, record, height, width)
        # Lines of similar shape share a batch (less padding), as RapidOCR's recogniser does.
        order = sorted(range(len(crops)), key=lambda i: crops[i].shape[1] / max(crops[i].shape[0], 1))
        texts: dict[int, tuple[str, float]] = {}
        complete = True
        for start in range(0, len(order), BATCH):
            if time.monotonic() > deadline:
                complete = False
                break
            batch = order[start : start + BATCH]
            try:
                turned, _ = ocr.cls_and_rotate([crops[i] for i in batch])
                read = ocr.recognize_txt(turned)
            except RapidOCRError:
                continue
            for i, text, score in zip(batch, read.txts, read.scores, strict=False):
                texts[i] = (text, float(score))
        lines = [
            Line(text.strip(), _bounds(boxes[i]), score)
            for i, (text, score) in sorted(texts.items())
            if text.strip() and score >= self._min_score
        ]
        return Reading(tuple(lines), complete)


def _bounds(box: Any) -> tuple[int, int, int, int]:
    xs = [float(p[0]) for p in box]
    ys = [float(p[1]) for p in box]
    return (round(min(xs)), round(min(ys)), round(max(xs)), round(max(ys)))
