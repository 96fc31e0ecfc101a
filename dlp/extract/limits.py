"""Limits that keep hostile containers from stopping or stalling a scan.

One :class:`Budget` is shared by a top-level input and everything nested in it:

- ``max_depth``: containers inside containers (a member of a top-level zip is at
  depth 1); deeper members are not opened (``limit_depth``);
- ``max_archive_bytes``: bytes extracted from members, all levels together
  (``limit_bytes``);
- ``max_ratio``: how many times larger than its compressed form a member may get
  (zip bombs; ``limit_ratio``), checked on the sizes a zip declares and on the
  bytes actually read, once a member has produced ``RATIO_FLOOR`` bytes;
- ``max_members``: members opened, all levels together (``limit_members``);
- ``file_timeout``: seconds for the whole input (``limit_time``), checked between
  pieces of work (rows, pages, reads);
- ``ocr_max_images``: pictures read by OCR, all levels together (``limit_images``,
  also when the scan's quota ``ocr_max_images_total`` is spent).

Every member read goes through a :class:`GuardedReader`, so a container that
lies about its sizes is stopped by the bytes it really produces.
"""

from __future__ import annotations

import contextlib
import io
import lzma
import tarfile
import time
import zipfile
import zlib
from collections.abc import Callable
from typing import BinaryIO

from dlp.config import ScanConfig
from dlp.extract.base import Corrupt, LimitHit
from dlp.ocr.quota import Quota

RATIO_FLOOR = 1024 * 1024
"""A member smaller than this is never a ratio problem, whatever it compresses to."""
READ_ERRORS = (
    OSError,
    EOFError,
    ValueError,
    NotImplementedError,
    zlib.error,
    lzma.LZMAError,
    zipfile.BadZipFile,
    tarfile.TarError,
)


class Budget:
    def __init__(self, config: ScanConfig, now: Callable[[], float] = time.monotonic) -> None:
        self.config = config
        self._now = now
        self.deadline = now() + config.file_timeout
        self.extracted = 0
        self.members = 0
        self.pictures = 0

    def check_time(self) -> None:
        if self._now() > self.deadline:
            raise LimitHit("limit_time", f"time budget of {self.config.file_timeout:g} s spent", fatal=True)

    def admit(self, name: str, depth: int, size: int | None, compressed: int | None) -> None:
        """Check a member's depth, count and declared sizes before it is opened."""
        cfg = self.config
        if depth > cfg.max_depth:
            raise LimitHit("limit_depth", f"{name}: nested deeper than {cfg.max_depth} containers")
        if self.members >= cfg.max_members:
            raise LimitHit("limit_members", f"more than {cfg.max_members} members", fatal=True)
        self.members += 1
        if size is not None and compressed and size > RATIO_FLOOR and size > compressed * cfg.max_ratio:
            raise LimitHit(
                "limit_ratio",
                f"{name}: expands {size / compressed:.0f} times (limit {cfg.max_ratio:g})",
            )
        if size is not None and self.extracted + size > cfg.max_archive_bytes:
            raise LimitHit(
                "limit_bytes", f"{name}: would extract over {cfg.max_archive_bytes} bytes in this input"
            )

    def admit_picture(self, name: str, quota: Quota) -> None:
        """Count a picture to OCR: ``ocr_max_images`` in this input, and what the scan's quota allows."""
        cfg = self.config
        if self.pictures >= cfg.ocr_max_images:
            raise LimitHit("limit_images", f"{name}: more than {cfg.ocr_max_images} pictures in this input")
        if not quota.take():
            raise LimitHit("limit_images", f"{name}: the scan's {quota.limit} pictures are read already")
        self.pictures += 1

    def check_package(self, name: str, sizes: list[tuple[int, int]]) -> None:
        """Check the declared (uncompressed, compressed) sizes of a package a library will read.

        An Office file is a zip that calamine or the XML parser decompresses: its
        parts must pass the ratio limit, and their total counts as extracted bytes.
        """
        cfg = self.config
        for size, compressed in sizes:
            if size > RATIO_FLOOR and size > max(compressed, 1) * cfg.max_ratio:
                raise LimitHit("limit_ratio", f"{name}: a part expands {size / max(compressed, 1):.0f} times")
        total = sum(size for size, _ in sizes)
        if self.extracted + total > cfg.max_archive_bytes:
            raise LimitHit(
                "limit_bytes", f"{name}: its parts would extract over {cfg.max_archive_bytes} bytes"
            )
        self.extracted += total

    def count(self, name: str, n: int) -> None:
        """Account ``n`` more bytes extracted from a member."""
        self.extracted += n
        if self.extracted > self.config.max_archive_bytes:
            raise LimitHit(
                "limit_bytes",
                f"{name}: extracted over {self.config.max_archive_bytes} bytes in this input",
                fatal=True,
            )
        self.check_time()


class GuardedReader(io.RawIOBase):
    """A member (or decompressed) stream that counts what it produces against the :class:`Budget`.

    ``compressed`` returns how many compressed bytes stand behind the output so
    far (bytes consumed, or the member's compressed size); ``None`` for stored
    data. ``account`` is False when an enclosing guarded stream already counts
    these bytes. Read errors of the underlying decoder become :class:`Corrupt`.
    """

    def __init__(
        self,
        stream: BinaryIO,
        budget: Budget,
        name: str,
        *,
        compressed: Callable[[], int] | None = None,
        account: bool = True,
        owner: object = None,
    ) -> None:
        self._stream = stream
        self._budget = budget
        self._name = name
        self._compressed = compressed
        self._account = account
        self.owner = owner
        self.produced = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:  # type: ignore[override]
        if size is None or size < 0:
            return b"".join(iter(lambda: self.read(1 << 20), b""))
        try:
            data = self._stream.read(size)
        except READ_ERRORS:
            raise Corrupt(f"{self._name}: damaged or truncated data") from None
        if not data:
            return data
        self.produced += len(data)
        if self._account:
            self._budget.count(self._name, len(data))
        else:
            self._budget.check_time()
        if self._compressed is not None and self.produced > RATIO_FLOOR:
            packed = max(self._compressed(), 1)
            limit = self._budget.config.max_ratio
            if self.produced > packed * limit:
                raise LimitHit(
                    "limit_ratio",
                    f"{self._name}: expands over {limit:g} times its compressed size",
                    owner=self.owner,
                )
        return data

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        with contextlib.suppress(*READ_ERRORS):
            self._stream.close()
        super().close()
