"""Open an EDM index (memory-mapped) and look up keyed hashes in it.

A lookup reads the 2-byte-prefix bucket bounds from the fanout table and
binary-searches the bucket (about ``records / 65536`` entries, so a few
comparisons even for tens of millions of records); nothing is loaded into memory
beyond the pages the operating system maps in.
"""

from __future__ import annotations

import mmap
import sys
from array import array
from pathlib import Path

from dlp.edm.format import (
    FANOUT,
    FANOUT_BYTES,
    HASH_BYTES,
    READABLE_VERSIONS,
    RECORD,
    Column,
    Hasher,
    key_check,
    parse_header,
    unpack_record,
)
from dlp.errors import ConfigError

_HEADER_PROBE = 1 << 20


class EdmIndex:
    """A read-only index; ``lookup(digest)`` gives the ``(column, row)`` pairs holding a value."""

    def __init__(self, path: Path, key: bytes) -> None:
        self.path = Path(path)
        try:
            with open(self.path, "rb") as fh:
                size = fh.seek(0, 2)
                fh.seek(0)
                parsed = parse_header(fh.read(_HEADER_PROBE))
                if parsed is None:
                    raise ConfigError(f"{self.path}: not a dlp EDM index")
                header, fanout_at = parsed
                self._check(header, size, fanout_at, key)
                self._map: mmap.mmap | None = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        except OSError as exc:
            raise ConfigError(f"cannot read EDM index {self.path}: {exc.strerror}") from None
        self.columns = tuple(Column(str(c["name"]), str(c["kind"])) for c in header["columns"])  # type: ignore[union-attr]
        self.rows = int(header["rows"])  # type: ignore[arg-type]
        self.records = int(header["records"])  # type: ignore[arg-type]
        self.name_filter_bits = int(header.get("name_filter_bits", 0))  # type: ignore[arg-type]
        """Bits of the name filter after the records (0: a version-1 index without one)."""
        self.hasher = Hasher(key)
        fanout = array("I")
        if fanout.itemsize * FANOUT != FANOUT_BYTES:
            raise ConfigError("this platform has no 32-bit unsigned array type")
        fanout.frombytes(self._map[fanout_at : fanout_at + FANOUT_BYTES])
        if sys.byteorder == "big":
            fanout.byteswap()
        self._fanout = fanout
        self._records_at = fanout_at + FANOUT_BYTES
        self.fanout_at = fanout_at
        """Offset of the fanout table in the file (the native core reads the index from there)."""

    def _check(self, header: dict[str, object], size: int, fanout_at: int, key: bytes) -> None:
        if header.get("format") != "dlp-edm" or header.get("version") not in READABLE_VERSIONS:
            raise ConfigError(f"{self.path}: unsupported EDM index version {header.get('version')!r}")
        if header.get("hash_bytes") != HASH_BYTES or not isinstance(header.get("columns"), list):
            raise ConfigError(f"{self.path}: damaged EDM index header")
        if header.get("key_check") != key_check(key):
            raise ConfigError(
                f"{self.path}: the EDM index was built with a different key; "
                "scan with the deployment key it was built with (DLP_KEY or the key file)"
            )
        records, bits = header.get("records"), header.get("name_filter_bits", 0)
        if not isinstance(bits, int) or bits < 0 or (bits and (bits & (bits - 1) or bits < 8)):
            raise ConfigError(f"{self.path}: damaged EDM index header")
        if not isinstance(records, int) or size != fanout_at + FANOUT_BYTES + records * RECORD + bits // 8:
            raise ConfigError(f"{self.path}: the EDM index is truncated or damaged")

    def lookup(self, digest: bytes) -> list[tuple[int, int]]:
        """``(column id, row id)`` of every record whose hash is ``digest`` (HASH_BYTES long)."""
        prefix = (digest[0] << 8) | digest[1]
        lo = self._fanout[prefix - 1] if prefix else 0
        hi = self._fanout[prefix]
        data, base = self._map, self._records_at
        assert data is not None
        while lo < hi:  # leftmost record whose hash is >= digest
            mid = (lo + hi) // 2
            at = base + mid * RECORD
            if data[at : at + HASH_BYTES] < digest:
                lo = mid + 1
            else:
                hi = mid
        found: list[tuple[int, int]] = []
        end = self._fanout[prefix]
        while lo < end:
            at = base + lo * RECORD
            record = data[at : at + RECORD]
            if record[:HASH_BYTES] != digest:
                break
            _, column, row = unpack_record(record)
            found.append((column, row))
            lo += 1
        return found

    def lookup_value(self, value: str) -> list[tuple[int, int]]:
        """:meth:`lookup` of a normalised value."""
        return self.lookup(self.hasher(value))

    def lookup_fingerprint(self, fingerprint: str) -> list[tuple[int, int]]:
        """:meth:`lookup` of a finding's fingerprint (hex HMAC-SHA256 of the same value)."""
        return self.lookup(bytes.fromhex(fingerprint[: 2 * HASH_BYTES]))

    def close(self) -> None:
        if self._map is not None:
            self._map.close()
            self._map = None

    def __repr__(self) -> str:
        names = ", ".join(f"{c.name}:{c.kind}" for c in self.columns)
        return f"EdmIndex({str(self.path)!r}, rows={self.rows}, records={self.records}, columns=[{names}])"
