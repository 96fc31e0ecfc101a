"""Process tuning for the ``dlp`` command: the allocator, the garbage collector, pipes.

**Allocator** (:func:`tune_allocator`): keep large buffers on the heap instead of
fresh ``mmap`` pages (glibc only).

glibc serves every allocation of 128 KiB or more (its default
``M_MMAP_THRESHOLD``) with a new ``mmap`` and returns it to the kernel on
``free``. A scanner allocates several multi-megabyte ``bytes`` per chunk (the
chunk read, the window with its overlap, transcoded text), so each chunk would
page-fault and zero every one of those pages again: on 8 MB of text that costs
about 7 ms, as much as the core's candidate pass over it. Raising the mmap and trim
thresholds lets freed chunks be reused from the heap. Peak memory stays what the
scan holds at once (a few chunks); it is just not handed back between chunks.

**Garbage collector** (:func:`tune_gc`): a scan allocates several objects per
finding, and CPython's default thresholds run a collection every 700 of them,
each older one walking every long-lived object (compiled tables, detector data).
On a dense customer list that was 30 % of the scan. After start-up the long-lived
objects are frozen (:func:`gc.freeze`: never walked again, and not copied by
forked workers) and young collections run every 50,000 allocations. Cycles are
still collected, just less often.

**Pipes** (:func:`widen_pipe`): when the report goes to a pipe (``dlp scan -f jsonl
| consumer``), the kernel's default pipe holds 64 KiB, so the scanner stops for the
reader every 64 KiB; a dense customer list writes seven times its size in JSONL.
The pipe is widened to the system's limit (``/proc/sys/fs/pipe-max-size``, 1 MiB
by default).

These change process-wide state, so the library never calls them on its own: the
``dlp`` command and its worker processes do.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import os
import stat
import sys
from typing import IO

M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 32 * 1024 * 1024
"""Allocations below this come from the heap: glibc's documented maximum on 64-bit
systems, well above a chunk (4 MiB by default) and its window."""
TRIM_THRESHOLD = 512 * 1024 * 1024


GC_THRESHOLDS = (50_000, 100, 100)


def tune_gc() -> None:
    """Freeze what exists now (call after building the scanner) and collect less often."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


PIPE_MAX_SIZE = "/proc/sys/fs/pipe-max-size"


def widen_pipe(stream: IO[bytes]) -> bool:
    """Give the pipe ``stream`` writes to the largest buffer allowed; False when it is
    not a pipe or the system does not let the pipe grow."""
    try:
        import fcntl
    except ImportError:  # not a POSIX system
        return False
    setsize = getattr(fcntl, "F_SETPIPE_SZ", None)
    try:
        fd = stream.fileno()
        if setsize is None or not stat.S_ISFIFO(os.fstat(fd).st_mode):
            return False
        with open(PIPE_MAX_SIZE, encoding="ascii") as handle:
            size = int(handle.read().strip())
        return fcntl.fcntl(fd, setsize, size) >= size
    except (OSError, ValueError):
        return False


def tune_allocator() -> bool:
    """Raise glibc's mmap and trim thresholds; False where that is not possible."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc (musl has no mallopt)
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    return bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD))
