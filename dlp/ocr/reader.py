"""What a scanner keeps for OCR: its configuration, the per-scan picture quota,
and one engine, built when the first picture is read (so a scan that meets no
picture never loads the models)."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from dlp.ocr.engine import OcrEngine, require
from dlp.ocr.quota import Quota

if TYPE_CHECKING:
    from dlp.config import ScanConfig


class OcrReader:
    def __init__(self, config: ScanConfig, quota: Quota | None = None) -> None:
        require()
        self.config = config
        self.quota = quota or Quota.shared(config.ocr_max_images_total)
        self._engine: OcrEngine | None = None
        self._lock = threading.Lock()

    @property
    def engine(self) -> OcrEngine:
        with self._lock:
            if self._engine is None:
                self._engine = OcrEngine()
            return self._engine
