"""Word (docx/docm), PowerPoint (pptx/pptm) and OpenDocument text, read as XML parts.

Each text part of the package is streamed with ``iterparse`` (lxml's for Word and
PowerPoint, :func:`xml.etree.ElementTree.iterparse` for OpenDocument)
(elements are dropped as soon as they are read, so memory stays small whatever
the document's size) and every paragraph becomes one segment, its runs joined
first, so a value split over several runs (formatting changes, spell-check
marks) is matched whole. Parts read:

- Word: ``word/document.xml`` (body, tables, text boxes, tracked deletions),
  headers, footers, footnotes, endnotes, comments, charts and SmartArt;
- PowerPoint: slides (in slide order), notes, comments, charts and SmartArt;
- OpenDocument: ``content.xml`` and ``styles.xml`` (headers and footers).

Text boxes are stored twice (a DrawingML shape and a VML fallback); the fallback
copy (``mc:Fallback``) is skipped. Paragraphs of one table row are separated by
tabs, so a row reads as one line. Location: ``part`` (the part name) and
``paragraph`` (1-based, counting every paragraph of the part in document order).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO
from xml.etree.ElementTree import ParseError, iterparse

from lxml import etree

from dlp.extract.base import Context, Corrupt, Segment, Where

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
P = "{http://schemas.openxmlformats.org/presentationml/2006/main}"
C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
T = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"


@dataclass(frozen=True)
class Vocabulary:
    """The element names one XML dialect uses for paragraphs, text, cells and rows."""

    paragraphs: frozenset[str]  # elements whose text (and descendants' text) form a paragraph
    texts: frozenset[str]  # elements whose own text is paragraph text
    leaves: frozenset[str]  # elements that are a whole paragraph by their own text
    tabs: frozenset[str]
    breaks: frozenset[str]
    cell: str
    row: str
    tails: bool = False  # mixed content: element tails are text as well (OpenDocument)


WORD = Vocabulary(
    paragraphs=frozenset({W + "p", A + "p"}),
    texts=frozenset({W + "t", W + "delText", A + "t"}),
    leaves=frozenset({C + "v"}),
    tabs=frozenset({W + "tab"}),
    breaks=frozenset({W + "br", W + "cr", A + "br"}),
    cell=W + "tc",
    row=W + "tr",
)
SLIDES = Vocabulary(
    paragraphs=frozenset({A + "p"}),
    texts=frozenset({A + "t"}),
    leaves=frozenset({C + "v", P + "text"}),
    tabs=frozenset(),
    breaks=frozenset({A + "br"}),
    cell=A + "tc",
    row=A + "tr",
)
OPEN_DOCUMENT = Vocabulary(
    paragraphs=frozenset({T + "p", T + "h"}),
    texts=frozenset(),
    leaves=frozenset(),
    tabs=frozenset({T + "tab"}),
    breaks=frozenset({T + "line-break"}),
    cell=TABLE + "table-cell",
    row=TABLE + "table-row",
    tails=True,
)

_WORD_PARTS = re.compile(
    r"^word/(document|header\d*|footer\d*|footnotes|endnotes|comments|charts/chart\d*|diagrams/data\d*)\.xml$"
)
_SLIDE_PARTS = re.compile(
    r"^ppt/(slides/slide|notesSlides/notesSlide|comments/comment|charts/chart|diagrams/data)(\d*)\.xml$"
)
_ORDER = {"document": 0, "header": 1, "footer": 2, "footnotes": 3, "endnotes": 4, "comments": 5}


def _word_order(name: str) -> tuple[int, int, str]:
    stem = name.split("/")[-1].removesuffix(".xml")
    base = stem.rstrip("0123456789")
    return (_ORDER.get(base, 6), int(stem[len(base) :] or 0), name)


def _slide_order(name: str) -> tuple[int, int, str]:
    match = _SLIDE_PARTS.match(name)
    assert match is not None
    kinds = ("slides/slide", "notesSlides/notesSlide", "comments/comment", "charts/chart", "diagrams/data")
    return (kinds.index(match.group(1)), int(match.group(2) or 0), name)


def text_parts(kind: str, names: list[str]) -> tuple[list[str], Vocabulary]:
    """The parts to read, in reading order, and their vocabulary."""
    if kind == "docx":
        return sorted((n for n in names if _WORD_PARTS.match(n)), key=_word_order), WORD
    if kind == "pptx":
        return sorted((n for n in names if _SLIDE_PARTS.match(n)), key=_slide_order), SLIDES
    return [n for n in ("content.xml", "styles.xml") if n in names], OPEN_DOCUMENT


def extract_package(kind: str, archive: zipfile.ZipFile, ctx: Context) -> Iterator[Segment]:
    parts, vocabulary = text_parts(kind, archive.namelist())
    if kind != "odf" and not any(p.endswith(("document.xml", ".xml")) for p in parts):
        raise Corrupt(f"no text parts in this {kind} package")
    read = paragraphs if vocabulary.tails else fast_paragraphs
    for part in parts:
        try:
            with archive.open(part) as stream:
                yield from read(stream, part, vocabulary, ctx)
        except (ParseError, etree.XMLSyntaxError):
            raise Corrupt(f"{part}: damaged XML") from None
        except (zipfile.BadZipFile, EOFError, OSError):
            raise Corrupt(f"{part}: damaged or truncated data") from None


def paragraphs(stream: BinaryIO, part: str, vocab: Vocabulary, ctx: Context) -> Iterator[Segment]:
    """One segment per paragraph of an XML part, in document order.

    Elements outside paragraphs are dropped as soon as they end; a paragraph is
    kept until its end, turned into text, then dropped (a paragraph nested in it,
    in a text box, has been emitted and dropped before).
    """
    open_elements: list = []
    numbers: list[int] = []
    fallback = 0
    number = 0
    cell_in_row = 0
    fresh_cell = False
    starts = vocab.paragraphs | vocab.leaves
    for event, el in iterparse(stream, events=("start", "end")):
        tag = el.tag
        if event == "start":
            open_elements.append(el)
            if tag == MC_FALLBACK:
                fallback += 1
            elif fallback:
                continue
            elif tag in starts:
                number += 1
                numbers.append(number)
            elif tag == vocab.row:
                cell_in_row = 0
            elif tag == vocab.cell:
                cell_in_row += 1
                fresh_cell = cell_in_row > 1
            continue
        open_elements.pop()
        if tag == MC_FALLBACK:
            fallback -= 1
        elif not fallback and tag in starts:
            sep = "\t" if fresh_cell else "\n"
            fresh_cell = False
            yield Segment(_text(el, vocab), Where(part=part, paragraph=numbers.pop()), sep)
            if number % 256 == 0:
                ctx.check_time()
        if open_elements and (not numbers or tag in starts or tag == MC_FALLBACK):
            open_elements[-1].remove(el)


def fast_paragraphs(stream: BinaryIO, part: str, vocab: Vocabulary, ctx: Context) -> Iterator[Segment]:
    """:func:`paragraphs` for Word and PowerPoint parts, with lxml.

    lxml's ``iterparse`` hands Python only the elements asked for (paragraphs,
    table rows and cells, ``mc:Fallback``): runs, properties and text nodes stay in
    C, and a paragraph's text is gathered with one ``iter`` over its text, tab and
    break elements. Same segments, separators and numbering as :func:`paragraphs`.
    Elements are dropped once read, so memory stays small.
    """
    starts = vocab.paragraphs | vocab.leaves
    wanted = (*starts, vocab.row, vocab.cell, MC_FALLBACK)
    inline = (*vocab.texts, *vocab.tabs, *vocab.breaks)
    numbers: list[int] = []
    fallback = 0
    number = 0
    cell_in_row = 0
    fresh_cell = False
    events = etree.iterparse(
        stream, events=("start", "end"), tag=wanted, resolve_entities=False, no_network=True
    )
    for event, el in events:
        tag = el.tag
        if event == "start":
            if tag == MC_FALLBACK:
                fallback += 1
            elif fallback:
                continue
            elif tag in starts:
                number += 1
                numbers.append(number)
            elif tag == vocab.row:
                cell_in_row = 0
            elif tag == vocab.cell:
                cell_in_row += 1
                fresh_cell = cell_in_row > 1
            continue
        if tag == MC_FALLBACK:
            fallback -= 1
            _drop(el)
            continue
        if fallback or tag not in starts:
            if tag == vocab.row:
                _forget(el)
            continue
        leaf = tag in vocab.leaves
        text = (el.text or "") if leaf else "".join(_piece(t, vocab) for t in el.iter(inline))
        sep = "\t" if fresh_cell else "\n"
        fresh_cell = False
        yield Segment(text, Where(part=part, paragraph=numbers.pop()), sep)
        if number % 256 == 0:
            ctx.check_time()
        if el.getparent() is not None and el.getparent().tag not in (vocab.cell,) and _inside(el, starts):
            _drop(el)  # a paragraph in a text box: its text is not its container's
        else:
            _forget(el)


def _piece(el, vocab: Vocabulary) -> str:  # type: ignore[no-untyped-def]
    tag = el.tag
    if tag in vocab.tabs:
        return "\t"
    if tag in vocab.breaks:
        return "\n"
    return el.text or ""


def _inside(el, starts: frozenset[str]) -> bool:  # type: ignore[no-untyped-def]
    parent = el.getparent()
    while parent is not None:
        if parent.tag in starts:
            return True
        parent = parent.getparent()
    return False


def _drop(el) -> None:  # type: ignore[no-untyped-def]
    parent = el.getparent()
    if parent is not None:
        parent.remove(el)


def _forget(el) -> None:  # type: ignore[no-untyped-def]
    """Free what has been read: the element's content and the siblings before it."""
    el.clear(keep_tail=True)
    parent = el.getparent()
    if parent is not None:
        while el.getprevious() is not None:
            del parent[0]


_SKIP = frozenset({W + "pPr", W + "rPr", W + "instrText", MC_FALLBACK})


def _text(paragraph, vocab: Vocabulary) -> str:  # type: ignore[no-untyped-def]
    """The text of a paragraph element: runs joined, tabs and breaks kept."""
    if paragraph.tag in vocab.leaves:
        return paragraph.text or ""
    out: list[str] = []
    stack = [(paragraph, False)]
    while stack:
        el, done = stack.pop()
        if done:
            if el.tail and el is not paragraph:
                out.append(el.tail)
            continue
        tag = el.tag
        if tag in _SKIP:
            if vocab.tails and el.tail:
                out.append(el.tail)
            continue
        if tag in vocab.texts or (vocab.tails and el.text):
            out.append(el.text or "")
        elif tag in vocab.tabs:
            out.append("\t")
        elif tag in vocab.breaks:
            out.append("\n")
        elif tag == T + "s":
            out.append(" " * int(el.get(T + "c") or 1))
        if vocab.tails:
            stack.append((el, True))
        stack.extend((child, False) for child in reversed(el))
    return "".join(out)
