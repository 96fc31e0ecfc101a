"""The per-deployment key for fingerprints.

Order: an explicit key (config), the ``DLP_KEY`` environment variable, a key
file (``DLP_KEY_FILE`` or ``$XDG_CONFIG_HOME/dlp/key``), which is generated with
0600 permissions on first use. ``DLP_KEY`` and key files need at least
:data:`MIN_KEY_BYTES`; a key file that group or others may read gives a warning
(logger ``dlp.keys``: on stderr unless logging is configured otherwise). The key
never appears in output or logs.
"""

from __future__ import annotations

import logging
import os
import secrets
import stat
from pathlib import Path

from dlp.errors import ConfigError

ENV_KEY = "DLP_KEY"
ENV_KEY_FILE = "DLP_KEY_FILE"
MIN_KEY_BYTES = 16
log = logging.getLogger(__name__)


def default_key_file() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "dlp" / "key"


def resolve_key(explicit: bytes | str | None = None, *, key_file: Path | None = None) -> bytes:
    """Return the key bytes, generating a key file if none exists."""
    if explicit:
        return explicit.encode("utf-8") if isinstance(explicit, str) else explicit
    env = os.environ.get(ENV_KEY)
    if env:
        key = env.encode("utf-8")
        if len(key) < MIN_KEY_BYTES:
            raise ConfigError(f"{ENV_KEY} is too short (need at least {MIN_KEY_BYTES} bytes)")
        return key
    path = key_file or Path(os.environ.get(ENV_KEY_FILE) or default_key_file())
    try:
        with open(path, "rb") as fh:
            mode = os.fstat(fh.fileno()).st_mode
            data = fh.read().strip()
    except FileNotFoundError:
        return _create_key_file(path)
    except OSError as exc:
        raise ConfigError(f"cannot read key file {path}: {exc.strerror}") from None
    if len(data) < MIN_KEY_BYTES:
        raise ConfigError(f"key file {path} is too short (need at least {MIN_KEY_BYTES} bytes)")
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        log.warning(
            "key file %s can be read or changed by group or others (mode %o): chmod 600 it",
            path,
            stat.S_IMODE(mode),
        )
    return data


def _create_key_file(path: Path) -> bytes:
    key = secrets.token_hex(32).encode("ascii")
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process won the race: use its key
        return path.read_bytes().strip()
    except OSError as exc:
        raise ConfigError(f"cannot create key file {path}: {exc.strerror}; set {ENV_KEY} instead") from None
    with os.fdopen(fd, "wb") as fh:
        fh.write(key + b"\n")
    return key
