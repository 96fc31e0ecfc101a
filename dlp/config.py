"""Scanner configuration: one frozen object, passed in, never global."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

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
    follow_symlinks: bool = False
    exclude: tuple[str, ...] = ()
    """Glob patterns (matched against the path and the file name) to skip."""
    cache_dir: Path | None = None
    """Where compiled rules are cached (``None``: ``$XDG_CACHE_HOME/dlp``; no cache if unwritable)."""

    def __post_init__(self) -> None:
        from dlp.errors import ConfigError

        if self.chunk_size < 64 * 1024:
            raise ConfigError("chunk_size must be at least 64 KiB")
        if self.max_file_size < 0:
            raise ConfigError("max_file_size must not be negative")
        if self.yara_timeout <= 0:
            raise ConfigError("yara_timeout must be positive")
