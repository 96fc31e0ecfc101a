"""The endpoint agent: watch folders, scan settled files, spool findings, send them.

Threads::

    watchdog observers --(paths)--> Debouncer --(settled paths)--> N workers --> StateDB spool
          |                             ^                                            |
          +--(new folders)--> walker ---+        mount monitor --(new mounts)        +--> sender --> collector

Handlers and the mount monitor only enqueue; the walker lists new folders (initial
scan, folders moved in, drives mounted); workers scan with one shared, immutable
:class:`dlp.Scanner`; the sender delivers the spool. An exception while handling
one file is logged (type and path only, never content) and the worker goes on.
"""

from __future__ import annotations

import contextlib
import fcntl
import fnmatch
import logging
import os
import queue
import random
import signal
import socket
import ssl
import threading
import time
import traceback
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import FrameType

from dlp.agents.debounce import Debouncer
from dlp.agents.filescan import FileProcessor, Outcome
from dlp.agents.mounts import mounts_below, read_mounts
from dlp.agents.sender import Sender, backoff
from dlp.agents.state import StateDB
from dlp.agents.storage import RETRIED, SpoolError
from dlp.agents.watch import EnqueueHandler, Watcher
from dlp.config import ScanConfig
from dlp.errors import ConfigError
from dlp.keys import resolve_key
from dlp.scanner import Scanner

log = logging.getLogger(__name__)
TEMP_NAMES = ("*.part", "*.crdownload", "*.partial", "*.download", "*.tmp", "*.swp", ".~lock.*#")
"""Names of files still being written by browsers, copy tools and editors: never scanned
(their content is scanned under its final name, after the rename)."""


@dataclass(frozen=True)
class AgentSettings:
    watch: tuple[str, ...]
    collector: str
    token: str = field(repr=False)
    state_dir: Path
    scan: ScanConfig = field(default_factory=ScanConfig)
    host: str = field(default_factory=socket.gethostname)
    jobs: int = 2
    batch_size: int = 500
    spool_max: int = 1_000_000
    compress: bool = False
    debounce: float = 1.0
    poll: bool = False
    poll_interval: float = 2.0
    mount_interval: float = 2.0
    max_backoff: float = 60.0
    ca_file: str | None = None
    send_raw_paths: bool = False
    """Send paths as they are; by default the values found in them are masked."""

    def __post_init__(self) -> None:
        if not self.watch:
            raise ConfigError("at least one folder to watch is needed")
        if self.scan.reveal:
            raise ConfigError("the agent never reveals raw values")
        for name in ("jobs", "batch_size", "spool_max"):
            if getattr(self, name) < 1:
                raise ConfigError(f"{name} must be at least 1")


def _describe(exc: BaseException) -> str:
    """An exception as type and code location, never its message (it might quote content)."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = f" at {Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else ""
    return f"{type(exc).__name__}{where}"


class Agent:
    """Owns the threads; :meth:`start`, then :meth:`stop` (or :meth:`run` until a signal)."""

    def __init__(self, settings: AgentSettings, *, scanner: Scanner | None = None) -> None:
        self.settings = settings
        self.roots = tuple(os.path.abspath(w) for w in settings.watch)
        for root in self.roots:
            if not os.path.isdir(root):
                raise ConfigError(f"not a folder: {root}")
        self.state_dir = settings.state_dir.absolute()
        self.state_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            os.chmod(self.state_dir, 0o700)  # an existing folder may have been left loose
        except OSError as exc:
            raise ConfigError(
                f"cannot make the state folder {self.state_dir} private: {exc.strerror}"
            ) from None
        key = resolve_key(settings.scan.key)
        self._scanner = scanner or Scanner(replace(settings.scan, key=key))
        if self._scanner.config.reveal:
            raise ConfigError("the agent never reveals raw values")
        verify = self._tls_context(settings.ca_file)
        self._lock_fd = self._lock_state_dir()
        try:
            self.state = self._open_state(self.state_dir / "state.db", settings.spool_max)
        except BaseException:
            os.close(self._lock_fd)
            raise
        self.stopping = threading.Event()
        self.debouncer = Debouncer(settings.debounce)
        self.processor = FileProcessor(
            self._scanner,
            self.state,
            key=key,
            host=settings.host,
            ignore=self._ignored,
            stop=self.stopping,
            raw_paths=settings.send_raw_paths,
            max_backoff=settings.max_backoff,
        )
        self._folders: queue.Queue[tuple[str, bool] | None] = queue.Queue()
        handler = EnqueueHandler(self._on_file, self._on_folder, self._on_gone)
        self._watcher = Watcher(handler, force_poll=settings.poll, poll_interval=settings.poll_interval)
        self.sender = Sender(
            self.state,
            collector=settings.collector,
            token=settings.token,
            batch_size=settings.batch_size,
            compress=settings.compress,
            max_backoff=settings.max_backoff,
            verify=verify,
            stop=self.stopping,
        )
        self._threads: list[threading.Thread] = []
        self._mounts: frozenset[str] = frozenset()

    @staticmethod
    def _tls_context(ca_file: str | None) -> ssl.SSLContext | bool:
        if ca_file is None:
            return True  # the system's certificate authorities
        try:
            return ssl.create_default_context(cafile=ca_file)
        except (OSError, ssl.SSLError) as exc:
            raise ConfigError(f"cannot load CA file {ca_file}: {exc}") from None

    def _open_state(self, path: Path, spool_max: int) -> StateDB:
        """The state file, waiting (with backoff) while its disk is full or it is locked."""
        rng, failures, said = random.Random(), 0, None
        while True:
            try:
                return self._open_or_replace(path, spool_max)
            except SpoolError as exc:
                if exc.problem not in RETRIED:
                    raise ConfigError(f"cannot open the state file {path}: {exc.problem}") from None
                if exc.problem != said:
                    log.error("spool %s at start: waiting, retrying with backoff", exc.problem)
                    said = exc.problem
                failures += 1
                time.sleep(backoff(failures, self.settings.max_backoff, rng))

    @staticmethod
    def _open_or_replace(path: Path, spool_max: int) -> StateDB:
        """The state file; a damaged one is moved aside (``state.db.damaged-N``) and started afresh."""
        try:
            return StateDB(path, spool_max=spool_max)
        except SpoolError as exc:
            if exc.problem != "damaged":
                raise
        number = 1
        while path.with_name(f"{path.name}.damaged-{number}").exists():
            number += 1
        aside = path.with_name(f"{path.name}.damaged-{number}")
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                os.replace(f"{path}{suffix}", f"{aside}{suffix}")
        log.error("state file %s is damaged: moved to %s; starting afresh", path, aside)
        return StateDB(path, spool_max=spool_max)

    def _lock_state_dir(self) -> int:
        fd = os.open(self.state_dir / "agent.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise ConfigError(f"another agent is using the state folder {self.state_dir}") from None
        return fd

    def _ignored(self, path: str) -> bool:
        """Temporary names, and the agent's own state folder (it may sit under a watched root)."""
        if path == str(self.state_dir) or path.startswith(str(self.state_dir) + os.sep):
            return True
        name = os.path.basename(path)
        return any(fnmatch.fnmatch(name, pattern) for pattern in TEMP_NAMES)

    # -- queue feeders (called from watchdog threads: enqueue only) -------------------

    def _on_file(self, path: str, settled: bool) -> None:
        if not self._ignored(path):
            self.debouncer.touch(path, settled=settled)

    def _on_folder(self, path: str) -> None:
        if not self._ignored(path):
            self._folders.put((path, False))  # may still be filling up: its files wait a quiet period

    def _on_gone(self, path: str) -> None:
        if not self._ignored(path):
            self.debouncer.touch(path, settled=True)  # the worker finds it gone and forgets it

    # -- lifecycle ------------------------------------------------------------------------

    def start(self) -> None:
        s = self.settings
        log.info(
            "dlp agent on %s: collector %s, state %s, %d worker(s)",
            s.host,
            s.collector,
            self.state_dir,
            s.jobs,
        )
        if self.state.earlier:  # counted when the spool was opened, before any worker adds to it
            log.info("%d finding(s) from an earlier run wait in the spool", self.state.earlier)
        for root in self.roots:
            log.info("watching %s (%s)", self.processor.shown(root), self._watcher.add(root))
        self._mounts = mounts_below(self.roots, read_mounts())
        for point in sorted(self._mounts):
            self._watcher.add(point)
        self._watcher.start()
        for root in self.roots:  # after the watches: nothing written meanwhile is missed
            self._folders.put((root, True))
        self._spawn("walker", self._walk_loop)
        for n in range(s.jobs):
            self._spawn(f"worker-{n + 1}", self._work_loop)
        self._spawn("mounts", self._mount_loop)
        self._spawn("sender", self.sender.run)

    def _spawn(self, name: str, target: object) -> None:
        thread = threading.Thread(target=target, name=f"dlp-{name}", daemon=True)  # type: ignore[arg-type]
        thread.start()
        self._threads.append(thread)

    def run(self) -> None:
        """Start, then wait for SIGTERM or SIGINT and stop cleanly."""

        def on_signal(signum: int, frame: FrameType | None) -> None:
            log.info("%s received; stopping", signal.Signals(signum).name)
            self.stopping.set()

        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
        self.start()
        while not self.stopping.wait(0.5):
            pass
        self.stop()

    def stop(self, timeout: float = 10.0) -> None:
        self.stopping.set()
        self._watcher.stop()
        self.debouncer.close()
        self._folders.put(None)
        self.state.changed.set()  # wakes the sender
        self.state.release_waiters()  # wakes workers waiting for room in a full spool
        for thread in self._threads:
            thread.join(timeout=timeout)
        busy = [t.name for t in self._threads if t.is_alive()]
        if busy:
            log.warning("still busy at shutdown: %s (their files are scanned again next time)", busy)
        self.state.close()
        os.close(self._lock_fd)
        log.info("stopped; %d finding(s) delivered, %d spooled", self.sender.delivered, self.state.pending)

    # -- threads ----------------------------------------------------------------------------

    def _walk_loop(self) -> None:
        while not self.stopping.is_set():
            item = self._folders.get()
            if item is None:
                return
            folder, settled = item
            try:
                count = self._enqueue_tree(folder, settled)
                log.info("queued %d existing file(s) under %s", count, self.processor.shown(folder))
            except Exception as exc:
                log.error("listing %s failed (%s)", self.processor.shown(folder), _describe(exc))

    def _enqueue_tree(self, folder: str, settled: bool) -> int:
        count = 0
        for dirpath, dirnames, filenames in os.walk(folder):
            if self.stopping.is_set():
                break
            dirnames[:] = [d for d in dirnames if not self._ignored(os.path.join(dirpath, d))]
            for name in filenames:
                self._on_file(os.path.join(dirpath, name), settled)
                count += 1
        return count

    def _work_loop(self) -> None:
        while not self.stopping.is_set():
            path = self.debouncer.get(timeout=1.0)
            if path is None:
                continue
            outcome = None
            attempt = 0
            try:
                outcome = self.processor.process(path)
                self.processor.pause.succeeded()
            except SpoolError as exc:  # the cache could not be read or written: try the file later
                attempt += 1
                self.stopping.wait(self.processor.pause.failed(exc.problem, attempt))
                outcome = Outcome.CHANGED
            except Exception as exc:
                log.error(
                    "scanning %s failed (%s); the agent goes on", self.processor.shown(path), _describe(exc)
                )
            finally:
                self.debouncer.done(path)
            if outcome is Outcome.CHANGED:
                self.debouncer.touch(path)

    def _mount_loop(self) -> None:
        while not self.stopping.wait(self.settings.mount_interval):
            try:
                current = mounts_below(self.roots, read_mounts())
                for point in sorted(current - self._mounts):
                    shown = self.processor.shown(point)
                    log.info("new mount %s: watching (%s) and scanning it", shown, self._watcher.add(point))
                    self._folders.put((point, True))
                for point in sorted(self._mounts - current):
                    log.info("mount %s is gone", self.processor.shown(point))
                    self._watcher.remove(point)
                self._mounts = current
            except Exception as exc:
                log.error("checking mounts failed (%s)", _describe(exc))
