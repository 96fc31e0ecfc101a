"""The on-disk EDM index format (version 2; version 1 is still read).

::

    magic       8 bytes   b"DLPEDM\\x00\\x01"
    length      4 bytes   little-endian length of the JSON header
    header      JSON      format, version, hash_bytes, key_check, columns, rows, records,
                          name_filter_bits (version 2)
    padding     to a multiple of 8 bytes
    fanout      65536 x u32 little-endian: records whose hash starts with a 2-byte
                prefix <= i (so a lookup searches one bucket of about n/65536 records)
    records     ``records`` x 15 bytes, sorted: hash (10) | column (1) | row (4, big-endian)
    name filter ``name_filter_bits / 8`` bytes (version 2): a Bloom filter of the name
                columns' values, probed with a SipHash-1-3 of a name's first two
                characters and its length, keyed by the fingerprint of a constant
                (``dlp._core.NameFilter``). A scan fingerprints a text window as a
                possible name only when the filter lets it pass; without the key the
                filter tells nothing about the names.

A record's hash is the first :data:`HASH_BYTES` bytes of HMAC-SHA256 of the
normalised value under the deployment key: the same HMAC as a finding's
fingerprint, so ``bytes.fromhex(finding.fingerprint)[:10]`` finds its records.
No value is stored in plaintext; the header holds only column names and kinds.
``key_check`` (an HMAC of a constant) tells a wrong key from "no match".
"""

from __future__ import annotations

import hashlib
import hmac
import struct
from dataclasses import dataclass

MAGIC = b"DLPEDM\x00\x01"
VERSION = 2
READABLE_VERSIONS = (1, 2)
HASH_BYTES = 10
COLUMN_BYTES = 1
ROW_BYTES = 4
RECORD = HASH_BYTES + COLUMN_BYTES + ROW_BYTES
FANOUT = 1 << 16
FANOUT_BYTES = 4 * FANOUT
MAX_COLUMNS = 255
MAX_ROWS = (1 << 32) - 1
_KEY_CHECK_INPUT = b"dlp edm key check v1"
_LENGTH = struct.Struct("<I")


def key_check(key: bytes) -> str:
    """A value that tells whether an index was built with ``key`` (reveals nothing about it)."""
    return hmac.digest(key, _KEY_CHECK_INPUT, "sha256")[:8].hex()


class Hasher:
    """Truncated keyed hash of a normalised value (the fingerprint's first bytes)."""

    __slots__ = ("_base",)

    def __init__(self, key: bytes) -> None:
        self._base = hmac.new(key, digestmod=hashlib.sha256)

    def __call__(self, value: str) -> bytes:
        mac = self._base.copy()
        mac.update(value.encode("utf-8"))
        return mac.digest()[:HASH_BYTES]


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    kind: str


def pack_record(digest: bytes, column: int, row: int) -> bytes:
    return digest + bytes((column,)) + row.to_bytes(ROW_BYTES, "big")


def unpack_record(record: bytes) -> tuple[bytes, int, int]:
    return (
        record[:HASH_BYTES],
        record[HASH_BYTES],
        int.from_bytes(record[HASH_BYTES + COLUMN_BYTES :], "big"),
    )


def header_bytes(header: dict[str, object]) -> bytes:
    """Magic, length and JSON header, padded so the fanout starts 8-byte aligned."""
    import json

    body = json.dumps(header, ensure_ascii=False, sort_keys=True).encode("utf-8")
    head = MAGIC + _LENGTH.pack(len(body)) + body
    return head + b" " * (-len(head) % 8)


def parse_header(prefix: bytes) -> tuple[dict[str, object], int] | None:
    """``(header, fanout offset)`` from the start of a file, None if it is not an index."""
    import json

    if len(prefix) < len(MAGIC) + _LENGTH.size or not prefix.startswith(MAGIC[:6]):
        return None
    (length,) = _LENGTH.unpack_from(prefix, len(MAGIC))
    start = len(MAGIC) + _LENGTH.size
    if len(prefix) < start + length:
        return None
    try:
        header = json.loads(prefix[start : start + length].decode("utf-8"))
    except ValueError:
        return None
    if not isinstance(header, dict):
        return None
    end = start + length
    return header, end + (-end % 8)
