"""The exceptions ``dlp`` raises.

::

    DLPError                      base of everything raised on purpose
    ├── ConfigError (ValueError)  bad configuration: unknown detector, bad key, bad limit
    │   └── RuleError             a YARA rule folder or file does not compile
    ├── ScanError                 one input could not be (fully) scanned; carries a ``reason``
    │   ├── FileUnreadable        permission denied, vanished, not a regular file, I/O error
    │   ├── FileTooLarge          over the configured ``max_file_size``
    │   └── ScanTimeout           the signature engine ran past its time budget
    └── ValidationError (ValueError)  a candidate is not a valid value (see validators)
        ├── InvalidFormat         wrong characters or structure
        ├── InvalidLength         wrong number of characters
        ├── InvalidChecksum       check digit/character does not match
        └── InvalidComponent      a part (region, date, prefix, area code) is not valid

Messages never contain the scanned value: they name the file and the reason only.
"""

from __future__ import annotations


class DLPError(Exception):
    """Base class of all errors raised by ``dlp``."""


class ConfigError(DLPError, ValueError):
    """The configuration is invalid."""


class RuleError(ConfigError):
    """A YARA rule file could not be compiled."""


class ScanError(DLPError):
    """An input could not be scanned, or only partly.

    ``reason`` is a short machine-readable code (``unreadable``, ``vanished``,
    ``too_large``, ``not_regular``, ``timeout``, ``binary``, ``decode_errors``);
    ``message`` is for people and never contains scanned content.
    """

    reason = "error"

    def __init__(self, message: str, *, reason: str | None = None) -> None:
        super().__init__(message)
        if reason is not None:
            self.reason = reason

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else self.reason


class FileUnreadable(ScanError):
    reason = "unreadable"


class FileTooLarge(ScanError):
    reason = "too_large"


class ScanTimeout(ScanError):
    reason = "timeout"


class ValidationError(DLPError, ValueError):
    """A candidate value is not valid. Subclasses say why."""

    def __str__(self) -> str:
        return self.__doc__.strip().splitlines()[0] if self.__doc__ else type(self).__name__


class InvalidFormat(ValidationError):
    """The value has the wrong characters or structure."""


class InvalidLength(ValidationError):
    """The value has the wrong length."""


class InvalidChecksum(ValidationError):
    """The check digit or character does not match."""


class InvalidComponent(ValidationError):
    """A part of the value (region, date, prefix, area code) is not valid."""
