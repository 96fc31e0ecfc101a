"""Decide how a text input is encoded, from a sample of its bytes.

UTF-8 (and ASCII) input is scanned as raw bytes, without decoding. Other
encodings (GB18030/GBK, UTF-16 LE/BE with or without BOM, UTF-32, and whatever
charset-normalizer recognises) are transcoded to UTF-8 chunk by chunk. Input with
NUL bytes or many control bytes that is not UTF-16 is binary: it is still scanned
as raw bytes for embedded text, and reported as only partly readable.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_CONTROL = bytes(range(0, 9)) + bytes(range(14, 27)) + bytes(range(28, 32)) + b"\x7f"
_NOT_CONTROL = bytes(b for b in range(256) if b not in _CONTROL)
SAMPLE_SIZE = 64 * 1024
MAX_STRAY = 8  # invalid sequences tolerated in a sample before the guess is dropped


@dataclass(frozen=True, slots=True)
class Encoding:
    name: str  # Python codec name ("utf-8", "gb18030", "utf-16-le", ...)
    bom: int = 0  # bytes of byte-order mark at the start
    binary: bool = False
    decode_errors: bool = False  # the sample had invalid sequences

    @property
    def raw(self) -> bool:
        """Scan the bytes as they are (no transcoding)."""
        return self.name == "utf-8"


def _decodes(sample: bytes, codec: str) -> bool:
    """True when ``sample`` decodes cleanly, allowing a cut character at its end."""
    decoder = codecs.getincrementaldecoder(codec)("strict")
    try:
        decoder.decode(sample, final=False)
    except UnicodeDecodeError:
        return False
    return True


def _errors(sample: bytes, codec: str) -> int:
    """How many invalid sequences ``sample`` has in ``codec`` (a cut last character is fine)."""
    decoder = codecs.getincrementaldecoder(codec)("replace")
    return decoder.decode(sample, final=False).count("\ufffd")


def _nearly(sample: bytes, codec: str) -> bool:
    """True when ``sample`` is ``codec`` text with at most a few invalid sequences."""
    return _errors(sample, codec) <= max(MAX_STRAY, len(sample) // 2000)


def _utf16_by_nuls(sample: bytes) -> str | None:
    even = sample[0::2]
    odd = sample[1::2]
    if not odd:
        return None
    even_nul = even.count(0) / len(even)
    odd_nul = odd.count(0) / len(odd)
    if odd_nul > 0.2 and even_nul < 0.02:
        return "utf-16-le"
    if even_nul > 0.2 and odd_nul < 0.02:
        return "utf-16-be"
    return None


def sniff(sample: bytes) -> Encoding:
    """Guess the encoding of an input from its first bytes (a few KiB or more)."""
    for bom, name in _BOMS:
        if sample.startswith(bom):
            return Encoding(name, bom=len(bom))
    if not sample:
        return Encoding("utf-8")
    if b"\x00" in sample:
        utf16 = _utf16_by_nuls(sample)
        if utf16 is not None and _nearly(sample, utf16):
            return Encoding(utf16)
        return Encoding("utf-8", binary=True)
    controls = len(sample.translate(None, _NOT_CONTROL))  # one pass: the control bytes kept
    if controls > len(sample) // 20:
        return Encoding("utf-8", binary=True)
    if _decodes(sample, "utf-8"):
        return Encoding("utf-8")
    if _decodes(sample, "gb18030"):
        return Encoding("gb18030")
    # A stray byte or two must not send a UTF-8 or GB18030 file to a wrong guess:
    # take the one with (nearly) no errors; GB18030 accepts much of UTF-8 as byte
    # pairs, so UTF-8 wins ties.
    if _nearly(sample, "utf-8") and _errors(sample, "utf-8") <= _errors(sample, "gb18030"):
        return Encoding("utf-8", decode_errors=True)
    if _nearly(sample, "gb18030"):
        return Encoding("gb18030")  # replaced sequences are counted while transcoding
    guess = _charset_normalizer(sample)
    if guess is not None:
        return Encoding(guess)
    return Encoding("utf-8", decode_errors=True)


def _charset_normalizer(sample: bytes) -> str | None:
    from charset_normalizer import from_bytes

    best = from_bytes(sample).best()
    if best is None:
        return None
    name = codecs.lookup(best.encoding).name
    return None if name in ("utf-8", "ascii") else name
