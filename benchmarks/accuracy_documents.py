"""Accuracy on documents and archives: real-format files with ground truth, scanned by the CLI.

Usage::

    python benchmarks/accuracy_documents.py [--out DIR] [--seed N] [--scale N] [--dlp CMD] [--generate-only]

The corpus (``DIR/corpus``) holds what customer lists leave in: Excel sheets of
thousands of rows (mobiles stored as numbers or text, a hidden sheet, bank cards
under a 银行卡号 header), Word contracts (values split over runs, tables, headers
and footers, a text box), PDFs set in a CJK font (STSong-Light), PowerPoint
decks, e-mails with attachments, JSON written with ``\\uXXXX`` escapes, zips of
CSVs and spreadsheets, a zip in a zip, .tar.gz files, and renamed files
(``报名表.dat`` that is an xlsx, a PDF called ``.txt`` ...). Every value is
synthetic (:mod:`dlp.synthetic`); decoys that must not be reported (bad check
digits, masked values, order numbers, timestamps, amounts) sit next to them.
``DIR/manifest.json`` lists every expected finding as (path, member, detector, value).

The scanner runs as ``CMD scan DIR/corpus --format jsonl --reveal``; its findings
(minus ``yara:*`` signature hits and ``encrypted_container``) are compared with the
manifest as sets. Recall is printed per format, precision overall. Exit status 0
when recall is >= 0.98 for every format and precision >= 0.995, 1 if not, 2 when
the scanner could not be run.

The file builders (``xlsx_bytes``, ``docx_bytes``, ``pdf_bytes``, ``zipcrypto_bytes``,
``zero_bomb_zip`` ...) are importable; the tests build their fixtures with them.
"""

from __future__ import annotations

import argparse
import csv
import io
import itertools
import json
import random
import shlex
import struct
import subprocess
import sys
import tarfile
import time
import zipfile
import zlib
from collections.abc import Iterable
from email.message import EmailMessage
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
try:
    import dlp  # noqa: F401
except ImportError:  # run from a checkout without installing
    sys.path.insert(0, str(REPO))

from dlp import synthetic  # noqa: E402

MIN_RECALL = 0.98
MIN_PRECISION = 0.995
DEFAULT_SEED = 20240611
FORMATS = ("xlsx", "docx", "pptx", "pdf", "eml", "json_escaped", "zip_members", "renamed")
Key = tuple[str, str, str, str]  # (relative path, member or "", detector, normalised value)

# -- file builders -------------------------------------------------------------------


def xlsx_bytes(sheets: Iterable[tuple[str, list[list[object]], str]]) -> bytes:
    """An xlsx workbook: ``(title, rows, state)`` per sheet, state ``visible``/``hidden``/``veryHidden``."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    for title, rows, state in sheets:
        sheet = book.create_sheet(title)
        sheet.sheet_state = state
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


_TEXTBOX = (
    '<w:p xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
    'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
    'xmlns:v="urn:schemas-microsoft-com:vml"><w:r><mc:AlternateContent>'
    '<mc:Choice Requires="wps"><w:drawing><wps:txbx><w:txbxContent><w:p><w:r><w:t>{text}</w:t></w:r></w:p>'
    "</w:txbxContent></wps:txbx></w:drawing></mc:Choice><mc:Fallback><w:pict><v:textbox><w:txbxContent>"
    "<w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:txbxContent></v:textbox></w:pict></mc:Fallback>"
    "</mc:AlternateContent></w:r></w:p>"
)


def docx_bytes(
    paragraphs: Iterable[list[str]],
    *,
    table: list[list[str]] | None = None,
    header: str | None = None,
    footer: str | None = None,
    textbox: str | None = None,
) -> bytes:
    """A Word document: each paragraph is a list of runs (alternately bold, so they stay separate runs)."""
    from xml.sax.saxutils import escape

    import docx
    from docx.oxml import parse_xml

    document = docx.Document()
    for runs in paragraphs:
        paragraph = document.add_paragraph()
        for i, run in enumerate(runs):
            paragraph.add_run(run).bold = i % 2 == 1
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, text in enumerate(row):
                grid.cell(r, c).text = text
    section = document.sections[0]
    if header is not None:
        section.header.paragraphs[0].text = header
    if footer is not None:
        section.footer.paragraphs[0].text = footer
    if textbox is not None:
        document.element.body.append(parse_xml(_TEXTBOX.format(text=escape(textbox))))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def pptx_bytes(slides: Iterable[list[str]], *, table: list[list[str]] | None = None) -> bytes:
    """A deck: one text box per slide holding the lines; an optional table on the last slide."""
    from pptx import Presentation
    from pptx.util import Inches

    deck = Presentation()
    slide = None
    for lines in slides:
        slide = deck.slides.add_slide(deck.slide_layouts[6])
        frame = slide.shapes.add_textbox(Inches(0.5), Inches(0.5), Inches(9), Inches(6)).text_frame
        frame.text = lines[0] if lines else ""
        for line in lines[1:]:
            frame.add_paragraph().text = line
    if table and slide is not None:
        shape = slide.shapes.add_table(
            len(table), len(table[0]), Inches(0.5), Inches(4), Inches(9), Inches(2)
        )
        for r, row in enumerate(table):
            for c, text in enumerate(row):
                shape.table.cell(r, c).text = text
    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()


def pdf_bytes(pages: Iterable[list[str]]) -> bytes:
    """A PDF whose text is set in STSong-Light (Adobe-GB1, UniGB-UCS2-H), one line per string.

    No font is embedded: the text is UCS-2 and readers map it through Adobe's CMaps,
    exactly as for PDFs written with the standard Chinese fonts.
    """
    objects: list[bytes] = [b"", b"", b""]  # catalog, pages, font: filled in below
    objects.append(
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo "
        b"<< /Registry (Adobe) /Ordering (GB1) /Supplement 4 >> /FontDescriptor 5 0 R /DW 1000 >>"
    )
    objects.append(
        b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] "
        b"/ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>"
    )
    kids = []
    for lines in pages:
        ops = [b"BT /F1 11 Tf 14 TL 40 800 Td"]
        ops += [b"<" + line.encode("utf-16-be").hex().encode() + b"> Tj T*" for line in lines]
        stream = b"\n".join([*ops, b"ET"])
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
        content = len(objects)
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % content
        )
        kids.append(len(objects))
    objects[0] = b"<< /Type /Catalog /Pages 2 0 R >>"
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kids),
        len(kids),
    )
    objects[2] = (
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H "
        b"/DescendantFonts [4 0 R] >>"
    )
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def eml_bytes(
    *, sender: str, to: str, subject: str, body: str, html: str | None = None, attachments: Iterable = ()
) -> bytes:
    """An e-mail with a text body (an HTML alternative optional) and ``(name, bytes)`` attachments."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body, charset="gb18030" if not body.isascii() else "utf-8")
    if html is not None:
        message.add_alternative(html, subtype="html")
    for name, data in attachments:
        message.add_attachment(data, maintype="application", subtype="octet-stream", filename=name)
    return message.as_bytes()


def zip_bytes(members: dict[str, bytes], *, gbk_names: bool = False) -> bytes:
    """A deflated zip; ``gbk_names`` stores names in GB18030 without the UTF-8 flag (Chinese Windows)."""
    if not gbk_names:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in members.items():
                archive.writestr(name, data)
        return out.getvalue()
    entries = []
    for name, data in members.items():
        packer = zlib.compressobj(6, zlib.DEFLATED, -15)
        packed = packer.compress(data) + packer.flush()
        entries.append((name.encode("gb18030"), packed, zlib.crc32(data), len(data), 0, 8))
    return raw_zip(entries)


def raw_zip(entries: Iterable[tuple[bytes, bytes, int, int, int, int]]) -> bytes:
    """A zip written by hand: ``(raw name, stored bytes, crc, size, flags, method)`` per member.

    For what ``zipfile`` will not write: names in a legacy code page, encrypted
    members, members whose data was compressed elsewhere.
    """
    out = bytearray()
    central = bytearray()
    count = 0
    for raw_name, stored, crc, size, flags, method in entries:
        fields = (20, flags, method, 0, 0x21, crc, len(stored), size, len(raw_name), 0)
        central += struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, *fields[:-1], 0, 0, 0, 0, 0, len(out))
        central += raw_name
        out += struct.pack("<4s5H3L2H", b"PK\x03\x04", *fields) + raw_name + stored
        count += 1
    start = len(out)
    out += central
    out += struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, count, count, len(central), start, 0)
    return bytes(out)


def tar_gz_bytes(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return out.getvalue()


def _zipcrypto_stream(password: bytes, data: bytes, crc: int, rng: random.Random) -> bytes:
    """Traditional PKWARE encryption (APPNOTE 6.1) of ``data``, 12-byte header first."""
    table = []  # the CRC-32 table (reflected polynomial 0xEDB88320)
    for n in range(256):
        for _ in range(8):
            n = (n >> 1) ^ 0xEDB88320 if n & 1 else n >> 1
        table.append(n)
    keys = [0x12345678, 0x23456789, 0x34567890]

    def crc_step(value: int, byte: int) -> int:
        return (value >> 8) ^ table[(value ^ byte) & 0xFF]

    def update(byte: int) -> None:
        keys[0] = crc_step(keys[0], byte)
        keys[1] = ((keys[1] + (keys[0] & 0xFF)) * 134775813 + 1) & 0xFFFFFFFF
        keys[2] = crc_step(keys[2], keys[1] >> 24)

    for byte in password:
        update(byte)
    header = bytes(rng.randrange(256) for _ in range(11)) + bytes([crc >> 24])
    out = bytearray()
    for byte in header + data:
        temp = (keys[2] | 2) & 0xFFFF
        out.append(byte ^ (((temp * (temp ^ 1)) >> 8) & 0xFF))
        update(byte)
    return bytes(out)


def zipcrypto_bytes(members: dict[str, bytes], password: bytes, seed: int = 0) -> bytes:
    """A zip whose members are stored with ZipCrypto encryption (``zipfile`` can read, not write, these)."""
    rng = random.Random(seed)
    entries = []
    for name, data in members.items():
        crc = zlib.crc32(data)
        entries.append((name.encode(), _zipcrypto_stream(password, data, crc, rng), crc, len(data), 0x801, 0))
    return raw_zip(entries)


def zero_bomb_zip(size: int = 2 << 30, name: str = "zeros.bin") -> bytes:
    """A zip with one deflated member of ``size`` zero bytes (about 1 KiB per MiB), built in a second.

    The deflate stream repeats one block compressed after a full flush (which
    resets the compressor), so it is a valid stream that really inflates to
    ``size`` bytes; ``size`` must be a multiple of 1 MiB and below 4 GiB.
    """
    mib = 1 << 20
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(bytes(mib)) + compressor.flush(zlib.Z_FULL_FLUSH)
    stream = block * (size // mib) + b"\x03\x00"  # a final empty fixed-Huffman block
    crc = 0
    chunk = bytes(16 * mib)
    for _ in range(size // len(chunk)):
        crc = zlib.crc32(chunk, crc)
    crc = zlib.crc32(bytes(size % len(chunk)), crc)
    return raw_zip([(name.encode(), stream, crc, size, 0, 8)])


def ole_bytes(streams: dict[str, bytes]) -> bytes:
    """A minimal OLE2 compound file (CFB version 3) holding ``streams``.

    Names are ``"Stream"`` or ``"Storage/Stream"`` (one level of storages). Every
    stream is padded with NULs to 4096 bytes or more, so none lives in the mini
    stream and no mini FAT is needed; siblings are chained in name order.
    """
    sector = 512
    end, free, fat_mark = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD
    tree: dict[str, dict[str, bytes]] = {"": {}}
    for name, data in streams.items():
        folder, _, leaf = name.rpartition("/")
        tree.setdefault(folder, {})[leaf] = data.ljust(max(4096, len(data)), b"\0")
    entries: list[dict[str, object]] = [{"name": "Root Entry", "type": 5, "data": b""}]
    children: dict[int, list[int]] = {0: []}
    for folder in sorted(f for f in tree if f):
        entries.append({"name": folder, "type": 1, "data": b""})
        children[0].append(len(entries) - 1)
        children[len(entries) - 1] = []
    for folder, files in tree.items():
        parent = (
            0
            if not folder
            else next(i for i, e in enumerate(entries) if e["name"] == folder and e["type"] == 1)
        )
        for leaf, data in files.items():
            entries.append({"name": leaf, "type": 2, "data": data})
            children[parent].append(len(entries) - 1)
    data_sectors = [(len(e["data"]) + sector - 1) // sector for e in entries]  # type: ignore[arg-type]
    dir_sectors = (len(entries) * 128 + sector - 1) // sector
    fat_sectors = 1
    while fat_sectors * 128 < fat_sectors + dir_sectors + sum(data_sectors):
        fat_sectors += 1
    fat = [fat_mark] * fat_sectors
    first_dir = len(fat)
    fat += [len(fat) + i + 1 for i in range(dir_sectors - 1)] + [end]
    starts = []
    for count in data_sectors:
        starts.append(len(fat) if count else end)
        fat += [len(fat) + i + 1 for i in range(count - 1)] + ([end] if count else [])
    fat += [free] * (fat_sectors * 128 - len(fat))
    for parent, kids in children.items():
        kids.sort(key=lambda i: (len(entries[i]["name"]), str(entries[i]["name"]).upper()))  # type: ignore[arg-type]
        entries[parent]["child"] = kids[0] if kids else free
        for a, b in itertools.pairwise(kids):
            entries[a]["right"] = b
    directory = bytearray()
    for i, e in enumerate(entries):
        name = str(e["name"]).encode("utf-16-le") + b"\0\0"
        directory += name.ljust(64, b"\0") + struct.pack(
            "<HBBLLL16sLQQLQ",
            len(name),
            e["type"],
            1,
            free,
            e.get("right", free),
            e.get("child", free),
            bytes(16),
            0,
            0,
            0,
            starts[i] if data_sectors[i] else end,
            len(e["data"]),  # type: ignore[arg-type]
        )
    directory = directory.ljust(dir_sectors * sector, b"\0")
    difat = [*range(fat_sectors)] + [free] * (109 - fat_sectors)
    header = struct.pack(
        "<8s16sHHHHH6sLLLLLLLLL109L",
        bytes.fromhex("d0cf11e0a1b11ae1"),
        bytes(16),
        0x3E,
        3,
        0xFFFE,
        9,
        6,
        bytes(6),
        0,
        fat_sectors,
        first_dir,
        0,
        4096,
        end,
        0,
        end,
        0,
        *difat,
    )
    body = b"".join(struct.pack("<128L", *fat[i * 128 : (i + 1) * 128]) for i in range(fat_sectors))
    body += bytes(directory)
    for e in entries:
        data = e["data"]
        body += data.ljust((len(data) + sector - 1) // sector * sector, b"\0")  # type: ignore[attr-defined]
    return header + body


def _biff(kind: int, payload: bytes = b"") -> bytes:
    return struct.pack("<HH", kind, len(payload)) + payload


def xls_bytes(sheets: Iterable[tuple[str, list[list[object]], bool]], *, encrypted: bool = False) -> bytes:
    """An Excel 97-2003 workbook (BIFF8): ``(title, rows, hidden)``; numbers as NUMBER, text as LABEL.

    ``encrypted`` adds a FILEPASS record (RC4), as Excel writes for a password to open.
    """

    def short_text(text: str) -> bytes:
        return struct.pack("<BB", len(text), 1) + text.encode("utf-16-le")

    sheets = list(sheets)
    bof = struct.pack("<HHHHLL", 0x0600, 0x0005, 0x0DBB, 0x07CC, 0, 6)
    xf = struct.pack("<HHHBBBBLLH", 0, 0, 0xFFF5, 0x20, 0, 0, 0, 0, 0, 0x20C0)
    bodies = []
    for _, rows, _ in sheets:
        cells = bytearray(_biff(0x0809, struct.pack("<HHHHLL", 0x0600, 0x0010, 0x0DBB, 0x07CC, 0, 6)))
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, (int, float)):
                    cells += _biff(0x0203, struct.pack("<HHHd", r, c, 0, float(value)))
                elif value is not None:
                    text = str(value)
                    cells += _biff(
                        0x0204, struct.pack("<HHHHB", r, c, 0, len(text), 1) + text.encode("utf-16-le")
                    )
        bodies.append(bytes(cells + _biff(0x000A)))
    filepass = _biff(0x002F, struct.pack("<HHH", 1, 1, 1) + bytes(range(48))) if encrypted else b""
    head_size = len(_biff(0x0809, bof)) + len(filepass) + len(_biff(0x0042, b"..")) + len(_biff(0x00E0, xf))
    head_size += len(_biff(0x000A))
    head_size += sum(len(_biff(0x0085, bytes(6) + short_text(t))) for t, _, _ in sheets)
    glob = bytearray(
        _biff(0x0809, bof) + filepass + _biff(0x0042, struct.pack("<H", 1200)) + _biff(0x00E0, xf)
    )
    offset = head_size
    for (title, _, hidden), body in zip(sheets, bodies, strict=True):
        glob += _biff(0x0085, struct.pack("<LH", offset, 1 if hidden else 0) + short_text(title))
        offset += len(body)
    glob += _biff(0x000A)
    return ole_bytes({"Workbook": bytes(glob) + b"".join(bodies)})


# -- corpus ---------------------------------------------------------------------------


class Corpus:
    """Writes files and records what each must yield."""

    def __init__(self, root: Path, seed: int) -> None:
        self.root = root
        self.rng = random.Random(seed)
        self.seed = seed
        self.files: dict[str, str] = {}  # relative path -> format
        self.truth: set[Key] = set()
        self.formats: dict[Key, str] = {}
        self.decoys = 0

    def expect(self, fmt: str, path: str, member: str, detector: str, value: str) -> None:
        key = (path, member, detector, value)
        self.truth.add(key)
        self.formats.setdefault(key, fmt)

    def write(self, fmt: str, rel: str, data: bytes) -> None:
        target = self.root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        self.files[rel] = fmt

    # values --------------------------------------------------------------------------

    def person(self) -> dict[str, str]:
        rng = self.rng
        area, sub = synthetic.landline(rng)
        return {
            "name": synthetic.chinese_name(rng),
            "cn_mobile": synthetic.mobile(rng),
            "cn_resident_id": synthetic.resident_id(rng),
            "email": synthetic.email(rng),
            "cn_plate": synthetic.plate(rng, rng.choice(("ordinary", "ne_small", "ne_large"))),
            "bank_card": synthetic.bank_card(rng, rng.choice((16, 19))),
            "cn_landline": area + sub,
            "landline_text": f"{area}-{sub}",
        }

    def decoy(self) -> str:
        """Something that looks like a value but is none (no detector accepts it)."""
        from dlp.detectors import all_detectors

        self.decoys += 1
        while True:
            text = self._decoy()
            if not any(d.is_valid(text) for d in all_detectors()):
                return text

    def _decoy(self) -> str:
        rng = self.rng
        m = synthetic.mobile(rng)
        return rng.choice(
            (
                synthetic.resident_id_bad_checksum(rng),
                synthetic.resident_id_bad_date(rng),
                m[:3] + "****" + m[7:],
                f"DD{rng.randrange(10**15, 10**16)}",
                str(rng.randrange(1_600_000_000_000, 1_800_000_000_000)),
                f"{rng.randint(100, 99999)}.{rng.randint(0, 99):02d}",
                synthetic.mobile_bad_prefix(rng),
                synthetic.bank_card_bad_luhn(rng),
            )
        )

    def expect_person(
        self, fmt: str, path: str, member: str, p: dict[str, str], fields: Iterable[str]
    ) -> None:
        for field in fields:
            self.expect(fmt, path, member, field, p[field])


HEADER = ["序号", "姓名", "手机", "身份证号", "邮箱", "车牌号", "银行卡号", "备注"]
FIELDS = ("cn_mobile", "cn_resident_id", "email", "cn_plate", "bank_card")


def customer_rows(c: Corpus, n: int, fmt: str, path: str, member: str, numeric: bool) -> list[list[object]]:
    rows: list[list[object]] = [list(HEADER)]
    for i in range(1, n + 1):
        p = c.person()
        mobile: object = int(p["cn_mobile"]) if numeric else p["cn_mobile"]
        rows.append(
            [i, p["name"], mobile, p["cn_resident_id"], p["email"], p["cn_plate"], p["bank_card"], c.decoy()]
        )
        c.expect_person(fmt, path, member, p, FIELDS)
    return rows


def customer_csv(c: Corpus, fmt: str, path: str, member: str, n: int, encoding: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    for row in customer_rows(c, n, fmt, path, member, numeric=False):
        writer.writerow(row)
    return out.getvalue().encode(encoding)


def workbook(c: Corpus, fmt: str, path: str, member: str, rows: int) -> bytes:
    numeric = c.rng.random() < 0.5
    main = customer_rows(c, rows, fmt, path, member, numeric)
    hidden = customer_rows(c, max(20, rows // 20), fmt, path, member, not numeric)
    return xlsx_bytes([("客户名单", main, "visible"), ("备份", hidden, "hidden")])


def contract(c: Corpus, fmt: str, path: str, member: str) -> bytes:
    rng = c.rng
    paragraphs: list[list[str]] = [["客户服务合同"]]
    for role in ("甲方", "乙方"):
        p = c.person()
        mobile = p["cn_mobile"]
        cut = rng.randint(2, 9)
        paragraphs.append(
            [
                f"{role}：{p['name']}，身份证号码：",
                p["cn_resident_id"],
                "，联系电话：",
                mobile[:cut],
                mobile[cut:],
            ]
        )
        paragraphs.append([f"电子邮箱：{p['email']}，开户银行卡号：{p['bank_card']}。备注编号 {c.decoy()}"])
        c.expect_person(fmt, path, member, p, ("cn_resident_id", "cn_mobile", "email", "bank_card"))
        paragraphs.append([synthetic.prose(rng, 80)])
    table = [["姓名", "手机", "车牌号"]]
    for _ in range(rng.randint(3, 8)):
        p = c.person()
        table.append([p["name"], p["cn_mobile"], p["cn_plate"]])
        c.expect_person(fmt, path, member, p, ("cn_mobile", "cn_plate"))
    company = synthetic.uscc(rng)
    office = c.person()
    boxed = c.person()
    c.expect(fmt, path, member, "cn_uscc", company)
    c.expect(fmt, path, member, "cn_landline", office["cn_landline"])
    c.expect(fmt, path, member, "cn_mobile", boxed["cn_mobile"])
    return docx_bytes(
        paragraphs,
        table=table,
        header=f"统一社会信用代码：{company}",
        footer=f"客服电话：{office['landline_text']}",
        textbox=f"紧急联系人手机：{boxed['cn_mobile']}",
    )


def pdf_doc(c: Corpus, fmt: str, path: str, member: str, pages: int) -> bytes:
    out = []
    for _ in range(pages):
        lines = ["客户信息登记表", "姓名  手机  身份证号"]
        for _ in range(30):
            p = c.person()
            lines.append(f"{p['name']}  {p['cn_mobile']}  {p['cn_resident_id']}  {c.decoy()}")
            c.expect_person(fmt, path, member, p, ("cn_mobile", "cn_resident_id"))
        out.append(lines)
    return pdf_bytes(out)


def deck(c: Corpus, fmt: str, path: str, member: str) -> bytes:
    slides = []
    for _ in range(3):
        p = c.person()
        slides.append(["重点客户", f"联系人：{p['name']} 手机 {p['cn_mobile']}", f"邮箱：{p['email']}"])
        c.expect_person(fmt, path, member, p, ("cn_mobile", "email"))
    table = [["姓名", "身份证号"]]
    for _ in range(4):
        p = c.person()
        table.append([p["name"], p["cn_resident_id"]])
        c.expect_person(fmt, path, member, p, ("cn_resident_id",))
    return pptx_bytes(slides, table=table)


def build_corpus(root: Path, seed: int = DEFAULT_SEED, scale: int = 1) -> Corpus:
    c = Corpus(root, seed)
    rng = c.rng
    for i in range(4 * scale):
        rel = f"xlsx/客户名单_{i:02d}.xlsx"
        c.write("xlsx", rel, workbook(c, "xlsx", rel, "", rng.choice((1000, 2000, 3000))))
    for i in range(6 * scale):
        rel = f"docx/合同_{i:02d}.docx"
        c.write("docx", rel, contract(c, "docx", rel, ""))
    for i in range(3 * scale):
        rel = f"pptx/汇报_{i:02d}.pptx"
        c.write("pptx", rel, deck(c, "pptx", rel, ""))
    for i in range(4 * scale):
        rel = f"pdf/登记表_{i:02d}.pdf"
        c.write("pdf", rel, pdf_doc(c, "pdf", rel, "", rng.randint(2, 6)))
    for i in range(3 * scale):
        rel = f"eml/mail_{i:02d}.eml"
        p = c.person()
        c.expect_person("eml", rel, "", p, ("cn_mobile", "email"))
        sender = synthetic.email(rng)
        c.expect("eml", rel, "", "email", sender)
        c.expect("eml", rel, "", "email", "team@example.com")
        sheet = workbook(c, "eml", rel, "附件名单.xlsx", 200)
        body = f"您好，客户{p['name']}的手机是{p['cn_mobile']}，邮箱 {p['email']}。名单见附件。"
        c.write(
            "eml",
            rel,
            eml_bytes(
                sender=sender,
                to="team@example.com",
                subject="客户名单",
                body=body,
                attachments=[("附件名单.xlsx", sheet)],
            ),
        )
    for i in range(3 * scale):
        rel = f"json/export_{i:02d}.json"
        records = []
        for _ in range(100):
            p = c.person()
            records.append(
                {"姓名": p["name"], "手机": p["cn_mobile"], "银行卡号": p["bank_card"], "备注": c.decoy()}
            )
            c.expect_person("json_escaped", rel, "", p, ("cn_mobile", "bank_card"))
        c.write("json_escaped", rel, json.dumps(records, ensure_ascii=True, indent=1).encode())
    for i in range(3 * scale):
        rel = f"zip/backup_{i:02d}.zip"
        inner = {
            "名单.csv": customer_csv(c, "zip_members", rel, "名单.csv", 500, "utf-8"),
            "旧名单.csv": customer_csv(c, "zip_members", rel, "旧名单.csv", 300, "gb18030"),
            "报表/客户.xlsx": workbook(c, "zip_members", rel, "报表/客户.xlsx", 400),
            "合同.docx": contract(c, "zip_members", rel, "合同.docx"),
        }
        nested = {
            "深层/联系人.csv": customer_csv(c, "zip_members", rel, "inner.zip!深层/联系人.csv", 200, "utf-8")
        }
        inner["inner.zip"] = zip_bytes(nested)
        c.write("zip_members", rel, zip_bytes(inner, gbk_names=i % 2 == 1))
    for i in range(2 * scale):
        rel = f"zip/logs_{i:02d}.tar.gz"
        members = {"export/客户.csv": customer_csv(c, "zip_members", rel, "export/客户.csv", 300, "utf-8")}
        c.write("zip_members", rel, tar_gz_bytes(members))
    for i in range(scale):
        for name, build in (
            (f"renamed/报名表_{i:02d}.dat", lambda rel: workbook(c, "renamed", rel, "", 500)),
            (f"renamed/合同扫描_{i:02d}.tmp", lambda rel: contract(c, "renamed", rel, "")),
            (f"renamed/登记_{i:02d}.txt", lambda rel: pdf_doc(c, "renamed", rel, "", 2)),
            (
                f"renamed/资料_{i:02d}.bin",
                lambda rel: zip_bytes(
                    {"客户.csv": customer_csv(c, "renamed", rel, "客户.csv", 300, "utf-8")}
                ),
            ),
            (f"renamed/汇报_{i:02d}", lambda rel: deck(c, "renamed", rel, "")),
        ):
            c.write("renamed", name, build(name))
    return c


# -- run and score ----------------------------------------------------------------------


def parse_jsonl(lines: Iterable[str], root: Path) -> set[Key]:
    found: set[Key] = set()
    for line in lines:
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if not isinstance(record, dict) or record.get("type") != "finding":
            continue
        detector = str(record.get("detector", ""))
        if detector.startswith("yara:") or detector == "encrypted_container":
            continue
        path = Path(str(record.get("path", "")))
        try:
            rel = path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            rel = path.as_posix()
        found.add((rel, str(record.get("member") or ""), detector, str(record.get("value"))))
    return found


def evaluate(c: Corpus, found: set[Key]) -> dict[str, object]:
    truth = c.truth
    tp, fp = truth & found, found - truth
    per_format: dict[str, dict[str, float]] = {}
    for fmt in FORMATS:
        positives = {k for k in truth if c.formats[k] == fmt}
        hit = len(positives & found)
        per_format[fmt] = {
            "positives": len(positives),
            "found": hit,
            "recall": hit / len(positives) if positives else 1.0,
        }
    precision = len(tp) / len(found) if found else 1.0
    return {
        "formats": per_format,
        "precision": precision,
        "recall": len(tp) / len(truth) if truth else 1.0,
        "false_positives": sorted(list(k) for k in fp)[:50],
        "missed": sorted(list(k) for k in truth - found)[:50],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).resolve().parent / "out" / "accuracy-documents"
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--scale", type=int, default=1, help="multiply the number of files")
    parser.add_argument("--dlp", default=f"{shlex.quote(sys.executable)} -m dlp.cli", help="scanner command")
    parser.add_argument("--generate-only", action="store_true")
    args = parser.parse_args(argv)
    corpus_dir = args.out / "corpus"
    if corpus_dir.exists():
        import shutil

        shutil.rmtree(corpus_dir)
    started = time.perf_counter()
    c = build_corpus(corpus_dir, args.seed, args.scale)
    manifest = {
        "seed": args.seed,
        "files": c.files,
        "positives": [
            dict(zip(("path", "member", "detector", "value"), k, strict=True)) for k in sorted(c.truth)
        ],
        "decoys": c.decoys,
    }
    (args.out / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    print(
        f"corpus: {len(c.files)} files, {len(c.truth)} positives, {c.decoys} decoys "
        f"({time.perf_counter() - started:.1f} s)"
    )
    if args.generate_only:
        return 0
    command = [*shlex.split(args.dlp), "scan", str(corpus_dir), "--format", "jsonl", "--reveal", "-q"]
    started = time.perf_counter()
    run = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if run.returncode not in (0, 1, 3):
        print(run.stderr, file=sys.stderr)
        return 2
    lines = run.stdout.splitlines()
    errors = [json.loads(x) for x in lines if '"type":"error"' in x.replace(" ", "")]
    report = evaluate(c, parse_jsonl(lines, corpus_dir))
    report["errors"] = errors
    report["scan_seconds"] = seconds
    (args.out / "report.json").write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"\n{'format':<14} {'positives':>9} {'found':>7} {'recall':>8}")
    ok = True
    for fmt, row in report["formats"].items():  # type: ignore[attr-defined]
        print(f"{fmt:<14} {row['positives']:>9} {row['found']:>7} {row['recall']:>8.4f}")
        ok &= row["recall"] >= MIN_RECALL
    print(
        f"\nprecision {report['precision']:.4f}  recall {report['recall']:.4f}  "
        f"errors {len(errors)}  scan {seconds:.1f} s"
    )
    ok &= report["precision"] >= MIN_PRECISION  # type: ignore[operator]
    print(f"{'PASS' if ok else 'FAIL'}: recall per format >= {MIN_RECALL}, precision >= {MIN_PRECISION}")
    print(f"report: {args.out / 'report.json'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
