"""How many pictures one scan may read (``ocr_max_images_total``).

A :class:`Quota` counts in one process; :meth:`Quota.shared` makes one whose
count lives in shared memory, so the worker processes of ``dlp scan -j N`` draw
from one budget.
"""

from __future__ import annotations

import multiprocessing
import threading
from typing import Any


class Quota:
    def __init__(self, limit: int, counter: Any = None) -> None:
        self.limit = limit
        self._counter = counter
        self._taken = 0
        self._lock = threading.Lock()

    @classmethod
    def shared(cls, limit: int) -> Quota:
        """A quota that worker processes started after it share (pass it to them)."""
        return cls(limit, multiprocessing.get_context("spawn").Value("q", 0))

    def take(self) -> bool:
        """Take one picture from the budget; False when it is spent."""
        if self._counter is None:
            with self._lock:
                if self._taken >= self.limit:
                    return False
                self._taken += 1
                return True
        with self._counter.get_lock():
            if self._counter.value >= self.limit:
                return False
            self._counter.value += 1
            return True

    def __getstate__(self) -> dict[str, Any]:
        return {"limit": self.limit, "counter": self._counter}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["limit"], state["counter"])  # type: ignore[misc]
