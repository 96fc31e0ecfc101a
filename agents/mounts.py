"""What is mounted where, from ``/proc/self/mountinfo`` (Linux).

Used for two things: a USB drive mounted below a watched root (``/media``,
``/run/media``, ``/mnt``) is a new file system that the existing watch does not
see into, so it gets a watch of its own and an initial scan; and roots on network
file systems, where kernel change events miss remote writes, are polled.

>>> line = "36 25 0:32 / /media/u/KEY\\\\040A rw,nosuid - vfat /dev/sdb1 rw"
>>> parse_mountinfo(line)
(Mount(point='/media/u/KEY A', fstype='vfat'),)
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass

MOUNTINFO = "/proc/self/mountinfo"
NETWORK_FS = frozenset(
    {
        "9p",
        "afs",
        "ceph",
        "cifs",
        "coda",
        "davfs",
        "fuse.davfs2",
        "fuse.glusterfs",
        "fuse.rclone",
        "fuse.s3fs",
        "fuse.sshfs",
        "glusterfs",
        "gpfs",
        "lustre",
        "ncpfs",
        "nfs",
        "nfs4",
        "smb3",
        "smbfs",
    }
)
_ESCAPE = re.compile(r"\\([0-7]{3})")


@dataclass(frozen=True, slots=True)
class Mount:
    point: str
    fstype: str


def _unescape(field: str) -> str:
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 8)), field)


def parse_mountinfo(text: str) -> tuple[Mount, ...]:
    mounts = []
    for line in text.splitlines():
        left, sep, right = line.partition(" - ")
        fields = left.split()
        if not sep or len(fields) < 5 or not right.split():
            continue
        mounts.append(Mount(_unescape(fields[4]), right.split()[0]))
    return tuple(mounts)


def read_mounts(path: str = MOUNTINFO) -> tuple[Mount, ...]:
    """The current mounts; empty where ``/proc`` is not available."""
    try:
        with open(path, encoding="utf-8", errors="surrogateescape") as fh:
            return parse_mountinfo(fh.read())
    except OSError:
        return ()


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def mount_of(path: str, mounts: Iterable[Mount]) -> Mount | None:
    """The mount that holds ``path`` (the longest matching mount point)."""
    best: Mount | None = None
    for mount in mounts:
        if _inside(path, mount.point) and (best is None or len(mount.point) > len(best.point)):
            best = mount
    return best


def is_network(path: str, mounts: Iterable[Mount]) -> bool:
    mount = mount_of(os.path.realpath(path), mounts)
    return mount is not None and mount.fstype in NETWORK_FS


def mounts_below(roots: Iterable[str], mounts: Iterable[Mount]) -> frozenset[str]:
    """Mount points strictly below one of ``roots`` (new drives under ``/media`` and the like)."""
    real = [os.path.realpath(r) for r in roots]
    return frozenset(m.point for m in mounts if any(_inside(m.point, r) and m.point != r for r in real))
