"""OLE2 compound files: legacy Office (xls, doc, ppt), Outlook .msg, encrypted OOXML.

- An ``EncryptedPackage`` stream is a password-protected xlsx/docx/pptx, and
  msoffcrypto-tool recognises password-protected xls/doc/ppt: both are reported
  as encrypted containers.
- ``Workbook``/``Book`` streams are Excel 97-2003 workbooks, read with python-calamine
  (:mod:`dlp.extract.sheets`).
- Outlook messages: string properties (``__substg1.0_*001F`` UTF-16,
  ``*001E`` 8-bit) are text; attachment data are members named by their file name.
- Anything else (Word and PowerPoint 97-2003, other OLE files): text runs are
  taken from every stream, UTF-16LE runs (how those formats store Chinese text)
  and 8-bit ASCII runs, like ``strings``. Location: ``part`` is the stream name.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import BinaryIO

from dlp.extract.base import Context, Corrupt, Encrypted, Item, Member, Segment, Where

_UTF16_RUN = re.compile(rb"(?:[\t\n\r\x20-\x7e]\x00|[\x00-\xff][\x30\x4e-\x9f\xff]){4,}")
_ASCII_RUN = re.compile(rb"[\t\x20-\x7e]{6,}")
MAX_STREAM = 256 * 1024 * 1024


def extract(source: BinaryIO, ctx: Context) -> Iterator[Item]:
    import olefile

    source.seek(0)
    try:
        ole = olefile.OleFileIO(source)
    except (OSError, ValueError, IndexError, TypeError, AttributeError):
        raise Corrupt("not a readable OLE2 compound file (damaged or truncated)") from None
    with ole:
        streams = ["/".join(path) for path in ole.listdir(streams=True, storages=False)]
        if "EncryptedPackage" in streams or "EncryptionInfo" in streams:
            raise Encrypted("password-protected Office document", "office")
        if _legacy_encrypted(source):
            raise Encrypted("password-protected Office 97-2003 document", "office")
        if "Workbook" in streams or "Book" in streams:
            from dlp.extract import sheets

            yield from sheets.extract(source, ctx)
            return
        if any(s.startswith("__substg1.0_") for s in streams):
            yield from _message(ole, streams, ctx)
            return
        yield from _strings(ole, streams, ctx)


def _legacy_encrypted(source: BinaryIO) -> bool:
    import msoffcrypto
    from msoffcrypto.exceptions import FileFormatError

    source.seek(0)
    try:
        return bool(msoffcrypto.OfficeFile(source).is_encrypted())
    except (FileFormatError, OSError, ValueError, IndexError, KeyError, AssertionError, AttributeError):
        return False
    finally:
        source.seek(0)


def _read(ole, name: str) -> bytes:  # type: ignore[no-untyped-def]
    try:
        if ole.get_size(name) > MAX_STREAM:
            return b""
        return ole.openstream(name).read()
    except (OSError, ValueError, IndexError):
        raise Corrupt(f"{name}: damaged stream") from None


def _strings(ole, streams: list[str], ctx: Context) -> Iterator[Segment]:  # type: ignore[no-untyped-def]
    for name in streams:
        ctx.check_time()
        data = _read(ole, name)
        where = Where(part=name)
        for match in _UTF16_RUN.finditer(data):
            yield Segment(match.group().decode("utf-16-le", "replace"), where)
        for match in _ASCII_RUN.finditer(data):
            yield Segment(match.group().decode("ascii"), where)


def _message(ole, streams: list[str], ctx: Context) -> Iterator[Item]:  # type: ignore[no-untyped-def]
    attachments: dict[str, dict[str, str]] = {}
    for name in streams:
        ctx.check_time()
        folder, _, leaf = name.rpartition("/")
        if not leaf.startswith("__substg1.0_"):
            continue
        prop = leaf[len("__substg1.0_") :]
        if folder.startswith("__attach_version1.0_"):
            attachments.setdefault(folder, {})[prop] = name
        if prop.endswith("001F"):
            text = _read(ole, name).decode("utf-16-le", "replace")
        elif prop.endswith("001E"):
            text = _read(ole, name).decode("gb18030", "replace")
        else:
            continue
        yield Segment(text.rstrip("\x00"), Where(part=name))
    for folder, props in sorted(attachments.items()):
        data_stream = props.get("37010102")
        if data_stream is None:
            continue
        label = props.get("3707001F") or props.get("3704001F")
        filename = _read(ole, label).decode("utf-16-le", "replace").rstrip("\x00") if label else ""
        data = _read(ole, data_stream)
        name = (filename or folder).replace("/", "_").replace("!", "_")
        yield Member(name, lambda data=data: io.BytesIO(data), size=len(data))
