"""Document corpora for the per-format throughput rows, and the bare parsers they are compared with.

Each format's folder holds dense customer documents made from :mod:`corpus`'s value
generators (mobiles stored as numbers in a third of the rows):

``xlsx``
    workbooks of 20,000 customer rows (openpyxl);
``pdf``
    PDFs of 2,000 customer lines, 60 a page (:func:`corpus.minimal_pdf`);
``docx``
    contracts: prose paragraphs with values, and a 200-row customer table (python-docx);
``zip``
    zips of three customer CSVs each (Deflate).

``--heldout DIR`` builds documents of other shapes with another tool instead: the
held-out Faker CSV of :mod:`heldout` cut into pieces and converted by LibreOffice
(``soffice --headless --convert-to``) to xlsx and ods, and Word files it writes and
converts to PDF, so neither the writer nor the layout is this project's.

The bare parsers (``python documents.py --bare FORMAT PATH``) read every file of a
folder the way a program that only wanted the content would, in one process:

``xlsx``/``ods``: python-calamine, every sheet, every row (cells counted);
``pdf``: pypdfium2, every page's text;
``docx``: zipfile and :func:`xml.etree.ElementTree.iterparse` over ``word/document.xml``
(every text node read);
``zip``: zipfile, every member inflated.

It prints the number of units read (cells, characters, members) as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import corpus  # noqa: E402

FORMATS = ("xlsx", "pdf", "docx", "zip")
SUFFIX = {"xlsx": ".xlsx", "ods": ".ods", "pdf": ".pdf", "docx": ".docx", "zip": ".zip"}


def _rows(seed: int) -> corpus.CustomerRows:
    rng = random.Random(f"documents-{seed}")
    return corpus.CustomerRows(rng, corpus.Values(rng), corpus.Planted())


def make_xlsx(path: Path, rows: corpus.CustomerRows, n: int) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("客户")
    sheet.append(corpus.CSV_HEADER.split(","))
    for _ in range(n):
        row: list[str | int] = list(rows.row().rstrip("\n").split(","))
        if rows.rng.random() < 0.3:
            row[2] = int(row[2])
        sheet.append(row)
    book.save(path)


def make_pdf(path: Path, rows: corpus.CustomerRows, n: int) -> None:
    lines = []
    for i in range(n):
        cells = rows.row().rstrip("\n").split(",")
        lines.append(f"Customer {i:05d}  Tel {cells[2]}  ID {cells[3]}  Mail {cells[5]}")
    path.write_bytes(corpus.minimal_pdf(lines))


def make_docx(path: Path, rows: corpus.CustomerRows, n: int) -> None:
    import docx

    document = docx.Document()
    document.add_heading("客户服务合同", level=1)
    for _ in range(n // 4):
        cells = rows.row().rstrip("\n").split(",")
        document.add_paragraph(
            f"甲方联系人{cells[1]}，手机{cells[2]}，身份证号{cells[3]}，住址{cells[4]}，邮箱{cells[5]}。"
        )
    table = document.add_table(rows=0, cols=4)
    for _ in range(n):
        cells = rows.row().rstrip("\n").split(",")
        for cell, text in zip(table.add_row().cells, (cells[1], cells[2], cells[3], cells[5]), strict=True):
            cell.text = text
    document.save(path)


def make_zip(path: Path, rows: corpus.CustomerRows, n: int) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for index in range(3):
            text = corpus.CSV_HEADER + "\n" + "".join(rows.row() for _ in range(n))
            archive.writestr(f"客户名单_{index}.csv", text.encode("utf-8"))


MAKERS = {
    "xlsx": (make_xlsx, 20_000),
    "pdf": (make_pdf, 2_000),
    "docx": (make_docx, 200),
    "zip": (make_zip, 20_000),
}


def ensure_documents(out: Path, files: dict[str, int], seed: int = 6) -> dict[str, dict[str, object]]:
    """Folders ``out/<format>`` of ``files[format]`` documents each (kept when complete)."""
    parts: dict[str, dict[str, object]] = {}
    for fmt, count in files.items():
        folder = out / fmt
        done = folder / ".complete"
        if not done.exists() or done.read_text() != str(count):
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            rows = _rows(seed)
            make, n = MAKERS[fmt]
            for i in range(count):
                make(folder / f"doc_{i:03d}{SUFFIX[fmt]}", rows, n)
            done.write_text(str(count))
        parts[fmt] = {"path": str(folder), "bytes": _size(folder), "files": count}
    return parts


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.iterdir() if p.suffix in SUFFIX.values())


# -- held-out documents, written by LibreOffice ---------------------------------------------


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def ensure_heldout_documents(out: Path, csv_path: Path, pieces: int = 10, rows: int = 20_000) -> dict:
    """xlsx, ods and PDF files written by LibreOffice from the held-out CSV (see the module doc)."""
    office = soffice()
    if office is None:
        raise RuntimeError("LibreOffice (soffice) is not installed")
    parts: dict[str, dict[str, object]] = {}
    done = out / ".complete"
    if not done.exists():
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir(parents=True)
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            with open(csv_path, encoding="utf-8-sig", newline="") as handle:
                header = handle.readline()
                for i in range(pieces):
                    lines = [handle.readline() for _ in range(rows)]
                    (work / f"held_{i:02d}.csv").write_text(header + "".join(lines), encoding="utf-8")
            sheets = sorted(str(p) for p in work.glob("*.csv"))
            csv_filter = "44,34,76,1"  # comma, double quote, UTF-8, from line 1
            for target, folder in (("xlsx", "xlsx"), ("ods", "ods")):
                (out / folder).mkdir()
                _convert(office, target, out / folder, sheets, infilter=f"CSV:{csv_filter}")
            # Word documents: the first 2,000 rows of each piece as paragraphs, written as
            # .docx by LibreOffice (from plain text) and converted to PDF.
            texts = []
            for i in range(pieces):
                lines = (work / f"held_{i:02d}.csv").read_text(encoding="utf-8").splitlines()[1:2001]
                path = work / f"held_{i:02d}.txt"
                path.write_text("客户登记\n" + "\n".join(line.replace(",", "  ") for line in lines), "utf-8")
                texts.append(str(path))
            (out / "docx").mkdir()
            _convert(office, "docx", out / "docx", texts, infilter="Text (encoded):UTF8,LF,,,")
            (out / "pdf").mkdir()
            _convert(office, "pdf", out / "pdf", sorted(str(p) for p in (out / "docx").glob("*.docx")))
        done.write_text("ok")
    for fmt in ("xlsx", "ods", "docx", "pdf"):
        folder = out / fmt
        parts[fmt] = {"path": str(folder), "bytes": _size(folder), "files": len(list(folder.glob("*.*")))}
    return parts


def _convert(office: str, target: str, out: Path, files: list[str], infilter: str | None = None) -> None:
    cmd = [office, "--headless", "--norestore"]
    if infilter:
        cmd += [f"--infilter={infilter}"]
    cmd += ["--convert-to", target, "--outdir", str(out), *files]
    env = dict(os.environ, HOME=str(out.parent / ".office-home"))
    subprocess.run(cmd, check=True, capture_output=True, env=env, timeout=1800)


# -- the bare parsers ----------------------------------------------------------------------


def bare(fmt: str, folder: str) -> dict[str, int]:
    paths = sorted(os.path.join(folder, n) for n in os.listdir(folder) if not n.startswith("."))
    units = 0
    if fmt in ("xlsx", "ods"):
        from python_calamine import CalamineWorkbook

        for path in paths:
            with CalamineWorkbook.from_path(path) as book:
                for index in range(len(book.sheet_names)):
                    for row in book.get_sheet_by_index(index).iter_rows():
                        units += sum(1 for v in row if v != "")
    elif fmt == "pdf":
        import pypdfium2 as pdfium

        for path in paths:
            document = pdfium.PdfDocument(path)
            for page in document:
                units += len(page.get_textpage().get_text_range())
            document.close()
    elif fmt == "docx":
        from xml.etree.ElementTree import iterparse

        for path in paths:
            with zipfile.ZipFile(path) as archive, archive.open("word/document.xml") as part:
                for _, el in iterparse(part):
                    if el.text:
                        units += len(el.text)
                    el.clear()
    elif fmt == "zip":
        for path in paths:
            with zipfile.ZipFile(path) as archive:
                for info in archive.infolist():
                    with archive.open(info) as member:
                        while block := member.read(1 << 20):
                            units += len(block)
    else:
        raise SystemExit(f"unknown format {fmt}")
    return {"files": len(paths), "units": units}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bare", nargs=2, metavar=("FORMAT", "FOLDER"))
    parser.add_argument("--out", type=Path, default=HERE / "out" / "documents")
    parser.add_argument("--files", type=int, default=10)
    parser.add_argument("--heldout", type=Path, default=None, metavar="CSV")
    args = parser.parse_args(argv)
    if args.bare:
        print(json.dumps(bare(*args.bare)))
        return 0
    if args.heldout:
        print(json.dumps(ensure_heldout_documents(args.out / "heldout", args.heldout), indent=2))
        return 0
    print(json.dumps(ensure_documents(args.out, dict.fromkeys(FORMATS, args.files)), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
