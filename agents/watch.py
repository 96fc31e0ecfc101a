"""watchdog glue: a handler that only enqueues, and observers that are native or polling.

An exception raised in a watchdog handler kills the observer thread silently, so
the handler does nothing but hand paths to callbacks that put them in queues, and
guards even that.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections.abc import Callable

from watchdog.events import (
    DirCreatedEvent,
    DirMovedEvent,
    FileClosedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver, ObservedWatch
from watchdog.observers.polling import PollingObserver

from dlp.agents.mounts import is_network, read_mounts

log = logging.getLogger(__name__)
EVENTS = [
    DirCreatedEvent,
    DirMovedEvent,
    FileClosedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
]


def _text(path: str | bytes) -> str:
    return os.fsdecode(path)


class EnqueueHandler(FileSystemEventHandler):
    """Maps events to three callbacks, each of which must only enqueue.

    ``on_file(path, settled)``: a file changed (``settled`` when it was renamed into
    place or closed after writing); ``on_dir(path)``: a folder appeared (created,
    moved in, or a drive mounted); ``on_gone(path)``: a file was deleted or moved away.
    """

    def __init__(
        self,
        on_file: Callable[[str, bool], None],
        on_dir: Callable[[str], None],
        on_gone: Callable[[str], None],
    ) -> None:
        self._on_file, self._on_dir, self._on_gone = on_file, on_dir, on_gone

    def on_any_event(self, event: FileSystemEvent) -> None:
        try:
            self._dispatch(event)
        except Exception as exc:  # never let an exception reach the observer thread
            log.error("event handler error (%s); event dropped", type(exc).__name__)

    def _dispatch(self, event: FileSystemEvent) -> None:
        if isinstance(event, FileMovedEvent):
            self._on_gone(_text(event.src_path))
            self._on_file(_text(event.dest_path), True)
        elif isinstance(event, DirMovedEvent):
            self._on_dir(_text(event.dest_path))
        elif isinstance(event, DirCreatedEvent):
            self._on_dir(_text(event.src_path))
        elif isinstance(event, FileClosedEvent):
            self._on_file(_text(event.src_path), True)
        elif isinstance(event, (FileCreatedEvent, FileModifiedEvent)):
            self._on_file(_text(event.src_path), False)
        elif isinstance(event, FileDeletedEvent):
            self._on_gone(_text(event.src_path))


class Watcher:
    """Recursive watches on folders, each with native events or polling.

    Polling is used for every folder when ``force_poll`` is set, for folders on
    network file systems, and where the native observer refuses a watch (for
    instance when the inotify watch limit is reached).
    """

    def __init__(self, handler: EnqueueHandler, *, force_poll: bool, poll_interval: float) -> None:
        self._handler = handler
        self._force_poll = force_poll
        self._native: BaseObserver = Observer(timeout=0.5)  # bounds the wait at shutdown
        self._polling: BaseObserver = PollingObserver(timeout=poll_interval)
        self._watches: dict[str, tuple[BaseObserver, ObservedWatch]] = {}
        self._lock = threading.Lock()
        self._started = False

    def add(self, folder: str) -> str:
        """Watch ``folder`` recursively; returns ``"native"`` or ``"polling"``."""
        with self._lock:
            if folder in self._watches:
                return "polling" if self._watches[folder][0] is self._polling else "native"
            use_polling = self._force_poll or is_network(folder, read_mounts())
            if not use_polling:
                try:
                    watch = self._native.schedule(self._handler, folder, recursive=True, event_filter=EVENTS)
                    self._watches[folder] = (self._native, watch)
                    return "native"
                except OSError as exc:
                    log.warning("native events unavailable for %s (%s); polling it", folder, exc.strerror)
            watch = self._polling.schedule(self._handler, folder, recursive=True, event_filter=EVENTS)
            self._watches[folder] = (self._polling, watch)
            return "polling"

    def remove(self, folder: str) -> None:
        with self._lock:
            entry = self._watches.pop(folder, None)
        if entry is not None:
            observer, watch = entry
            with contextlib.suppress(KeyError, OSError):  # the folder is gone (drive unplugged)
                observer.unschedule(watch)

    def start(self) -> None:
        self._native.start()
        self._polling.start()
        self._started = True

    def stop(self) -> None:
        if not self._started:
            return
        for observer in (self._native, self._polling):
            observer.stop()
        for observer in (self._native, self._polling):
            observer.join(timeout=5)
