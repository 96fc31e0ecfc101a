"""HTML and XML: the text people read, plus what hides in comments, scripts and attributes.

The input is decoded chunk by chunk and fed to :class:`html.parser.HTMLParser`,
which never fails on bad markup and never expands entities it does not know
(no DTDs, no entity bombs). Tags are dropped: a tag that separates content (a
table cell, a paragraph, any XML element) becomes a blank, inline formatting
tags (``<b>``, ``<span>`` ...) vanish, so ``<b>138</b>1234 5678`` reads whole.
Entities are resolved (``&nbsp;`` becomes a blank, ``&#49;`` a digit); comments,
inline scripts and styles, CDATA sections and attribute values (``value``,
``title``, ``href="tel:..."``, every attribute in XML) are scanned too. Source
newlines are kept, so the ``line`` of a finding is its line in the file.
"""

from __future__ import annotations

from collections.abc import Iterator
from html.parser import HTMLParser
from typing import BinaryIO

from dlp.extract.base import Context, Segment
from dlp.extract.textstream import at_line_ends, decoded

_INLINE = (
    "a abbr b bdi bdo big cite code data del dfn em font i ins kbd mark q s samp small span strike strong"
)
INLINE = frozenset([*_INLINE.split(), "sub", "sup", "time", "tt", "u", "var", "wbr"])
_NOISE = "class style id src srcset width height type rel lang charset dir align valign role target colspan"
NOISE_ATTRIBUTES = frozenset([*_NOISE.split(), "rowspan", "border", "cellpadding", "cellspacing", "xmlns"])


class _Text(HTMLParser):
    def __init__(self, xml: bool) -> None:
        super().__init__(convert_charrefs=True)
        self._xml = xml
        self._out: list[str] = []
        self._lines = 1  # line of the extracted text the next piece starts on

    def take(self) -> str:
        text = "".join(self._out)
        self._out.clear()
        return text

    def _emit(self, text: str) -> None:
        line = self.getpos()[0]
        if line > self._lines:
            self._out.append("\n" * (line - self._lines))
            self._lines = line
        if text:
            self._out.append(text)
            self._lines += text.count("\n")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        separate = self._xml or tag not in INLINE
        values = [v for k, v in attrs if v and (self._xml or k not in NOISE_ATTRIBUTES)]
        text = " " + " ".join(values) + " " if values else (" " if separate else "")
        self._emit(text.replace("\n", " "))

    def handle_endtag(self, tag: str) -> None:
        self._emit(" " if self._xml or tag not in INLINE else "")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_data(self, data: str) -> None:
        self._emit(data)

    def handle_comment(self, data: str) -> None:
        self._emit(f" {data} ")

    def unknown_decl(self, data: str) -> None:
        if data.startswith("CDATA["):
            self._emit(f" {data[6:]} ")


def to_text(markup: str, *, xml: bool = False) -> str:
    """The text of a whole HTML (or XML) document held in memory.

    >>> " ".join(to_text("<p>手机&nbsp;<b>138</b>1234 5678</p><!-- 备注 -->").split())
    '手机 1381234 5678 备注'
    """
    parser = _Text(xml)
    parser.feed(markup)
    parser.close()
    return parser.take()


def extract(source: BinaryIO, ctx: Context) -> Iterator[Segment]:
    parser = _Text(xml=ctx.kind == "xml")

    def pieces() -> Iterator[str]:
        for chunk in decoded(source):
            ctx.check_time()
            parser.feed(chunk)
            yield parser.take()
        parser.close()
        yield parser.take()

    for text in at_line_ends(pieces()):
        yield Segment(text, sep="")
