"""Report writers: JSONL for machines, a table for people, SARIF for code scanning."""

from __future__ import annotations

from typing import BinaryIO

from dlp.output.base import Summary, Writer
from dlp.output.jsonl import JsonlWriter
from dlp.output.sarif import SarifWriter
from dlp.output.text import TextWriter

FORMATS = {"text": TextWriter, "jsonl": JsonlWriter, "sarif": SarifWriter}


def make_writer(fmt: str, stream: BinaryIO) -> Writer:
    return FORMATS[fmt](stream)


__all__ = ["FORMATS", "Summary", "Writer", "make_writer"]
