"""Deterministic corpora for the throughput benchmarks.

Three parts, each generated from a seed and reused while its parameters stay the same:

``prose.txt``
    Sparse Chinese prose (UTF-8) with one personal-data value or decoy about every 2 KB:
    mobiles, resident IDs, landlines, plates, and decoys (bad checksums, unknown mobile
    prefixes, masked values, order numbers, timestamps, service numbers). Written in
    1 MiB blocks, so a 1 GiB file never sits in memory.
``customers.csv``
    A dense customer list (UTF-8, header ``客户编号,姓名,手机,身份证号,地址,邮箱,车牌号,座机,备注``):
    five or six values per row.
``tree/``
    A USB-stick-like folder: many small text, log and CSV files (some CSVs in GB18030),
    spreadsheets and Word files (when openpyxl / python-docx are installed), PDFs, zip
    archives of lists, images (a PNG header and random bytes) and binaries.

Every value comes from :mod:`dlp.synthetic` (valid in form, never real). Usage::

    python benchmarks/corpus.py --out DIR [--prose-size 1G] [--csv-size 256M] [--tree-size 200M] [--seed N]

``DIR/manifest.json`` records each part's parameters, files and planted values; a part is
rebuilt only when its parameters (or :data:`VERSION`) change or its files are missing.
A size of 0 leaves a part out. Importable: :func:`ensure_corpus` is what
``throughput.py`` calls.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import re
import shutil
import sys
import time
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
try:
    import dlp  # noqa: F401
except ImportError:  # run from a checkout without installing: use the checkout
    sys.path.insert(0, str(REPO))

from dlp import synthetic  # noqa: E402

VERSION = 3  # bump when the generated content changes
DEFAULT_OUT = REPO / "benchmarks" / "out" / "corpus"
DEFAULT_SEED = 6
DEFAULT_SIZES = {"prose": "1G", "csv": "256M", "tree": "200M"}
BLOCK = 1 << 20  # bytes written at a time
POOL = 4096  # values of each kind generated up front and then drawn from
PII_EVERY = 2048  # bytes of prose per planted value (on average)
TREE_FILES_PER_MB = 2000 / 200
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?\s*$", re.IGNORECASE)

CSV_HEADER = "客户编号,姓名,手机,身份证号,地址,邮箱,车牌号,座机,备注"
CITIES = (
    "北京市朝阳区",
    "上海市浦东新区",
    "广州市天河区",
    "深圳市南山区",
    "杭州市西湖区",
    "成都市武侯区",
    "武汉市洪山区",
    "南京市鼓楼区",
    "西安市雁塔区",
    "重庆市渝北区",
    "长沙市岳麓区",
    "昆明市五华区",
)
ROADS = (
    "建设",
    "人民",
    "解放",
    "中山",
    "和平",
    "幸福",
    "光明",
    "文化",
    "新华",
    "胜利",
    "长江",
    "黄河",
    "友谊",
    "滨江",
)
REMARKS = ("", "", "", "VIP", "老客户", "已回访", "待跟进", "上门安装", "季度复购", "投诉已处理")
LEADS = {
    "mobile": ("手机：", "联系电话 ", "电话", "请致电", "", "", ""),
    "id": ("身份证号：", "证件号码 ", "身份证", "", "", ""),
    "landline": ("座机：", "办公电话 ", "固话", "", "", ""),
    "plate": ("车牌：", "车牌号 ", "车辆", "", "", ""),
    "decoy": ("订单号 ", "编号", "金额", "", "", ""),
}


def parse_size(text: str | int) -> int:
    """``"64M"`` -> 67108864 (binary units); plain numbers are bytes."""
    if isinstance(text, int):
        return text
    match = _SIZE.match(text)
    if not match:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (use e.g. 500K, 64M, 1G)")
    number, unit = match.groups()
    return int(float(number) * 1024 ** "_kmgt".index(unit.lower() or "_"))


def human(size: int) -> str:
    for unit, scale in (("G", 1 << 30), ("M", 1 << 20), ("K", 1 << 10)):
        if size >= scale and size % (scale // 1024 or 1) == 0:
            return f"{size / scale:g}{unit}"
    return str(size)


# -- values ---------------------------------------------------------------------------


class Values:
    """Pools of synthetic values and decoys, drawn from with the generator's ``rng``."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        regions = synthetic.county_regions()
        prefixes = synthetic.mobile_prefixes()
        bad_prefixes = synthetic.bad_mobile_prefixes()

        def mobile() -> str:
            prefix = rng.choice(prefixes)
            return prefix + _digits(rng, 11 - len(prefix))

        self.mobiles = [mobile() for _ in range(POOL)]
        self.ids = [synthetic.resident_id(rng, region=rng.choice(regions)) for _ in range(POOL)]
        self.landlines = [synthetic.landline(rng) for _ in range(POOL)]
        self.plates = [synthetic.plate(rng) for _ in range(POOL)]
        self.emails = [synthetic.email(rng) for _ in range(POOL)]
        self.names = [synthetic.chinese_name(rng) for _ in range(POOL)]
        self.bad_mobiles = [rng.choice(bad_prefixes) + _digits(rng, 8) for _ in range(POOL)]
        self.bad_ids = [_bad_check(rng, v) for v in self.ids]

    def mobile(self) -> str:
        value = self.rng.choice(self.mobiles)
        form = self.rng.random()
        if form < 0.75:
            return value
        if form < 0.85:
            return f"{value[:3]}-{value[3:7]}-{value[7:]}"
        if form < 0.95:
            return f"{value[:3]} {value[3:7]} {value[7:]}"
        return "+86 " + value

    def resident_id(self) -> str:
        value = self.rng.choice(self.ids)
        return value if self.rng.random() < 0.9 else f"{value[:6]} {value[6:14]} {value[14:]}"

    def landline(self) -> str:
        area, number = self.rng.choice(self.landlines)
        form = self.rng.random()
        if form < 0.6:
            return f"{area}-{number}"
        if form < 0.8:
            return f"({area}){number}"
        return area + number

    def plate(self) -> str:
        value = self.rng.choice(self.plates)
        return value if self.rng.random() < 0.85 else f"{value[:2]}·{value[2:]}"

    def decoy(self) -> str:
        """Text that looks like a value but is none (or, masked, must not be reported)."""
        rng = self.rng
        kind = rng.randrange(7)
        if kind == 0:
            return rng.choice(self.bad_ids)
        if kind == 1:
            return rng.choice(self.bad_mobiles)
        if kind == 2:
            value = rng.choice(self.mobiles)
            return value[:3] + "****" + value[7:]
        if kind == 3:
            return "DD" + _digits(rng, 18)  # order number
        if kind == 4:
            return str(1_600_000_000_000 + rng.randrange(10**11))  # millisecond timestamp
        if kind == 5:
            return f"400-{rng.randint(100, 999)}-{rng.randint(1000, 9999)}"
        return f"{rng.randint(10, 99999)}.{rng.randint(10, 99)}元"

    def planted(self) -> tuple[str, str]:
        """One prose item: (kind, text)."""
        roll = self.rng.random()
        if roll < 0.3:
            return "mobile", self.mobile()
        if roll < 0.5:
            return "id", self.resident_id()
        if roll < 0.65:
            return "landline", self.landline()
        if roll < 0.8:
            return "plate", self.plate()
        return "decoy", self.decoy()

    def address(self) -> str:
        rng = self.rng
        return (
            f"{rng.choice(CITIES)}{rng.choice(ROADS)}路{rng.randint(1, 999)}号"
            f"{rng.randint(1, 30)}栋{rng.randint(101, 2999)}室"
        )


def _digits(rng: random.Random, n: int) -> str:
    return str(rng.randrange(10**n)).zfill(n)


def _bad_check(rng: random.Random, good: str) -> str:
    return good[:17] + rng.choice([c for c in "0123456789X" if c != good[17]])


# -- text sources -----------------------------------------------------------------------


@dataclass
class Planted:
    """How many values of each kind a part holds (decoys included)."""

    counts: Counter[str] = field(default_factory=Counter)

    def as_dict(self) -> dict[str, int]:
        return dict(sorted(self.counts.items()))


class ProseSource:
    """Chinese prose blocks of about :data:`PII_EVERY` bytes, each with one planted item."""

    def __init__(self, rng: random.Random, values: Values, planted: Planted) -> None:
        self.rng = rng
        self.values = values
        self.planted = planted
        self.sentences = [synthetic.prose(rng, rng.randint(20, 90)) for _ in range(POOL)]

    def block(self) -> str:
        rng = self.rng
        parts: list[str] = []
        size = 0
        target = rng.randint(PII_EVERY // 2, PII_EVERY * 3 // 2)
        while size < target:
            sentence = rng.choice(self.sentences)
            parts.append(sentence)
            size += 3 * len(sentence)
        kind, text = self.values.planted()
        self.planted.counts[kind] += 1
        parts.insert(rng.randint(0, len(parts)), f"{rng.choice(LEADS[kind])}{text}，")
        if rng.random() < 0.3:
            parts.append("\n")
        return "".join(parts)

    def text(self, size: int) -> Iterator[str]:
        """Blocks until about ``size`` UTF-8 bytes have been produced."""
        done = 0
        while done < size:
            block = self.block()
            done += len(block.encode("utf-8"))
            yield block


class CustomerRows:
    """Rows of a customer list (one string per row, newline included)."""

    def __init__(self, rng: random.Random, values: Values, planted: Planted) -> None:
        self.rng = rng
        self.values = values
        self.planted = planted
        self.serial = 0

    def row(self) -> str:
        rng, v = self.rng, self.values
        self.serial += 1
        mobile = rng.choice(v.mobiles)
        resident = rng.choice(v.ids)
        area, number = rng.choice(v.landlines)
        landline = f"{area}-{number}" if rng.random() < 0.5 else ""
        plate = rng.choice(v.plates) if rng.random() < 0.4 else ""
        counts = self.planted.counts
        counts["mobile"] += 1
        counts["id"] += 1
        counts["email"] += 1
        counts["landline"] += bool(landline)
        counts["plate"] += bool(plate)
        return (
            f"C{self.serial:08d},{rng.choice(v.names)},{mobile},{resident},{v.address()},"
            f"{rng.choice(v.emails)},{plate},{landline},{rng.choice(REMARKS)}\n"
        )

    def text(self, size: int) -> Iterator[str]:
        done = 0
        while done < size:
            row = self.row()
            done += len(row.encode("utf-8"))
            yield row


def write_stream(path: Path, chunks: Iterator[str], *, encoding: str = "utf-8", prefix: str = "") -> int:
    """Write ``chunks`` in blocks of about :data:`BLOCK` bytes; returns the bytes written."""
    written = 0
    with open(path, "wb") as out:
        pending: list[str] = [prefix]
        size = len(prefix)
        for chunk in chunks:
            pending.append(chunk)
            size += len(chunk)
            if size * 3 >= BLOCK:
                data = "".join(pending).encode(encoding, "replace")
                out.write(data)
                written += len(data)
                pending, size = [], 0
        data = "".join(pending).encode(encoding, "replace")
        out.write(data)
        written += len(data)
    return written


# -- parts ------------------------------------------------------------------------------


def make_prose(path: Path, size: int, seed: int) -> dict[str, object]:
    rng = random.Random(f"prose-{seed}")
    planted = Planted()
    source = ProseSource(rng, Values(rng), planted)
    written = write_stream(path, source.text(size))
    return {"files": 1, "bytes": written, "planted": planted.as_dict()}


def make_csv(path: Path, size: int, seed: int) -> dict[str, object]:
    rng = random.Random(f"csv-{seed}")
    planted = Planted()
    rows = CustomerRows(rng, Values(rng), planted)
    written = write_stream(path, rows.text(size - len(CSV_HEADER) - 1), prefix=CSV_HEADER + "\n")
    return {"files": 1, "bytes": written, "planted": planted.as_dict()}


# (kind, share of files, share of bytes); documents are skipped when their library is missing
TREE_KINDS: tuple[tuple[str, float, float], ...] = (
    ("txt", 0.45, 0.15),
    ("csv", 0.15, 0.15),
    ("log", 0.10, 0.08),
    ("xlsx", 0.02, 0.04),
    ("docx", 0.02, 0.02),
    ("pdf", 0.02, 0.02),
    ("zip", 0.04, 0.10),
    ("png", 0.15, 0.29),
    ("bin", 0.05, 0.15),
)
TREE_FOLDERS = {
    "txt": ("工作/会议记录", "工作/报告", "个人/笔记", "备份/文本"),
    "csv": ("工作/客户资料", "导出", "备份/2023"),
    "log": ("软件/logs", "备份/logs"),
    "xlsx": ("工作/客户资料", "导出"),
    "docx": ("工作/合同", "工作/报告"),
    "pdf": ("工作/合同", "下载"),
    "zip": ("备份", "下载"),
    "png": ("照片/2023", "照片/2024", "截图"),
    "bin": ("软件", "下载/安装包"),
}
BIN_SUFFIXES = (".exe", ".dll", ".dat", ".bin")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"


class TreeBuilder:
    """Writes the USB-like tree; every file kind has one method."""

    def __init__(self, root: Path, seed: int) -> None:
        self.root = root
        self.rng = random.Random(f"tree-{seed}")
        self.planted = Planted()
        self.values = Values(self.rng)
        self.prose = ProseSource(self.rng, self.values, self.planted)
        self.rows = CustomerRows(self.rng, self.values, self.planted)
        self.kinds: Counter[str] = Counter()

    def build(self, size: int) -> dict[str, object]:
        n_files = max(len(TREE_KINDS), round(TREE_FILES_PER_MB * size / (1 << 20)))
        available = [k for k in TREE_KINDS if self.available(k[0])]
        byte_share = sum(k[2] for k in available)
        written = 0
        for kind, file_share, share in available:
            count = max(1, round(n_files * file_share))
            mean = size * share / byte_share / count
            for _ in range(count):
                target = max(512, int(mean * self.rng.uniform(0.25, 1.75)))
                folder = self.root / self.rng.choice(TREE_FOLDERS[kind])
                written += self.write(kind, folder, target).stat().st_size
        return {
            "files": sum(self.kinds.values()),
            "bytes": written,
            "kinds": dict(sorted(self.kinds.items())),
            "planted": self.planted.as_dict(),
        }

    @staticmethod
    def available(kind: str) -> bool:
        """False for a document kind whose writing library is not installed."""
        module = {"xlsx": "openpyxl", "docx": "docx"}.get(kind)
        if module is None:
            return True
        try:
            __import__(module)
        except ImportError:
            return False
        return True

    def write(self, kind: str, folder: Path, size: int) -> Path:
        """Write one file of ``kind`` (a :data:`TREE_KINDS` name) of about ``size`` bytes."""
        folder.mkdir(parents=True, exist_ok=True)
        self.kinds[kind] += 1
        stem = f"{sum(self.kinds.values()):05d}"
        return getattr(self, f"_{kind}")(folder, stem, size)

    def _txt(self, folder: Path, stem: str, size: int) -> Path:
        path = folder / f"记录_{stem}.txt"
        write_stream(path, self.prose.text(size))
        return path

    def _csv(self, folder: Path, stem: str, size: int) -> Path:
        path = folder / f"客户名单_{stem}.csv"
        encoding = "gb18030" if self.rng.random() < 0.2 else "utf-8"
        write_stream(path, self.rows.text(size), encoding=encoding, prefix=CSV_HEADER + "\n")
        return path

    def _log(self, folder: Path, stem: str, size: int) -> Path:
        path = folder / f"app_{stem}.log"
        write_stream(path, self._log_lines(size))
        return path

    def _log_lines(self, size: int) -> Iterator[str]:
        rng, done = self.rng, 0
        while done < size:
            stamp = f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d} {rng.randint(0, 23):02d}:00:00"
            if rng.random() < 0.2:
                self.planted.counts["mobile"] += 1
                line = f"{stamp} INFO sms sent to={rng.choice(self.values.mobiles)} status=ok\n"
            else:
                line = f"{stamp} DEBUG request id={rng.randrange(10**12)} took={rng.randint(1, 999)}ms\n"
            done += len(line)
            yield line

    def _xlsx(self, folder: Path, stem: str, size: int) -> Path:
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet("客户")
        sheet.append(CSV_HEADER.split(","))
        for _ in range(max(10, size // 60)):  # about 60 compressed bytes per row
            row: list[str | int] = list(self.rows.row().rstrip("\n").split(","))
            if self.rng.random() < 0.3:
                row[2] = int(row[2])  # a mobile stored as a number
            sheet.append(row)
        path = folder / f"客户信息_{stem}.xlsx"
        book.save(path)
        return path

    def _docx(self, folder: Path, stem: str, size: int) -> Path:
        import docx

        document = docx.Document()
        document.core_properties.author = "benchmark"
        document.add_heading("客户服务合同", level=1)
        for block in self.prose.text(size * 3):  # text compresses about 3:1
            document.add_paragraph(block.strip())
        table = document.add_table(rows=0, cols=4)
        for _ in range(20):
            row = self.rows.row().split(",")
            for cell, text in zip(table.add_row().cells, (row[1], row[2], row[3], row[5]), strict=True):
                cell.text = text
        path = folder / f"合同_{stem}.docx"
        document.save(path)
        return path

    def _pdf(self, folder: Path, stem: str, size: int) -> Path:
        lines: list[str] = []
        done = 0
        while done < size:
            v = self.values
            self.planted.counts["mobile"] += 1
            self.planted.counts["id"] += 1
            line = f"Customer {len(lines):05d}  Tel {self.rng.choice(v.mobiles)}  ID {self.rng.choice(v.ids)}"
            lines.append(line)
            done += len(line) + 20
        path = folder / f"scan_{stem}.pdf"
        path.write_bytes(minimal_pdf(lines))
        return path

    def _zip(self, folder: Path, stem: str, size: int) -> Path:
        path = folder / f"备份_{stem}.zip"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            members = self.rng.randint(2, 5)
            for index in range(members):
                if index % 2 == 0:
                    name, chunks = f"客户名单_{index}.csv", self.rows.text(size * 3 // members)
                    text = CSV_HEADER + "\n" + "".join(chunks)
                else:
                    name, text = f"说明_{index}.txt", "".join(self.prose.text(size * 3 // members))
                info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, text.encode("utf-8"))
        return path

    def _png(self, folder: Path, stem: str, size: int) -> Path:
        path = folder / f"IMG_{stem}.png"
        path.write_bytes(PNG_MAGIC + self.rng.randbytes(max(0, size - len(PNG_MAGIC))))
        return path

    def _bin(self, folder: Path, stem: str, size: int) -> Path:
        suffix = self.rng.choice(BIN_SUFFIXES)
        head = b"MZ\x90\x00" if suffix in (".exe", ".dll") else b""
        path = folder / f"data_{stem}{suffix}"
        path.write_bytes(head + self.rng.randbytes(max(0, size - len(head))))
        return path


def minimal_pdf(lines: list[str], per_page: int = 60) -> bytes:
    """A valid PDF (Helvetica, ASCII text, compressed page streams), ``per_page`` lines a page."""
    pages = [lines[i : i + per_page] for i in range(0, len(lines), per_page)] or [[]]
    objects: list[bytes] = [b"", b"", b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    kids = []
    for page in pages:
        body = "BT /F1 10 Tf 40 800 Td 12 TL " + " ".join(f"({_pdf_escape(t)}) '" for t in page) + " ET"
        stream = zlib.compress(body.encode("latin-1"))
        head = b"<< /Length %d /Filter /FlateDecode >>" % len(stream)
        objects.append(head + b"\nstream\n" + stream + b"\nendstream")
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % len(objects)
        )
        kids.append(len(objects))
    objects[0] = b"<< /Type /Catalog /Pages 2 0 R >>"
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kids),
        len(kids),
    )
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, obj))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.writelines(b"%010d 00000 n \n" % off for off in offsets)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def _pdf_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def make_tree(path: Path, size: int, seed: int) -> dict[str, object]:
    return TreeBuilder(path, seed).build(size)


PARTS: dict[str, tuple[str, Callable[[Path, int, int], dict[str, object]]]] = {
    "prose": ("prose.txt", make_prose),
    "csv": ("customers.csv", make_csv),
    "tree": ("tree", make_tree),
}


# -- the manifest -------------------------------------------------------------------------


def _disk_bytes(path: Path) -> tuple[int, int]:
    """(files, bytes) under ``path`` (a file or a folder)."""
    if path.is_file():
        return 1, path.stat().st_size
    files = total = 0
    for folder, _, names in os.walk(path):
        for name in names:
            files += 1
            total += os.path.getsize(os.path.join(folder, name))
    return files, total


def ensure_corpus(
    out: Path,
    *,
    sizes: dict[str, int],
    seed: int = DEFAULT_SEED,
    force: bool = False,
    log: Callable[[str], None] = print,
) -> dict[str, dict[str, object]]:
    """Generate the parts of ``sizes`` (name -> bytes; 0 skips) under ``out``, reusing old ones.

    Returns the manifest's parts: name -> ``{"path", "params", "files", "bytes", "planted", ...}``.
    """
    out.mkdir(parents=True, exist_ok=True)
    manifest_path = out / "manifest.json"
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        manifest = {}
    parts: dict[str, dict[str, object]] = manifest.get("parts", {})
    for name, size in sizes.items():
        if size <= 0:
            continue
        filename, make = PARTS[name]
        params = {"version": VERSION, "size": size, "seed": seed}
        path = out / filename
        old = parts.get(name)
        fresh = old is not None and old.get("params") == params and path.exists()
        if fresh and not force and _disk_bytes(path) == (old["files"], old["bytes"]):
            log(f"corpus: reusing {path} ({human(size)}, seed {seed})")
            continue
        log(f"corpus: generating {path} ({human(size)}, seed {seed}) ...")
        started = time.perf_counter()
        tmp = out / f".{filename}.tmp"
        _remove(tmp)
        info = make(tmp, size, seed)
        _remove(path)
        os.replace(tmp, path)
        info.update(path=str(path), params=params, seconds=round(time.perf_counter() - started, 1))
        parts[name] = info
        manifest_path.write_text(json.dumps({"parts": parts}, ensure_ascii=False, indent=2), encoding="utf-8")
        log(f"corpus: {path}: {info['files']} file(s), {info['bytes'] / 1e6:.1f} MB in {info['seconds']} s")
    return {name: parts[name] for name, size in sizes.items() if size > 0}


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"folder (default {DEFAULT_OUT})")
    parser.add_argument("--prose-size", type=parse_size, default=DEFAULT_SIZES["prose"], metavar="S")
    parser.add_argument("--csv-size", type=parse_size, default=DEFAULT_SIZES["csv"], metavar="S")
    parser.add_argument("--tree-size", type=parse_size, default=DEFAULT_SIZES["tree"], metavar="S")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--force", action="store_true", help="regenerate even when parameters match")
    args = parser.parse_args(argv)
    sizes = {
        "prose": parse_size(args.prose_size),
        "csv": parse_size(args.csv_size),
        "tree": parse_size(args.tree_size),
    }
    ensure_corpus(args.out, sizes=sizes, seed=args.seed, force=args.force)
    return 0


if __name__ == "__main__":
    sys.exit(main())
