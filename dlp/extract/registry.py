"""Which extractor reads which kind of input (modules are imported on first use).

``random_access`` kinds need a seekable source (the zip directory sits at the
end, PDFs and OLE files are indexed); a member of such a kind is spooled to a
temporary file first. The others are read as streams.
"""

from __future__ import annotations

import importlib

from dlp.extract.base import Extractor

EXTRACTORS: dict[str, tuple[str, bool]] = {
    "zip": ("dlp.extract.ziparchive", True),
    "ole": ("dlp.extract.ole", True),
    "pdf": ("dlp.extract.pdf", True),
    "gzip": ("dlp.extract.compressed", False),
    "bzip2": ("dlp.extract.compressed", False),
    "xz": ("dlp.extract.compressed", False),
    "tar": ("dlp.extract.tararchive", False),
    "eml": ("dlp.extract.eml", False),
    "html": ("dlp.extract.markup", False),
    "xml": ("dlp.extract.markup", False),
    "json": ("dlp.extract.jsontext", False),
    "image": ("dlp.extract.image", True),
}


def extractor(kind: str) -> Extractor:
    module, _ = EXTRACTORS[kind]
    return importlib.import_module(module).extract  # type: ignore[no-any-return]


def random_access(kind: str) -> bool:
    return EXTRACTORS[kind][1]
