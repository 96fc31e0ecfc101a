"""Zip archives, and the Office files and other packages that are zips inside.

The member names decide what a zip is: ``[Content_Types].xml`` with ``xl/`` is
an xlsx/xlsm workbook, with ``word/`` a Word document, with ``ppt/`` a
presentation (whatever the file is called); ODF files (``content.xml``) are read
as XML. Anything else is an archive whose members are scanned as inputs of their
own, streamed (``ZipFile.open``), never read whole into memory.

Member names without the UTF-8 flag are decoded as UTF-8 when they are valid
UTF-8, else as GB18030 (what Chinese Windows writes), not as code page 437.
Encrypted members cannot be read: one ``encrypted_container`` finding says how
many there are, and the others are scanned. With OCR, the pictures of an Office
package (``word/media/``, ``xl/media/``, ``ppt/media/``) are members too.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from functools import partial
from typing import BinaryIO

from dlp.extract.base import Context, Corrupt, Item, Member

ENCRYPTED_FLAG = 0x1
UTF8_FLAG = 0x800


def office_kind(names: set[str]) -> str | None:
    """``xlsx``, ``docx``, ``pptx``, ``odf`` or None for a plain archive."""
    if "[Content_Types].xml" in names:
        tops = {n.split("/", 1)[0] for n in names if "/" in n}
        for top, kind in (("xl", "xlsx"), ("word", "docx"), ("ppt", "pptx")):
            if top in tops:
                return kind
    if "mimetype" in names and "content.xml" in names:
        return "odf"
    return None


def member_name(info: zipfile.ZipInfo) -> str:
    if info.flag_bits & UTF8_FLAG:
        return info.filename
    try:
        raw = info.filename.encode("cp437")
    except UnicodeEncodeError:
        return info.filename
    for codec in ("utf-8", "gb18030"):
        try:
            return raw.decode(codec)
        except UnicodeDecodeError:
            continue
    return info.filename


def open_zip(source: BinaryIO) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(source)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, OSError) as exc:
        raise Corrupt(f"not a readable zip package: {_why(exc)}") from None


def _why(exc: BaseException) -> str:
    text = str(exc)
    return "truncated or damaged" if not text or len(text) > 80 else text


def extract(source: BinaryIO, ctx: Context) -> Iterator[Item]:
    archive = open_zip(source)
    with archive:
        infos = archive.infolist()
        kind = office_kind({i.filename for i in infos})
        if kind is not None:
            ctx.check_package([(i.file_size, i.compress_size) for i in infos])
            yield from _office(kind, archive, source, ctx)
            return
        yield from _members(archive, infos, ctx)


def _members(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo], ctx: Context) -> Iterator[Item]:
    files = [i for i in infos if not i.is_dir()]
    locked = [i for i in files if i.flag_bits & ENCRYPTED_FLAG]
    if locked:
        ctx.encrypted("zip", f"{len(locked)} of {len(files)} members")
    for info in files:
        if info.flag_bits & ENCRYPTED_FLAG:
            continue
        yield Member(
            member_name(info),
            partial(archive.open, info),
            size=info.file_size,
            compressed=info.compress_size if info.compress_type != zipfile.ZIP_STORED else None,
        )


def _is_ods(archive: zipfile.ZipFile) -> bool:
    try:
        return archive.read("mimetype")[:80].strip() == b"application/vnd.oasis.opendocument.spreadsheet"
    except (KeyError, zipfile.BadZipFile, OSError, EOFError, ValueError):
        return False


def _office(kind: str, archive: zipfile.ZipFile, source: BinaryIO, ctx: Context) -> Iterator[Item]:
    if kind == "xlsx" or (kind == "odf" and _is_ods(archive)):
        from dlp.extract import sheets

        yield from sheets.extract(source, ctx)
    else:
        from dlp.extract import ooxml

        yield from ooxml.extract_package(kind, archive, ctx)
    pictures = ctx.ocr is not None  # pictures in the package are read only with OCR
    for info in archive.infolist():
        name = f"/{info.filename}"
        if ("/embeddings/" in name or (pictures and "/media/" in name)) and not info.is_dir():
            yield Member(
                info.filename,
                partial(archive.open, info),
                size=info.file_size,
                compressed=info.compress_size if info.compress_type != zipfile.ZIP_STORED else None,
            )
