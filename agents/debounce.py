"""Turn bursts of file events into one scan per file, once the file has settled.

A path is *due* a quiet period after its last event, or at once when an event says
the file is complete (renamed into place, closed after writing). A path that is
being scanned is never handed out twice; if it changes meanwhile it is handed out
again after the scan is done.

>>> d = Debouncer(quiet=60)
>>> d.touch("/w/a.csv", settled=True); d.touch("/w/b.csv")
>>> d.get(timeout=0), d.get(timeout=0)
('/w/a.csv', None)
"""

from __future__ import annotations

import heapq
import itertools
import threading
import time
from collections.abc import Callable


class Debouncer:
    def __init__(self, quiet: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.quiet = quiet
        self._clock = clock
        self._cond = threading.Condition()
        self._due: dict[str, float] = {}
        self._heap: list[tuple[float, int, str]] = []
        self._seq = itertools.count()
        self._active: set[str] = set()
        self._closed = False

    def __len__(self) -> int:
        """Paths waiting or being scanned."""
        with self._cond:
            return len(self._due) + len(self._active - self._due.keys())

    def touch(self, path: str, *, settled: bool = False) -> None:
        """Record an event for ``path``; ``settled`` means it is complete now."""
        with self._cond:
            due = self._clock() + (0.0 if settled else self.quiet)
            self._due[path] = due
            heapq.heappush(self._heap, (due, next(self._seq), path))
            self._cond.notify()

    def get(self, timeout: float | None = None) -> str | None:
        """The next settled path (marked active), or ``None`` after ``timeout`` seconds or on close."""
        deadline = None if timeout is None else self._clock() + timeout
        with self._cond:
            while not self._closed:
                now = self._clock()
                wait = self._pop_due(now)
                if isinstance(wait, str):
                    return wait
                if deadline is not None:
                    if now >= deadline:
                        return None
                    wait = deadline - now if wait is None else min(wait, deadline - now)
                self._cond.wait(wait)
            return None

    def _pop_due(self, now: float) -> str | float | None:
        """A due path, else the seconds until the next one could be due (``None``: nothing waits)."""
        parked = []
        result: str | float | None = None
        while self._heap:
            due, seq, path = self._heap[0]
            if self._due.get(path) != due:  # superseded by a later event
                heapq.heappop(self._heap)
                continue
            if due > now:
                result = due - now
                break
            heapq.heappop(self._heap)
            if path in self._active:  # scanned right now: hand it out after done()
                parked.append((due, seq, path))
                continue
            del self._due[path]
            self._active.add(path)
            result = path
            break
        for item in parked:
            heapq.heappush(self._heap, item)
        if parked and result is None:
            result = self.quiet or 0.05
        return result

    def done(self, path: str) -> None:
        """The scan of ``path`` has finished."""
        with self._cond:
            self._active.discard(path)
            self._cond.notify_all()

    def close(self) -> None:
        """Wake every waiter; :meth:`get` returns ``None`` from now on."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
