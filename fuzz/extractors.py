"""Coverage-guided fuzzing of the extractors and the ``dlp scan`` file path (atheris).

Each input is turned into a file and scanned the way ``dlp scan`` scans one (a
walked :class:`dlp.walk.Entry` through :meth:`dlp.Scanner.scan_entry`, then
rendered as JSONL), so sniffing, every extractor, name scanning, the limits and
the core all run on it. The first byte picks how the rest becomes a file:

====  ==========================================================================
mode  file
====  ==========================================================================
0     the bytes as they are (the seeds are real xlsx, docx, pptx, PDF, e-mail,
      zip, tar, gz, HTML, JSON, CSV and text files: byte-level mutations of them)
1     an xlsx workbook whose ``xl/worksheets/sheet1.xml`` is the bytes
2     a docx document whose ``word/document.xml`` is the bytes
3     a zip whose member is named by the bytes up to the first NUL and holds the rest
4     the bytes gzip-compressed
5     a tar whose member is named by the bytes up to the first NUL and holds the rest
6     a one-page PDF whose content stream (FlateDecode) is the bytes
====  ==========================================================================

Modes 1-6 get past the checksums and packaging a byte mutation would break, so the
parsers inside are reached. Python code of ``dlp`` and of the parsers it uses is
instrumented for coverage (``atheris.instrument_imports``).

A finding is any exception escaping ``scan_entry`` (it must turn every per-file
failure into a result), or the process dying (a native crash). Hangs and memory
blow-ups are libFuzzer's ``-timeout`` and ``-rss_limit_mb``. Run it through
``fuzz/run_extractors.py``, which keeps going after a crash and prints the figures;
``python fuzz/extractors.py --make-corpus DIR`` writes the seeds.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import os
import sys
import tarfile
import tempfile
import zipfile
import zlib
from pathlib import Path

import atheris

PARSERS = ("openpyxl", "pdfminer", "pdfminer.high_level", "olefile", "xlrd", "msoffcrypto", "email.parser")

with atheris.instrument_imports(include=["dlp", *{p.split(".")[0] for p in PARSERS}]):
    import importlib
    import pkgutil

    import dlp
    import dlp.extract
    from dlp.output.jsonl import render
    from dlp.walk import walk

    for _module in pkgutil.iter_modules(dlp.extract.__path__, "dlp.extract."):
        importlib.import_module(_module.name)  # imported now, so instrumented
    for _parser in PARSERS:
        with contextlib.suppress(ImportError):  # a parser another build does not use
            importlib.import_module(_parser)

KEY = b"fuzz-extractors-key-0123456789ab"
SCANNER: dlp.Scanner | None = None
WORKDIR = Path(tempfile.mkdtemp(prefix="dlp-fuzz-"))
MODES = 7


def _scanner() -> dlp.Scanner:
    global SCANNER  # one per process, built on the first input (after fork)
    if SCANNER is None:
        config = dlp.ScanConfig(
            key=KEY,
            file_timeout=float(os.environ.get("DLP_FUZZ_FILE_TIMEOUT", "10")),
            max_archive_bytes=64 * 1024 * 1024,
            cache_dir=WORKDIR / "cache",
        )
        SCANNER = dlp.Scanner(config)
    return SCANNER


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def _template(kind: str) -> dict[str, bytes]:
    """The parts of a small xlsx or docx, built by the libraries that write them."""
    out = io.BytesIO()
    if kind == "xlsx":
        import openpyxl

        book = openpyxl.Workbook()
        book.active.append(["手机", "身份证号"])
        book.save(out)
    else:
        import docx

        document = docx.Document()
        document.add_paragraph("客户资料")
        document.save(out)
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


_TEMPLATES: dict[str, dict[str, bytes]] = {}


def _package(kind: str, part: str, data: bytes) -> bytes:
    if kind not in _TEMPLATES:
        _TEMPLATES[kind] = _template(kind)
    return _zip({**_TEMPLATES[kind], part: data})


def _named(data: bytes) -> tuple[str, bytes]:
    name, _, content = data.partition(b"\0")
    text = name[:200].decode("utf-8", "replace").replace("/", "_").strip(". ") or "member"
    return text, content


def _tar(data: bytes) -> bytes:
    name, content = _named(data)
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as archive:
        info = tarfile.TarInfo(name)
        info.size = len(content)
        archive.addfile(info, io.BytesIO(content))
    return out.getvalue()


def _pdf(data: bytes) -> bytes:
    stream = zlib.compress(data)
    objects = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]/Contents 4 0 R/Resources<</Font<</F1 5 0 R>>>>>>",
        b"<</Length %d/Filter/FlateDecode>>stream\n" % len(stream) + stream + b"\nendstream",
        b"<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def build(data: bytes) -> tuple[str, bytes]:
    """The file name and content an input stands for (see the module docstring)."""
    if not data:
        return "empty", b""
    mode, rest = data[0] % MODES, data[1:]
    if mode == 1:
        return "book.xlsx", _package("xlsx", "xl/worksheets/sheet1.xml", rest)
    if mode == 2:
        return "letter.docx", _package("docx", "word/document.xml", rest)
    if mode == 3:
        return "archive.zip", _zip(dict([_named(rest)]))
    if mode == 4:
        return "data.gz", gzip.compress(rest, mtime=0)
    if mode == 5:
        return "archive.tar", _tar(rest)
    if mode == 6:
        return "page.pdf", _pdf(rest)
    return "input", rest


def one_input(data: bytes) -> None:
    name, content = build(data)
    path = WORKDIR / name
    path.write_bytes(content)
    scanner = _scanner()
    for entry in walk([str(path)]):
        result = scanner.scan_entry(entry)  # must never raise for one bad file
        render(result)
        for finding in result.findings:
            assert finding.value is None, "a raw value in a masked scan"
            assert len(finding.fingerprint) == 64


# -- seeds ---------------------------------------------------------------------------


def seeds() -> dict[str, bytes]:
    """Synthetic seed inputs for every mode (mode byte first)."""
    import random

    from dlp import synthetic

    rng = random.Random(2024)
    mobile, resident, email = synthetic.mobile(rng), synthetic.resident_id(rng), synthetic.email(rng)
    line = f"姓名 {synthetic.chinese_name(rng)} 手机 {mobile} 身份证号 {resident} 邮箱 {email}\n"
    text = line.encode()
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
        'spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>手机</t></is></c>'
        f'</row><row r="999999999"><c r="B999999999"><v>{mobile}</v></c></row></sheetData></worksheet>'
    ).encode()
    document = (
        '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
        f'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>{line}</w:t></w:r></w:p></w:body></w:document>'
    ).encode()
    pdf_text = f"BT /F1 12 Tf 72 720 Td ({mobile} {email}) Tj ET".encode()
    eml = (
        "From: a@example.cn\nTo: b@example.cn\nSubject: list\nMIME-Version: 1.0\n"
        'Content-Type: multipart/mixed; boundary="b"\n\n--b\nContent-Type: text/plain; charset=utf-8\n\n'
        f"{line}--b\nContent-Type: text/csv\nContent-Disposition: attachment; filename=a.csv\n\n{line}--b--\n"
    ).encode()
    raw = {
        "text": text,
        "csv": ("手机,身份证号\n" + f"{mobile},{resident}\n").encode("gb18030"),
        "utf16": line.encode("utf-16"),
        "html": f"<html><body><p>{line}</p><!-- {email} --></body></html>".encode(),
        "json": ('{"phone": "' + mobile + '", "note": "\\u624b\\u673a"}').encode(),
        "eml": eml,
        "xlsx": _package("xlsx", "xl/worksheets/sheet1.xml", sheet),
        "docx": _package("docx", "word/document.xml", document),
        "zip": _zip({f"客户_{mobile}.txt": text, "inner.zip": _zip({"a.txt": text})}),
        "gz": gzip.compress(text, mtime=0),
        "tar": _tar(b"list.csv\0" + text),
        "pdf": _pdf(pdf_text),
    }
    found = {f"0-{name}": b"\0" + data for name, data in raw.items()}
    found.update(
        {
            "1-sheet": b"\1" + sheet,
            "2-document": b"\2" + document,
            "3-member": b"\3" + f"客户_{mobile}.csv".encode() + b"\0" + text,
            "4-gz": b"\4" + text,
            "5-tar": b"\5" + b"a.txt\0" + text,
            "6-pdf": b"\6" + pdf_text,
        }
    )
    return found


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--make-corpus":
        folder = Path(sys.argv[2])
        folder.mkdir(parents=True, exist_ok=True)
        for name, data in seeds().items():
            (folder / name).write_bytes(data)
        return
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
