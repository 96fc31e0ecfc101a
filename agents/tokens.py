"""Bearer tokens: one token per line in a token file, ``#`` comments and blank lines ignored.

The collector accepts any token of its file (one per agent or per fleet); the agent
sends the first token of its file. Tokens are compared in constant time and never
logged or echoed in error messages.

>>> tokens = TokenSet((b"fleet-a-0123456789abcdef",))
>>> tokens.check("Bearer fleet-a-0123456789abcdef"), tokens.check("Bearer nope"), tokens.check(None)
(True, False, False)
"""

from __future__ import annotations

import hmac
import logging
import os
import stat
from pathlib import Path

from dlp.errors import ConfigError

MIN_LENGTH = 16
log = logging.getLogger(__name__)


def read_tokens(path: str | os.PathLike[str]) -> tuple[bytes, ...]:
    """All tokens of a token file. Raises :class:`ConfigError` if there are none or one is too short."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
        mode = file.stat().st_mode
    except OSError as exc:
        raise ConfigError(f"cannot read token file {file}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"token file {file} is not UTF-8 text") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        log.warning("token file %s is readable by group or others; use chmod 600", file)
    tokens = []
    for number, line in enumerate(text.splitlines(), start=1):
        token = line.strip()
        if not token or token.startswith("#"):
            continue
        if len(token) < MIN_LENGTH or any(c.isspace() for c in token):
            raise ConfigError(
                f"token file {file}, line {number}: a token needs {MIN_LENGTH}+ characters and no spaces"
            )
        tokens.append(token.encode("utf-8"))
    if not tokens:
        raise ConfigError(f"token file {file} holds no token")
    return tuple(tokens)


class TokenSet:
    """The tokens a collector accepts."""

    def __init__(self, tokens: tuple[bytes, ...]) -> None:
        if not tokens:
            raise ConfigError("at least one token is needed")
        self._tokens = tokens

    def __repr__(self) -> str:
        return f"TokenSet(<{len(self._tokens)} token(s)>)"

    def check(self, authorization: str | None) -> bool:
        """True if an ``Authorization`` header value carries one of the tokens."""
        if not authorization:
            return False
        scheme, _, given = authorization.partition(" ")
        if scheme.lower() != "bearer":
            return False
        candidate = given.strip().encode("utf-8", "surrogateescape")
        matched = False
        for token in self._tokens:  # no early exit: the time does not depend on which token matched
            matched |= hmac.compare_digest(token, candidate)
        return matched
