"""Names and messages made safe to show to people (terminals, logs).

A file name on a prepared drive can hold newlines, carriage returns and ANSI
escape sequences: printed raw it forges report or log lines, or recolours and
rewrites the terminal. :func:`printable_text` escapes every control character
(C0, DEL, C1), the line and paragraph separators and the bidirectional
overrides (which reorder what a reader sees) as ``\\xNN`` / ``\\uNNNN``; bytes
that were not valid UTF-8 (surrogate escapes from ``os.fsdecode``) become
``\\xNN`` too. Everything else, Chinese included, is kept.

>>> printable_text("a\\nb\\x1b[31m.txt")
'a\\\\x0ab\\\\x1b[31m.txt'
>>> printable_text("客户名单.xlsx")
'客户名单.xlsx'

The JSONL and SARIF writers need no escaping of their own (JSON escapes
control characters), but they do need :func:`dlp.findings.printable`.
"""

from __future__ import annotations

import logging
import re

from dlp.findings import printable

_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable_text(text: str) -> str:
    """``text`` with control and bidi characters escaped, and undecodable bytes as ``\\xNN``."""
    text = printable(text)
    return _UNSAFE.sub(_escape, text) if _UNSAFE.search(text) else text


class EscapingFormatter(logging.Formatter):
    """A log formatter that escapes control characters in every message (file names
    in log lines cannot forge other lines), leaving tracebacks as they are."""

    def format(self, record: logging.LogRecord) -> str:
        saved = record.msg, record.args
        record.msg, record.args = printable_text(record.getMessage()), None
        try:
            return super().format(record)
        finally:
            record.msg, record.args = saved
