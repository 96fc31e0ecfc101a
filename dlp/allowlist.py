"""Allowlists: findings to drop inside the scanner, before anything is reported.

Three kinds of entry, as in gitleaks:

* ``paths``: glob patterns; every finding in a matching file is dropped. A
  pattern is matched against the path as reported, its file name, and the path
  relative to ``base`` (the folder of the config file that lists it).
* ``fingerprints``: keyed fingerprints (as in reports and baselines) of values
  that are known and accepted, such as the company's switchboard number.
* ``regexes``: Python regular expressions searched in the *normalised* value (the
  form detectors report: ``13812345678``, upper-case IDs, lower-case e-mail
  addresses), e.g. ``^1380000\\d{4}$`` for test numbers.

Entries are applied to validated hits inside :class:`dlp.Scanner`, so raw values
never leave it: a report shows neither allowed values nor that they were there.

>>> allow = Allowlist.build(regexes=[r"^13800000000$"])
>>> allow.allows_value("13800000000", lambda v: ""), allow.allows_value("13912345678", lambda v: "")
(True, False)
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from dlp.errors import ConfigError

_FINGERPRINT = re.compile(r"^[0-9a-f]{64}$")


class _Valued(Protocol):
    @property
    def value(self) -> str: ...


HitT = TypeVar("HitT", bound=_Valued)


@dataclass(frozen=True)
class Allowlist:
    paths: tuple[str, ...] = ()
    fingerprints: frozenset[str] = frozenset()
    regexes: tuple[re.Pattern[str], ...] = ()
    base: str | None = None
    """Folder that relative path patterns are anchored to (the config file's)."""

    @classmethod
    def build(
        cls,
        *,
        paths: Iterable[str] = (),
        fingerprints: Iterable[str] = (),
        regexes: Iterable[str] = (),
        base: str | os.PathLike[str] | None = None,
    ) -> Allowlist:
        """Validate and compile entries; raises ConfigError naming the bad entry."""
        prints = frozenset(f.strip().lower() for f in fingerprints)
        for value in prints:
            if not _FINGERPRINT.match(value):
                raise ConfigError(f"not a fingerprint (64 hex digits): {value!r}")
        compiled = []
        for pattern in regexes:
            try:
                compiled.append(re.compile(pattern))
            except re.error as exc:
                raise ConfigError(f"bad allowlist regex {pattern!r}: {exc}") from None
        return cls(
            paths=tuple(p.replace(os.sep, "/").removeprefix("./") for p in paths),
            fingerprints=prints,
            regexes=tuple(compiled),
            base=os.path.abspath(base) if base is not None else None,
        )

    def __bool__(self) -> bool:
        return bool(self.paths or self.fingerprints or self.regexes)

    def allows_path(self, path: str) -> bool:
        """True when every finding in ``path`` is allowed."""
        if not self.paths:
            return False
        normal = path.replace(os.sep, "/").removeprefix("./")
        candidates = [normal, normal.rsplit("/", 1)[-1]]
        if self.base is not None and path != "-":
            candidates.append(os.path.relpath(os.path.abspath(path), self.base).replace(os.sep, "/"))
        return any(fnmatch.fnmatchcase(c, p) for c in candidates for p in self.paths)

    def allows_value(self, value: str, fingerprint: Callable[[str], str]) -> bool:
        """True when a normalised value is allowed (regex first, fingerprint if listed)."""
        if any(r.search(value) for r in self.regexes):
            return True
        return bool(self.fingerprints) and fingerprint(value) in self.fingerprints

    def filter(
        self,
        path: str,
        hits: Sequence[HitT],
        signatures: Sequence[HitT],
        fingerprint: Callable[[str], str],
    ) -> tuple[list[HitT], list[HitT]]:
        """The hits and signature hits of one window of ``path`` that are not allowed."""
        if self.allows_path(path):
            return [], []
        return (
            [h for h in hits if not self.allows_value(h.value, fingerprint)],
            [h for h in signatures if not self.allows_value(h.value, fingerprint)],
        )
