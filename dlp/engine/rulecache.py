"""The compiled-rule cache: signed files in a private folder, checked before YARA sees them.

``yara.load`` trusts its input: a compiled rule file with one byte changed can
crash the process (a prepared drive that pointed ``cache_dir`` at itself did
exactly that, 25 times in 150 single-byte flips). So every cache file is::

    b"DLPYARC1" | HMAC-SHA256(cache key, payload) | payload (yara's saved rules)

where the cache key is HMAC-SHA256(fingerprint key, "dlp compiled-rule cache v1"):
nobody without the deployment key can write a file that passes. A file is read
once (``O_NOFOLLOW``, size-capped), checked, and handed to YARA from memory, so
what was checked is what is loaded. A file that fails is deleted and the rules
are compiled (and saved) again. Files are written to a temporary name and renamed
into place (atomic); the folder is created with mode 0700, tightened to 0700 when
it is the user's own, and not used at all when someone else owns it or it is a
symbolic link.

>>> import tempfile
>>> cache = RuleCache.open(Path(tempfile.mkdtemp()) / "dlp", b"doctest-key-0123456789")
>>> rules = yara.compile(source='rule r { strings: $a = "x" condition: $a }')
>>> cache.save("rules-r", rules)
>>> [m.rule for m in cache.load("rules-r").match(data=b"x")]
['r']
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import io
import logging
import os
import stat
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import yara

log = logging.getLogger(__name__)
MAGIC = b"DLPYARC1"
MAC_SIZE = 32
MAX_SIZE = 256 * 1024 * 1024
"""Larger cache files are not read (compiled rule sets are kilobytes to a few megabytes)."""
_CONTEXT = b"dlp compiled-rule cache v1"


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "dlp"


def private_folder(folder: Path) -> bool:
    """Create ``folder`` (mode 0700) or make sure it is the user's own and tightened to 0700;
    False when it cannot be used (someone else's, a symbolic link, not creatable)."""
    try:
        folder.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        with contextlib.suppress(FileExistsError):
            folder.mkdir(mode=0o700)
        st = os.lstat(folder)
        if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.geteuid():
            return False
        if stat.S_IMODE(st.st_mode) != 0o700:
            os.chmod(folder, 0o700)
    except OSError:
        return False
    return True


@dataclass(frozen=True)
class RuleCache:
    """A folder of signed compiled-rule files; see the module docstring."""

    folder: Path
    mac_key: bytes = field(repr=False)

    @property
    def key_id(self) -> str:
        """A short public name of the cache key: files signed under other keys (another
        ``DLP_KEY``) have other names, so scanners with different keys do not evict each other."""
        return hashlib.sha256(self.mac_key).hexdigest()[:8]

    def path(self, name: str) -> Path:
        """Where the rules called ``name`` are kept under this key."""
        return self.folder / f"{name}-{self.key_id}.yarc"

    @classmethod
    def open(cls, folder: Path, key: bytes) -> RuleCache | None:
        """The cache in ``folder`` under the fingerprint ``key``; None when the folder is unusable."""
        if not private_folder(folder):
            log.info("compiled-rule cache %s is not a private folder of this user: not used", folder)
            return None
        return cls(folder, hmac.digest(key, _CONTEXT, "sha256"))

    def _mac(self, payload: bytes) -> bytes:
        return hmac.digest(self.mac_key, payload, "sha256")

    def load(self, name: str) -> yara.Rules | None:
        """The rules saved as ``name``, or None (missing, or failed the check: then deleted)."""
        path = self.path(name)
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except OSError:
            return None
        with os.fdopen(fd, "rb") as fh:
            st = os.fstat(fh.fileno())
            data = fh.read(MAX_SIZE + 1) if stat.S_ISREG(st.st_mode) and st.st_size <= MAX_SIZE else b""
        header, payload = data[: len(MAGIC) + MAC_SIZE], data[len(MAGIC) + MAC_SIZE :]
        if (
            len(data) > MAX_SIZE
            or header[: len(MAGIC)] != MAGIC
            or not hmac.compare_digest(header[len(MAGIC) :], self._mac(payload))
        ):
            log.warning("compiled-rule cache file %s failed its check: deleted, rules compiled again", path)
            with contextlib.suppress(OSError):
                os.unlink(path)
            return None
        try:
            return yara.load(file=io.BytesIO(payload))
        except yara.Error:  # signed by us, yet not loadable (another YARA build): compile again
            return None

    def save(self, name: str, rules: yara.Rules) -> None:
        """Save ``rules`` as ``name``, signed, atomically; a failure only costs a compile next time."""
        buffer = io.BytesIO()
        tmp = None
        try:
            rules.save(file=buffer)
            payload = buffer.getvalue()
            fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".rules-", suffix=".tmp")
            with os.fdopen(fd, "wb") as fh:
                fh.write(MAGIC + self._mac(payload) + payload)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.path(name))
        except (OSError, yara.Error):
            if tmp is not None:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
