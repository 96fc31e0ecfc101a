"""Decide what an input is from its content; the file name is only a hint.

One libmagic call on the start of the first chunk gives a MIME type, mapped to a
:data:`Kind`. Zip-based formats are told apart later by their member names
(:mod:`dlp.extract.ooxml`), so a renamed ``报名表.dat`` that is really an xlsx is
read as one. The name is consulted only when libmagic says nothing specific
(``text/plain``, ``application/octet-stream``). Pictures OCR can read are
kind ``image``; a scan without OCR passes them over like other ``media``: ``.eml``, ``.html``, ``.xml`` and
``.json`` then pick the matching extractor.

>>> sniff_kind(b"%PDF-1.7\\n...", "scan.bin")
'pdf'
>>> sniff_kind("手机 13812345678\\n".encode(), "notes.txt")
'text'
"""

from __future__ import annotations

import os
from typing import Literal

import magic

Kind = Literal[
    "text", "zip", "ole", "pdf", "gzip", "bzip2", "xz", "tar", "eml", "html", "xml", "json", "media", "image"
]
SNIFF_BYTES = 64 * 1024

_BY_MIME: dict[str, Kind] = {
    "application/zip": "zip",
    "application/x-zip-compressed": "zip",
    "application/java-archive": "zip",
    "application/epub+zip": "zip",
    "application/pdf": "pdf",
    "application/gzip": "gzip",
    "application/x-gzip": "gzip",
    "application/x-bzip2": "bzip2",
    "application/x-xz": "xz",
    "application/x-tar": "tar",
    "application/x-ustar": "tar",
    "application/x-gtar": "tar",
    "message/rfc822": "eml",
    "text/html": "html",
    "application/xhtml+xml": "html",
    "text/xml": "xml",
    "application/xml": "xml",
    "image/svg+xml": "xml",
    "application/json": "json",
    "application/x-ndjson": "json",
}
_ZIP_FAMILIES = (
    "application/vnd.openxmlformats-officedocument",
    "application/vnd.ms-excel.sheet",
    "application/vnd.ms-word.document",
    "application/vnd.ms-powerpoint.presentation",
    "application/vnd.oasis.opendocument",
)
_HINTS: dict[str, Kind] = {
    ".eml": "eml",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".xml": "xml",
    ".json": "json",
    ".ndjson": "json",
    ".jsonl": "json",
}
_GENERIC = frozenset({"text/plain", "application/octet-stream"})
PICTURES = frozenset(
    {"image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp", "image/x-ms-bmp", "image/tiff"}
)
"""Pictures OCR reads (kind ``image``); without OCR they are media like the others."""
_MEDIA = frozenset(
    {
        "image/heic", "image/heif", "image/avif", "image/x-icon", "image/vnd.microsoft.icon",
        "audio/mpeg", "audio/x-wav", "audio/wav", "audio/flac", "audio/x-flac", "audio/ogg",
        "audio/mp4", "audio/x-m4a", "audio/aac", "video/mp4", "video/quicktime",
        "video/x-msvideo", "video/webm", "video/x-matroska", "video/mpeg", "video/x-flv",
        "font/ttf", "font/otf", "font/woff", "font/woff2",
    }
)  # fmt: skip
"""Pictures, sound, video and fonts with strong magic: no text to scan without OCR.
Only formats libmagic identifies by a distinctive signature are listed: weak guesses
(``image/x-tga`` for a run of small bytes) must not hide a file's text."""
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def sniff_kind(first: bytes, name: str = "") -> Kind:
    """The kind of input whose first bytes are ``first`` (``name`` is a hint)."""
    if first.startswith(_OLE_MAGIC):
        return "ole"
    if _plain_text(first, name):
        return "text"
    mime = magic.from_buffer(first[:SNIFF_BYTES], mime=True)
    if mime.startswith(_ZIP_FAMILIES):
        return "zip"
    kind = _BY_MIME.get(mime)
    if kind is not None:
        return kind
    if mime in PICTURES:
        return "image"
    if mime in _MEDIA:
        return "media"
    if mime in _GENERIC and name:
        hinted = _HINTS.get(os.path.splitext(name)[1].lower())
        if hinted is not None and (hinted != "eml" or _looks_like_headers(first)):
            return hinted
    return "text"


_PLAIN_SAMPLE = 8192
_BOM = b"\xef\xbb\xbf"
_MARKUP_STARTS = (b"<", b"{", b"[", b"%", b"#!", b"\\", b"@", _BOM + b"<", _BOM + b"{", _BOM + b"[")


def _plain_text(first: bytes, name: str) -> bool:
    """True for UTF-8 text that libmagic could only call plain text (a fast path: a
    libmagic call costs about a millisecond, most files on a drive are text).

    That is: no NUL byte in the first 8 KB, which decode as UTF-8 (a character cut
    at the end aside); not starting with markup, a brace or bracket (JSON), ``%``
    (PDF, PostScript) or ``#!``; no header-like first line (e-mail); no tar header;
    and no name that hints at a structured format. Anything else goes to libmagic.
    """
    sample = first[:_PLAIN_SAMPLE]
    if not sample or b"\x00" in sample:
        return False
    if sample.lstrip(b" \t\r\n").startswith(_MARKUP_STARTS) or first[257:262] == b"ustar":
        return False
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(sample) - 3:
            return False
    if name and os.path.splitext(name)[1].lower() in _HINTS:
        return False
    return not _looks_like_headers(first)


def _looks_like_headers(first: bytes) -> bool:
    head = first[:1024].split(b"\n", 1)[0]
    name, colon, _ = head.partition(b":")
    return bool(colon) and 0 < len(name) < 64 and b" " not in name.strip()
