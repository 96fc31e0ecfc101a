"""Keep large buffers on the heap instead of fresh ``mmap`` pages (glibc only).

glibc serves every allocation of 128 KiB or more (its default
``M_MMAP_THRESHOLD``) with a new ``mmap`` and returns it to the kernel on
``free``. A scanner allocates several multi-megabyte ``bytes`` per chunk (the
chunk read, the window with its overlap, transcoded text), so each chunk would
page-fault and zero every one of those pages again: on 8 MB of text that costs
about 7 ms, more than the Hyperscan pass over it. Raising the mmap and trim
thresholds lets freed chunks be reused from the heap. Peak memory stays what the
scan holds at once (a few chunks); it is just not handed back between chunks.

This changes process-wide allocator state, so the library never calls it on its
own: the ``dlp`` command and its worker processes do (:func:`tune`).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 32 * 1024 * 1024
"""Allocations below this come from the heap: glibc's documented maximum on 64-bit
systems, well above a chunk (4 MiB by default) and its window."""
TRIM_THRESHOLD = 512 * 1024 * 1024


def tune() -> bool:
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
