"""Open an input so that what is read is the regular file that was meant.

Between a check by name (``lstat``) and an open by name, a file on a prepared
drive can be swapped for a symbolic link (to ``/etc/shadow``, read as root) or a
FIFO (an ``open`` that blocks forever). :func:`open_regular` opens with
``O_NOFOLLOW`` (unless links are followed on purpose) and ``O_NONBLOCK`` (a FIFO
opens at once instead of blocking), then checks with ``fstat`` that the open file
is a regular file, and, given ``expected`` (an earlier ``lstat``), the same one.
"""

from __future__ import annotations

import errno
import os
import stat
from typing import BinaryIO

NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)


class NotRegular(OSError):
    """The path is (or became) a symbolic link, a folder, a FIFO or a device."""


class Replaced(OSError):
    """The path names another file than the one checked before (``expected``)."""


def open_regular(
    path: str, *, follow_symlinks: bool = False, expected: os.stat_result | None = None
) -> tuple[BinaryIO, os.stat_result]:
    """``(binary file, its fstat)`` for the regular file at ``path``.

    Raises :class:`NotRegular` for a symbolic link (unless ``follow_symlinks``) or
    anything but a regular file, :class:`Replaced` when ``expected`` is given and the
    open file is not that one, and ``OSError`` as ``os.open`` does otherwise.
    """
    try:
        fd = os.open(path, _FLAGS | (0 if follow_symlinks else NOFOLLOW))
    except OSError as exc:
        if exc.errno == errno.ELOOP and not follow_symlinks:
            raise NotRegular(errno.ELOOP, "is a symbolic link") from None
        raise
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise NotRegular(errno.EINVAL, "not a regular file")
        if expected is not None and (st.st_dev, st.st_ino) != (expected.st_dev, expected.st_ino):
            raise Replaced(errno.ESTALE, "replaced by another file")
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb"), st
    except BaseException:
        os.close(fd)
        raise
