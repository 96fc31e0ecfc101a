"""Expand scan arguments into the files to scan, recursively.

Paths are reported as reached from the argument (``samples/a/b.txt`` for the
argument ``samples``). Symbolic links are skipped unless followed on request
(with loop protection); excluded globs prune whole folders; special files
(FIFOs, sockets, devices) are never opened, since reading them can block.
"""

from __future__ import annotations

import fnmatch
import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

STDIN = "-"


@dataclass(frozen=True, slots=True)
class Entry:
    path: str
    size: int = 0
    skipped: str | None = None  # symlink, not_regular
    error: tuple[str, str] | None = None  # (reason, message)


def excluded(rel: str, patterns: tuple[str, ...]) -> bool:
    name = os.path.basename(rel)
    return any(fnmatch.fnmatch(rel, p) or fnmatch.fnmatch(name, p) for p in patterns)


def walk(
    paths: Iterable[str], *, follow_symlinks: bool = False, exclude: tuple[str, ...] = ()
) -> Iterator[Entry]:
    for arg in paths:
        if arg == STDIN:
            yield Entry(STDIN)
            continue
        yield from _walk_one(arg, follow_symlinks, exclude)


def _classify(path: str, st: os.stat_result) -> Entry:
    if stat.S_ISREG(st.st_mode):
        return Entry(path, st.st_size)
    return Entry(path, skipped="not_regular")


def _walk_one(root: str, follow: bool, exclude: tuple[str, ...]) -> Iterator[Entry]:
    try:
        st = os.stat(root, follow_symlinks=True)
    except FileNotFoundError:
        yield Entry(root, error=("not_found", "no such file or folder"))
        return
    except OSError as exc:
        yield Entry(root, error=("unreadable", exc.strerror or "cannot stat"))
        return
    if not stat.S_ISDIR(st.st_mode):
        yield _classify(root, st)
        return
    visited = {(st.st_dev, st.st_ino)}
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            yield Entry(folder, error=("unreadable", exc.strerror or "cannot list folder"))
            continue
        subdirs = []
        for entry in entries:
            path = entry.path
            if exclude and excluded(os.path.relpath(path, root), exclude):
                continue
            try:
                if entry.is_symlink() and not follow:
                    yield Entry(path, skipped="symlink")
                    continue
                st = entry.stat(follow_symlinks=True)
            except FileNotFoundError:
                yield Entry(path, error=("vanished", "removed while scanning"))
                continue
            except OSError as exc:
                yield Entry(path, error=("unreadable", exc.strerror or "cannot stat"))
                continue
            if stat.S_ISDIR(st.st_mode):
                key = (st.st_dev, st.st_ino)
                if key not in visited:
                    visited.add(key)
                    subdirs.append(path)
                continue
            yield _classify(path, st)
        stack.extend(reversed(subdirs))
