"""E-mail messages (.eml, RFC 5322 with MIME).

Headers are decoded (RFC 2047 encoded words) and scanned: addresses in From/To/Cc
are personal data too. Text bodies are decoded from their transfer encoding and
charset (GB2312 mail is read as GB18030, its superset); HTML bodies are reduced
to text as in :mod:`dlp.extract.markup`. Attachments and forwarded messages are
members, scanned recursively whatever their type (``mail.eml`` member
``合同.docx``). Location: ``part`` is ``headers`` or the MIME part number
(``1``, ``2.1`` ... as in IMAP).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from email import policy
from email.header import decode_header, make_header
from email.message import Message
from email.parser import BytesFeedParser
from typing import BinaryIO

from dlp.extract.base import Context, Corrupt, Item, Member, Segment, Where
from dlp.extract.markup import to_text

FEED = 1 << 20
_CHARSET_ALIASES = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "cp936": "gb18030"}


def extract(source: BinaryIO, ctx: Context) -> Iterator[Item]:
    # The compat32 policy parses a message of 50,000 parts in about a second (the
    # default policy's header objects take 20 times longer); headers are decoded
    # here. The message is fed in pieces, the time budget checked between them.
    parser = BytesFeedParser(policy=policy.compat32)
    try:
        for piece in iter(lambda: source.read(FEED), b""):
            parser.feed(piece)
            ctx.check_time()
        message = parser.close()
    except (ValueError, TypeError, IndexError, LookupError):
        raise Corrupt("not a readable e-mail message") from None
    if not message.keys():
        raise Corrupt("no e-mail headers found")
    yield from _headers(message, "headers")
    yield from _walk(message, "", ctx)


def _headers(message: Message, part: str) -> Iterator[Segment]:
    where = Where(part=part)
    for name, value in message.items():
        yield Segment(f"{name}: {_header_text(value)}", where)


def _header_text(value: object) -> str:
    """A header as people read it: RFC 2047 encoded words decoded."""
    try:
        return str(make_header(decode_header(str(value))))
    except (ValueError, TypeError, IndexError, LookupError, AssertionError):
        return str(value) if isinstance(value, str) else ""


def _walk(message: Message, number: str, ctx: Context) -> Iterator[Item]:
    ctx.check_time()
    if message.is_multipart():
        for index, sub in enumerate(message.get_payload(), 1):  # type: ignore[union-attr]
            if isinstance(sub, Message):
                yield from _walk(sub, f"{number}.{index}" if number else str(index), ctx)
        return
    number = number or "1"
    ctype = message.get_content_type()
    filename = _filename(message)
    if ctype == "message/rfc822":
        inner = message.get_payload()
        inner = inner[0] if isinstance(inner, list) and inner else inner
        if isinstance(inner, Message):
            data = inner.as_bytes()
            yield Member(filename or f"part{number}.eml", lambda data=data: io.BytesIO(data), size=len(data))
        return
    attachment = filename is not None or message.get_content_disposition() == "attachment"
    if ctype.startswith("text/") and not attachment:
        text = _body_text(message)
        if ctype == "text/html":
            text = to_text(text)
        yield Segment(text, Where(part=number))
        return
    if attachment or ctype.startswith("application/"):
        data = message.get_payload(decode=True) or b""
        if isinstance(data, bytes):
            name = filename or f"part{number}.bin"
            yield Member(name, lambda data=data: io.BytesIO(data), size=len(data))


def _filename(message: Message) -> str | None:
    try:
        name = message.get_filename()
    except (ValueError, TypeError, IndexError, LookupError):
        return None
    if not name:
        return None
    name = _header_text(name)
    return name.replace("/", "_").replace("!", "_") if name else None


def _body_text(message: Message) -> str:
    data = message.get_payload(decode=True)
    if not isinstance(data, bytes):
        return str(message.get_payload())
    charset = (message.get_content_charset() or "utf-8").lower()
    charset = _CHARSET_ALIASES.get(charset, charset)
    try:
        return data.decode(charset, "replace")
    except LookupError:
        return data.decode("utf-8", "replace")
