"""Scanner configuration: one frozen object, passed in, never global."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dlp.allowlist import Allowlist

MiB = 1024 * 1024


@dataclass(frozen=True)
class ScanConfig:
    """How to scan. All limits are explicit; defaults suit a desktop or CI job.

    ``key`` is the fingerprint key; when ``None`` it is resolved by
    :func:`dlp.keys.resolve_key` (``DLP_KEY`` or a generated key file).
    """

    detectors: frozenset[str] | None = None
    """Names of detectors to run (``None``: all). Unknown names are a ConfigError."""
    rule_dirs: tuple[Path, ...] = ()
    """Extra folders of YARA rules (``*.yar``/``*.yara``) scanned alongside the built-ins."""
    builtin_rules: bool = True
    """Also run the signature rules shipped in ``dlp.signatures``."""
    key: bytes | None = field(default=None, repr=False)
    reveal: bool = False
    """Put raw values into findings (``value``). Off by default."""
    max_file_size: int = 8 * 1024 * MiB
    """Files larger than this are reported (``too_large``) and not scanned."""
    chunk_size: int = 4 * MiB
    """Large inputs are streamed in chunks of this many bytes (overlapping)."""
    yara_timeout: int = 60
    """Seconds the signature engine may spend on one chunk."""
    engine: str = "auto"
    """Deprecated and ignored (``auto``, ``hyperscan`` and ``yara`` are accepted): since 0.2
    one native core (:mod:`dlp._core`) finds candidates on every platform."""
    follow_symlinks: bool = False
    exclude: tuple[str, ...] = ()
    """Glob patterns (matched against the path and the file name) to skip."""
    cache_dir: Path | None = None
    """Where compiled rules are cached (``None``: ``$XDG_CACHE_HOME/dlp``; no cache if unwritable)."""
    max_depth: int = 5
    """Containers inside containers (a top-level zip's members are at depth 1); deeper is not opened."""
    max_archive_bytes: int = 1024 * MiB
    """Bytes extracted from the members of one input, all nesting levels together."""
    max_ratio: float = 100.0
    """A member may expand at most this many times its compressed size (once over 1 MiB)."""
    max_members: int = 100_000
    """Members opened in one input, all nesting levels together."""
    file_timeout: float = 120.0
    """Seconds one document or container (with all it holds) may take; plain text is not limited."""
    edm_index: Path | None = None
    """An EDM index (``dlp edm build``): report values of registered customers as ``edm`` findings."""
    allowlist: Allowlist | None = None
    """Findings to drop inside the scanner (paths, fingerprints, value regexes): :mod:`dlp.allowlist`."""
    ocr: bool = False
    """Read the text in pictures and scanned PDF pages (needs ``pip install 'dlp[ocr]'``): :mod:`dlp.ocr`."""
    ocr_max_pixels: int = 8_000_000
    """Larger pictures are scaled down to this many pixels before OCR."""
    ocr_max_declared_pixels: int = 100_000_000
    """Pictures whose header declares more pixels than this are refused undecoded (``limit_pixels``)."""
    ocr_timeout: float = 30.0
    """Seconds OCR may spend on one picture (``limit_ocr_time``: the lines read so far are scanned)."""
    ocr_max_images: int = 50
    """Pictures read in one input (a document, archive or e-mail), all nesting levels together."""
    ocr_max_images_total: int = 10_000
    """Pictures read in one scan (``dlp scan`` with all its workers, or one :class:`~dlp.Scanner`)."""

    def __post_init__(self) -> None:
        from dlp.errors import ConfigError

        if self.chunk_size < 64 * 1024:
            raise ConfigError("chunk_size must be at least 64 KiB")
        if self.max_file_size < 0:
            raise ConfigError("max_file_size must not be negative")
        if self.yara_timeout <= 0:
            raise ConfigError("yara_timeout must be positive")
        if self.max_depth < 0 or self.max_members < 0 or self.max_archive_bytes < 0:
            raise ConfigError("max_depth, max_members and max_archive_bytes must not be negative")
        if self.max_ratio < 1:
            raise ConfigError("max_ratio must be at least 1")
        if self.file_timeout <= 0:
            raise ConfigError("file_timeout must be positive")
        if self.ocr_timeout <= 0:
            raise ConfigError("ocr_timeout must be positive")
        if self.ocr_max_pixels < 10_000 or self.ocr_max_declared_pixels < self.ocr_max_pixels:
            raise ConfigError("ocr_max_pixels must be at least 10000 and at most ocr_max_declared_pixels")
        if self.ocr_max_images < 0 or self.ocr_max_images_total < 0:
            raise ConfigError("ocr_max_images and ocr_max_images_total must not be negative")
