"""File and member names scanned as text.

People name files after what they hold: ``张伟_110101198703129374.txt``, a scan of
an ID card named by its number. A name is scanned with the same core as content
(:meth:`dlp.engine.core.Core.hits`, no YARA signatures: those look for document
markers). A value found in a name is a finding of the file (or member) whose
``location`` says so: ``{"name": true, "offset": <byte offset in the UTF-8
name>, "line": 1}``.

:func:`mask_values` replaces every value found in a text (a path) by its masked
form: the endpoint agent sends paths to the collector that way.
"""

from __future__ import annotations

from dlp.detectors._util import _today
from dlp.engine.core import EDM, Core, Hit
from dlp.findings import Finding, Location


def _hits(core: Core, text: str) -> tuple[bytes, list[Hit]]:
    buf = text.encode("utf-8", "surrogateescape")
    hits, _ = core.hits(buf, 0, 0, len(buf), int(_today.compact()))
    return buf, hits


def name_findings(core: Core, name: str, *, path: str, member: str | None, reveal: bool) -> list[Finding]:
    """Findings of the values in ``name`` (the last part of ``path`` or ``member``)."""
    _, hits = _hits(core, name)
    return [
        Finding(
            detector=h.detector,
            path=path,
            location=Location(h.start, 1, name=True),
            masked=h.masked,
            fingerprint=h.fingerprint,
            confidence=h.confidence,
            severity=h.severity,
            member=member,
            value=((h.written if h.detector == EDM else h.value) if reveal else None),
            column=h.column,
        )
        for h in hits
    ]


def mask_values(core: Core, text: str) -> str:
    """``text`` with every value the detectors find in it replaced by its masked form.

    >>> from dlp import Scanner, ScanConfig
    >>> scanner = Scanner(ScanConfig(key=b"doctest-key-0123456789"))
    >>> scanner.mask_values("/media/usb/张伟_13812345678/报表.xlsx")
    '/media/usb/张伟_138****5678/报表.xlsx'
    """
    buf, hits = _hits(core, text)
    if not hits:
        return text
    out = bytearray()
    last = 0
    for hit in sorted(hits, key=lambda h: (h.start, -h.end)):
        if hit.start < last:  # an EDM hit over a value already masked
            continue
        out += buf[last : hit.start]
        out += hit.masked.encode("utf-8")
        last = hit.end
    out += buf[last:]
    return out.decode("utf-8", "surrogateescape")
