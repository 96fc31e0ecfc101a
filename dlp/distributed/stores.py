"""File stores a cluster scan reads: local paths and fsspec URLs (``s3://bucket/prefix``).

Plain paths must be visible to every worker under the same name (an NFS or SMB
mount); relative ones are read under the client's working folder. URLs are listed
on the client in walk order (a folder's files by name, then its subfolders, each
in full: what :func:`dlp.walk.walk` gives for a tree on disk) and read on the
workers as streams, a block at a time. Credentials come from the environment the
filesystem library reads (for S3: ``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``,
``AWS_ENDPOINT_URL`` or the usual AWS configuration files) on the client and on
every worker.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Iterator
from typing import Any, BinaryIO

from dlp.errors import ConfigError, FileTooLarge, FileUnreadable
from dlp.walk import Entry, excluded, walk


def is_url(path: str) -> bool:
    """True for ``protocol://...`` (an fsspec URL), false for a plain path."""
    protocol, sep, _ = path.partition("://")
    return bool(sep) and protocol.replace("+", "").replace("-", "").isalnum()


def _filesystem(url: str) -> tuple[Any, str]:
    try:
        from fsspec.core import url_to_fs
    except ImportError:
        raise ConfigError("scanning URLs needs fsspec: pip install 'dlp[cluster]'") from None
    try:
        return url_to_fs(url)
    except (ImportError, ValueError) as exc:
        raise ConfigError(f"cannot open {url.partition('://')[0]}:// URLs: {exc}") from None


def walk_any(
    paths: Iterable[str], *, follow_symlinks: bool = False, exclude: tuple[str, ...] = ()
) -> Iterator[Entry]:
    """:func:`dlp.walk.walk`, with fsspec URLs listed as well."""
    for path in paths:
        if is_url(path):
            yield from walk_url(path, exclude)
        else:
            yield from walk([path], follow_symlinks=follow_symlinks, exclude=exclude)


def _order(rel: str) -> tuple[tuple[int, str], ...]:
    """Walk order: in each folder its files by name first, then its subfolders."""
    *folders, name = rel.split("/")
    return (*((1, f) for f in folders), (0, name))


def walk_url(url: str, exclude: tuple[str, ...] = ()) -> Iterator[Entry]:
    """The objects under ``url`` in walk order, as entries named by their URLs."""
    fs, root = _filesystem(url)
    root = root.rstrip("/")
    try:
        info = fs.info(root)
    except FileNotFoundError:
        yield Entry(url, error=("not_found", "no such object or prefix"))
        return
    except OSError as exc:
        yield Entry(url, error=("unreadable", exc.strerror or type(exc).__name__))
        return
    if info.get("type") != "directory":
        yield Entry(url, int(info.get("size") or 0))
        return
    try:
        found = fs.find(root, detail=True)
    except OSError as exc:
        yield Entry(url, error=("unreadable", exc.strerror or type(exc).__name__))
        return
    listed = []
    for path, detail in found.items():
        if detail.get("type") == "directory":
            continue
        rel = posixpath.relpath(path, root)
        if exclude and _excluded(rel, exclude):
            continue
        listed.append((_order(rel), fs.unstrip_protocol(path), int(detail.get("size") or 0)))
    listed.sort()
    for _, name, size in listed:
        yield Entry(name, size)


def _excluded(rel: str, patterns: tuple[str, ...]) -> bool:
    """Excluded itself or inside an excluded folder (a walk on disk prunes those)."""
    parts = rel.split("/")
    return any(excluded("/".join(parts[: i + 1]), patterns) for i in range(len(parts)))


def open_url(url: str, max_size: int, block_size: int) -> tuple[BinaryIO, int]:
    """An object opened for streaming reads (``block_size`` bytes per request) and its size.

    Raises :class:`~dlp.errors.FileUnreadable` or :class:`~dlp.errors.FileTooLarge`.
    """
    fs, path = _filesystem(url)
    try:
        size = int(fs.info(path).get("size") or 0)
    except FileNotFoundError:
        raise FileUnreadable(f"{url}: no such object", reason="vanished") from None
    except OSError as exc:
        raise FileUnreadable(f"{url}: {exc.strerror or type(exc).__name__}") from None
    if size > max_size:
        raise FileTooLarge(f"{url}: {size} bytes is over the limit of {max_size}")
    try:
        return fs.open(path, "rb", block_size=block_size), size
    except FileNotFoundError:
        raise FileUnreadable(f"{url}: removed before it could be read", reason="vanished") from None
    except OSError as exc:
        raise FileUnreadable(f"{url}: {exc.strerror or type(exc).__name__}") from None
