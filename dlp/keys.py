"""The per-deployment key for fingerprints.

Order: an explicit key (config), the ``DLP_KEY`` environment variable, a key
file (``DLP_KEY_FILE`` or ``$XDG_CONFIG_HOME/dlp/key``), which is generated with
0600 permissions on first use. The key never appears in output or logs.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from dlp.errors import ConfigError

ENV_KEY = "DLP_KEY"
ENV_KEY_FILE = "DLP_KEY_FILE"


def default_key_file() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "dlp" / "key"


def resolve_key(explicit: bytes | str | None = None, *, key_file: Path | None = None) -> bytes:
    """Return the key bytes, generating a key file if none exists."""
    if explicit:
        return explicit.encode("utf-8") if isinstance(explicit, str) else explicit
    env = os.environ.get(ENV_KEY)
    if env:
        return env.encode("utf-8")
    path = key_file or Path(os.environ.get(ENV_KEY_FILE) or default_key_file())
    try:
        data = path.read_bytes().strip()
    except FileNotFoundError:
        return _create_key_file(path)
    except OSError as exc:
        raise ConfigError(f"cannot read key file {path}: {exc.strerror}") from None
    if len(data) < 16:
        raise ConfigError(f"key file {path} is too short (need at least 16 bytes)")
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
