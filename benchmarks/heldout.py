"""Held-out corpora for the throughput targets, from a third-party generator (Faker ``zh_CN``).

:mod:`corpus` draws every value from :mod:`dlp.synthetic`, the project's own generator,
in the forms the project chose. The targets are checked on corpora of the same kinds
that the project did not write, so this module builds its values with Faker (``zh_CN``
for people, ``en_US`` for English prose) and writes them in other shapes and forms. It
never imports :mod:`dlp`. Parts (all seeded; sizes configurable; 0 leaves a part out):

``customers.csv`` (``csv``)
    A dense customer list in another shape than :mod:`corpus`'s: header
    ``客户姓名,联系电话,证件号码,地址,邮箱,车牌,登记日期,消费金额,备注``, CRLF line ends,
    quoted fields (always the address, sometimes the others; remarks with commas and
    doubled quotes), empty cells (plates half the time, some phones and e-mails), some
    IDs with a lower-case ``x``.
``mixed.txt`` (``mixed``)
    Dense Chinese sentences, one to three values each, in the forms people type:
    ``+86 138 1234 5678``, ``86-138-1234-5678``, ``(+86)13812345678``, ``0086-…``,
    ``138 1234 5678``, full-width digits, ``＋``, ``（）`` and ``－``; IDs in 6-8-4 groups
    (spaces or hyphens), with ``x``, or full-width; landlines ``(021)8765-4321``,
    ``0755-23456789-8021``, ``+86-21-…``; plates with ``·``, space or hyphen; e-mails.
``prose.txt`` (``prose``)
    Sparse prose: Faker ``zh_CN`` paragraphs with about a quarter English (``en_US``)
    paragraphs, one value (a sentence of ``mixed.txt``'s kind) every 5-20 KB.
``edm_master.csv``
    An exact-data-match master (``客户编号,客户姓名,联系电话,证件号码,邮箱``, UTF-8, LF) of
    :data:`MASTER_ROWS` of the customers the CSV is drawn from: most of the CSV's rows
    belong to a registered customer. Build the index with ``dlp edm build
    edm_master.csv --out INDEX --columns`` :data:`EDM_COLUMNS`.
``allowlist.toml``
    A config file with an ``[allowlist]`` table: ten regexes (test numbers, a switchboard,
    an internal mail domain …; two of them match a few per cent of the CSV's values) and fingerprints (keyed
    with the ``--key`` given, as ``DLP_KEY`` would be) of 60 customers' phones and IDs
    and of 40 values that appear nowhere. It is not called ``dlp.toml``, so a plain scan
    of this folder does not pick it up: pass it with ``--config``.

Values are synthetic (Faker's). To be fast, a pool of :data:`POOL` customers and a few
tens of thousands of rendered rows, sentences and paragraphs is generated once, then
drawn from at random to fill hundreds of megabytes (about 10 s per 256 MiB). Usage::

    python benchmarks/heldout.py --out DIR [--csv-size 256M] [--mixed-size 256M] [--prose-size 1G]
        [--seed N] [--key KEY] [--force]

``DIR/manifest.json`` records each part's parameters (Faker's version included), bytes
and planted values per kind; a part is rebuilt only when they change or its file is
gone. :func:`ensure_heldout` is what ``throughput.py`` calls.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import hmac
import json
import os
import random
import re
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

try:
    import faker
    from faker import Faker
except ImportError:  # told to the user by ensure_heldout
    faker = Faker = None  # type: ignore[assignment]

NEEDS_FAKER = "the held-out corpora need Faker: pip install '.[bench]' (or pip install faker)"

VERSION = 1  # bump when the generated content changes
REPO = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO / "benchmarks" / "out" / "heldout"
DEFAULT_SEED = 2024
DEFAULT_SIZES = {"csv": "256M", "mixed": "256M", "prose": "1G"}
FILES = {"csv": "customers.csv", "mixed": "mixed.txt", "prose": "prose.txt"}
MASTER_NAME, ALLOWLIST_NAME = "edm_master.csv", "allowlist.toml"
POOL = 5000  # customers
MASTER_ROWS = 3000  # of them in the EDM master
CSV_VARIANTS = 40_000  # rendered CSV rows drawn from
SENTENCES = 30_000  # rendered mixed-form sentences
PARAGRAPHS = 3000  # Faker paragraphs (zh_CN and en_US)
PROSE_GAP = (5_000, 20_000)  # bytes of prose between two values
BATCH = 4096  # items joined and written at a time
# Faker's resident IDs are dated from today; shift them to this day so a seed gives the same file.
REFERENCE_DAY = datetime.date(2024, 6, 1)
CSV_HEADER = "客户姓名,联系电话,证件号码,地址,邮箱,车牌,登记日期,消费金额,备注"
MASTER_HEADER = "客户编号,客户姓名,联系电话,证件号码,邮箱"
EDM_COLUMNS = "客户姓名=name,联系电话=phone,证件号码=id,邮箱=email"
AREA_CODES = (
    "010", "020", "021", "022", "023", "024", "025", "027", "028", "029",
    "0311", "0351", "0371", "0431", "0451", "0471", "0531", "0551", "0571", "0591",
    "0731", "0755", "0757", "0769", "0791", "0851", "0871", "0898", "0931", "0991",
)  # fmt: skip
REMARKS = (
    "", "", "", "", "VIP", "老客户,已回访", '备注:"加急"', "季度复购", "上门安装", "投诉已处理",
    "转介绍", "线上下单", "等待回电",
)  # fmt: skip
ALLOW_REGEXES = (
    r"^1380000\d{4}$",  # test numbers
    r"^13800138000$",  # a well-known demo number
    r"^1[3-9]\d0{8}$",
    r"^(?:010|021)?88886666$",  # a switchboard
    r"@(?:corp|internal)\.example\.cn$",
    r"^noreply@",
    r"^11010119900307\d{3}[0-9X]$",  # a test ID's birth date
    r"^\d{6}19000101\d{3}[0-9X]$",
    r"^1[3-9]\d{5}0000$",  # matches about one phone in ten thousand
    r"^[a-z]+@gmail\.com$",  # matches a few per cent of the e-mails
)
_FULL = str.maketrans("0123456789+-()", "０１２３４５６７８９＋－（）")


def parse_size(text: str | int) -> int:
    """``"64M"`` -> 67108864 (binary units); plain numbers are bytes."""
    if isinstance(text, int):
        return text
    match = re.match(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?\s*$", text, re.IGNORECASE)
    if not match:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (use e.g. 500K, 64M, 1G)")
    number, unit = match.groups()
    return int(float(number) * 1024 ** "_kmgt".index(unit.lower() or "_"))


def full_width(text: str) -> str:
    return text.translate(_FULL)


# -- the pool of customers -----------------------------------------------------------------


@dataclass(frozen=True)
class Customer:
    name: str
    mobile: str
    resident_id: str
    email: str
    plate: str
    address: str
    date: str
    landline: tuple[str, str]  # (area code, number)


def _redate(ssn: str, shift: datetime.timedelta) -> str:
    """Faker's ID with its birth date moved by ``shift`` (check character recomputed as Faker does)."""
    born = datetime.date(int(ssn[6:10]), int(ssn[10:12]), int(ssn[12:14])) + shift
    body = ssn[:6] + born.strftime("%Y%m%d") + ssn[14:17]
    return body + str((1 - 2 * int(body, 13)) % 11).replace("10", "X")


def customers(seed: int, count: int = POOL) -> list[Customer]:
    """``count`` customers from Faker ``zh_CN`` (seeded)."""
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    rng = random.Random(f"heldout-pool-{seed}")
    shift = REFERENCE_DAY - datetime.date.today()
    plate = getattr(fake, "license_plate", None)
    out = []
    for _ in range(count):
        out.append(
            Customer(
                name=fake.name(),
                mobile=fake.phone_number(),
                resident_id=_redate(fake.ssn(), shift),
                email=fake.email() if rng.random() < 0.7 else fake.free_email(),
                plate=plate() if plate is not None else "",
                address=fake.address(),
                date=fake.date_between_dates(datetime.date(2015, 1, 1), REFERENCE_DAY).isoformat(),
                landline=_landline(rng),
            )
        )
    return out


def _landline(rng: random.Random) -> tuple[str, str]:
    """(area code, number): 8 digits after a 3-digit code, 7 or 8 after a 4-digit one."""
    area = rng.choice(AREA_CODES)
    length = 8 if len(area) == 3 else rng.choice((7, 8))
    return area, str(rng.randint(2, 8)) + _digits(rng, length - 1)


def _digits(rng: random.Random, n: int) -> str:
    return str(rng.randrange(10**n)).zfill(n)


# -- forms ----------------------------------------------------------------------------------


def mobile_form(rng: random.Random, m: str) -> str:
    a, b, c = m[:3], m[3:7], m[7:]
    forms = (
        lambda: m,
        lambda: f"+86 {a} {b} {c}",
        lambda: f"86-{a}-{b}-{c}",
        lambda: f"(+86){m}",
        lambda: f"0086-{m}",
        lambda: f"+86-{a}-{b}-{c}",
        lambda: f"{a} {b} {c}",
        lambda: f"{a}-{b}-{c}",
        lambda: full_width(m),
        lambda: full_width(f"+86 {m}"),
        lambda: f"（＋86）{m}",
        lambda: full_width(f"{a}-{b}-{c}"),
    )
    return rng.choice(forms)()


def id_form(rng: random.Random, v: str) -> str:
    forms = (
        lambda: v,
        lambda: v.lower(),
        lambda: f"{v[:6]} {v[6:14]} {v[14:]}",
        lambda: f"{v[:6]}-{v[6:14]}-{v[14:]}".lower(),
        lambda: f"{v[:6]} {v[6:14]} {v[14:]}".lower(),
        lambda: full_width(v),
    )
    return rng.choice(forms)()


def landline_form(rng: random.Random, area: str, number: str) -> str:
    half = len(number) // 2
    forms = (
        lambda: f"{area}-{number}",
        lambda: f"({area}){number[:half]}-{number[half:]}",
        lambda: f"{area}-{number}-{rng.randint(100, 9999)}",
        lambda: f"+86-{area[1:]}-{number}",
        lambda: f"{area} {number[:half]} {number[half:]}",
        lambda: full_width(f"({area}){number}"),
    )
    return rng.choice(forms)()


def plate_form(rng: random.Random, plate: str) -> str:
    if not plate:
        return plate
    bare = plate.replace("-", "")
    return rng.choice((plate, bare, f"{bare[:2]}·{bare[2:]}", f"{bare[:2]} {bare[2:]}"))


# -- the parts --------------------------------------------------------------------------------


class Writer:
    """Write strings in blocks; count bytes."""

    def __init__(self, path: Path) -> None:
        self.handle = open(path, "wb")  # noqa: SIM115 - closed in close()
        self.bytes = 0

    def write(self, text: str) -> None:
        data = text.encode("utf-8")
        self.handle.write(data)
        self.bytes += len(data)

    def close(self) -> None:
        self.handle.close()


def _csv_cell(rng: random.Random, value: str, quote: float) -> str:
    if '"' in value or "," in value or (value and rng.random() < quote):
        return '"' + value.replace('"', '""') + '"'
    return value


def csv_rows(rng: random.Random, pool: list[Customer]) -> list[tuple[str, Counter[str]]]:
    """:data:`CSV_VARIANTS` rendered rows (CRLF included) and the values each holds."""
    rows = []
    for _ in range(CSV_VARIANTS):
        c = rng.choice(pool)
        planted: Counter[str] = Counter()
        mobile = c.mobile if rng.random() < 0.95 else ""
        resident = c.resident_id.lower() if rng.random() < 0.1 else c.resident_id
        email = c.email if rng.random() < 0.9 else ""
        plate = c.plate if rng.random() < 0.5 else ""
        for kind, value in (("mobile", mobile), ("id", resident), ("email", email), ("plate", plate)):
            planted[kind] += bool(value)
        amount = f"{rng.randint(0, 99999)}.{rng.randint(0, 99):02d}" if rng.random() < 0.8 else ""
        cells = (
            _csv_cell(rng, c.name, 0.2),
            _csv_cell(rng, mobile, 0.2),
            _csv_cell(rng, resident, 0.3),
            _csv_cell(rng, c.address, 1.0),
            _csv_cell(rng, email, 0.1),
            _csv_cell(rng, plate, 0.1),
            c.date,
            amount,
            _csv_cell(rng, rng.choice(REMARKS), 0.5),
        )
        rows.append((",".join(cells) + "\r\n", planted))
    return rows


def make_csv(path: Path, size: int, seed: int, pool: list[Customer]) -> dict[str, object]:
    rng = random.Random(f"heldout-csv-{seed}")
    rows = csv_rows(rng, pool)
    texts = [r[0] for r in rows]
    planted: Counter[str] = Counter()
    out = Writer(path)
    out.write("\ufeff" + CSV_HEADER + "\r\n")  # with a byte-order mark, as Excel saves it
    while out.bytes < size:
        picks = rng.choices(range(len(rows)), k=BATCH)
        for index, times in Counter(picks).items():
            for kind, n in rows[index][1].items():
                planted[kind] += n * times
        out.write("".join(texts[i] for i in picks))
    out.close()
    return {"files": 1, "bytes": out.bytes, "planted": dict(sorted(planted.items()))}


SENTENCE_TEMPLATES = (
    ("客户{name}的手机号是{mobile}，请尽快回访。", ("mobile",)),
    ("联系人：{name}，电话：{mobile}，身份证：{id}。", ("mobile", "id")),
    ("{name}（证件号码 {id}）于{date}办理了业务，留的电话是{mobile}。", ("id", "mobile")),
    ("如有疑问请拨打{landline}或发邮件至{email}。", ("landline", "email")),
    ("车主{name}，车牌{plate}，联系方式{mobile}。", ("plate", "mobile")),
    ("收件人{name} {mobile} {address}", ("mobile",)),
    ("办公室座机{landline}，值班手机{mobile}。", ("landline", "mobile")),
    ("身份证号{id}的用户已完成实名认证。", ("id",)),
    ("报名：{name}／{id}／{mobile}／{email}", ("id", "mobile", "email")),
    ("{sentence}如需帮助请联系{mobile}。", ("mobile",)),
    ("{sentence}登记车辆：{plate}。", ("plate",)),
    ("经核实，{name}的证件号为{id}，手机{mobile}，座机{landline}。", ("id", "mobile", "landline")),
)


def sentences(rng: random.Random, fake: Faker, pool: list[Customer]) -> list[tuple[str, tuple[str, ...]]]:
    """:data:`SENTENCES` rendered Chinese sentences with values in mixed forms."""
    fillers = [fake.sentence() for _ in range(500)]
    out = []
    for _ in range(SENTENCES):
        c = rng.choice(pool)
        template, kinds = rng.choice(SENTENCE_TEMPLATES)
        if "plate" in kinds and not c.plate:
            template, kinds = SENTENCE_TEMPLATES[0]
        text = template.format(
            name=c.name,
            mobile=mobile_form(rng, c.mobile),
            id=id_form(rng, c.resident_id),
            landline=landline_form(rng, *c.landline),
            email=c.email,
            plate=plate_form(rng, c.plate),
            address=c.address,
            date=c.date,
            sentence=rng.choice(fillers),
        )
        out.append((text, kinds))
    return out


def make_mixed(path: Path, size: int, seed: int, pool: list[Customer]) -> dict[str, object]:
    rng = random.Random(f"heldout-mixed-{seed}")
    fake = Faker("zh_CN")
    fake.seed_instance(seed + 1)
    items = sentences(rng, fake, pool)
    planted: Counter[str] = Counter()
    out = Writer(path)
    while out.bytes < size:
        picks = rng.choices(range(len(items)), k=BATCH)
        for index, times in Counter(picks).items():
            for kind in items[index][1]:
                planted[kind] += times
        # one to four sentences a line
        parts = []
        for i in picks:
            parts.append(items[i][0])
            if rng.random() < 0.4:
                parts.append("\n")
        out.write("".join(parts))
    out.close()
    return {"files": 1, "bytes": out.bytes, "planted": dict(sorted(planted.items()))}


def make_prose(path: Path, size: int, seed: int, pool: list[Customer]) -> dict[str, object]:
    rng = random.Random(f"heldout-prose-{seed}")
    zh, en = Faker("zh_CN"), Faker("en_US")
    zh.seed_instance(seed + 2)
    en.seed_instance(seed + 3)
    paragraphs = [zh.paragraph(nb_sentences=rng.randint(4, 16)) for _ in range(PARAGRAPHS * 3 // 4)]
    paragraphs += [en.paragraph(nb_sentences=rng.randint(3, 10)) for _ in range(PARAGRAPHS // 4)]
    sizes = [len(p.encode("utf-8")) + 1 for p in paragraphs]
    items = sentences(rng, zh, pool)
    planted: Counter[str] = Counter()
    out = Writer(path)
    while out.bytes < size:
        gap = rng.randint(*PROSE_GAP)
        picks: list[int] = []
        filled = 0
        while filled < gap:
            index = rng.randrange(len(paragraphs))
            picks.append(index)
            filled += sizes[index]
        text, kinds = rng.choice(items)
        kind = rng.choice(kinds)
        planted[kind] += 1  # the sentence may hold more; the first kind is what it is about
        block = [paragraphs[i] for i in picks]
        block.insert(rng.randint(0, len(block)), text)
        out.write("\n".join(block) + "\n")
    out.close()
    return {"files": 1, "bytes": out.bytes, "planted": dict(sorted(planted.items()))}


MAKERS: dict[str, Callable[[Path, int, int, list[Customer]], dict[str, object]]] = {
    "csv": make_csv,
    "mixed": make_mixed,
    "prose": make_prose,
}


def write_master(path: Path, pool: list[Customer], seed: int, rows: int = MASTER_ROWS) -> int:
    """The EDM master: ``rows`` of the pool's customers (most of the dense CSV's rows)."""
    rng = random.Random(f"heldout-master-{seed}")
    chosen = rng.sample(range(len(pool)), min(rows, len(pool)))
    lines = [MASTER_HEADER]
    for number, index in enumerate(sorted(chosen), start=1):
        c = pool[index]
        lines.append(f"K{number:06d},{c.name},{c.mobile},{c.resident_id},{c.email}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(chosen)


def write_allowlist(path: Path, pool: list[Customer], seed: int, key: str) -> dict[str, int]:
    """``[allowlist]`` regexes and fingerprints (HMAC-SHA256 under ``key``, hex)."""
    rng = random.Random(f"heldout-allow-{seed}")
    chosen = rng.sample(pool, 60)
    values = [c.mobile for c in chosen[:30]] + [c.resident_id.upper() for c in chosen[30:]]
    values += [f"1{rng.randint(30, 99)}{_digits(rng, 8)}" for _ in range(40)]  # most appear nowhere
    prints = [hmac.digest(key.encode("utf-8"), v.encode("utf-8"), "sha256").hex() for v in values]
    lines = [
        "# Held-out allowlist for benchmarks/throughput.py (synthetic values; see benchmarks/heldout.py)",
        "[allowlist]",
        "regexes = [",
        *(f"    '{r}'," for r in ALLOW_REGEXES),
        "]",
        "fingerprints = [",
        *(f'    "{p}",' for p in prints),
        "]",
        "",
    ]
    path.write_text("\n".join(lines), encoding="utf-8")
    return {"regexes": len(ALLOW_REGEXES), "fingerprints": len(prints)}


# -- the manifest -------------------------------------------------------------------------------


def ensure_heldout(
    out: Path,
    *,
    sizes: dict[str, int],
    seed: int = DEFAULT_SEED,
    key: str | None = None,
    force: bool = False,
    log: Callable[[str], None] = print,
) -> dict[str, dict[str, object]]:
    """Generate the parts of ``sizes`` (``csv``, ``mixed``, ``prose`` -> bytes; 0 skips) under
    ``out``, reusing fresh ones, and the EDM master; with ``key``, the allowlist too.

    Returns name -> ``{"path", "params", "files", "bytes", "planted", ...}``, plus
    ``"master"`` (``{"path", "rows", "columns"}``) and, with ``key``, ``"allowlist"``.
    """
    if Faker is None:
        raise RuntimeError(NEEDS_FAKER)
    out.mkdir(parents=True, exist_ok=True)
    manifest_path = out / "manifest.json"
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        manifest = {}
    parts: dict[str, dict[str, object]] = manifest.get("parts", {})
    base = {"version": VERSION, "seed": seed, "faker": faker.VERSION, "pool": POOL}
    pool: list[Customer] | None = None

    def get_pool() -> list[Customer]:
        nonlocal pool
        if pool is None:
            started = time.perf_counter()
            pool = customers(seed)
            log(f"heldout: {len(pool)} Faker zh_CN customers in {time.perf_counter() - started:.1f} s")
        return pool

    for name, size in sizes.items():
        if size <= 0:
            continue
        path = out / FILES[name]
        params = {**base, "size": size}
        old = parts.get(name)
        fresh = old is not None and old.get("params") == params and path.is_file()
        if fresh and not force and path.stat().st_size == old["bytes"]:
            log(f"heldout: reusing {path}")
            continue
        log(f"heldout: generating {path} ({size / 1e6:.0f} MB, seed {seed}) ...")
        started = time.perf_counter()
        tmp = out / f".{FILES[name]}.tmp"
        info = MAKERS[name](tmp, size, seed, get_pool())
        os.replace(tmp, path)
        info.update(path=str(path), params=params, seconds=round(time.perf_counter() - started, 1))
        parts[name] = info
        manifest_path.write_text(json.dumps({"parts": parts}, ensure_ascii=False, indent=2), encoding="utf-8")
        log(f"heldout: {path}: {info['bytes'] / 1e6:.1f} MB in {info['seconds']} s")
    result = {name: parts[name] for name, size in sizes.items() if size > 0}

    master = out / MASTER_NAME
    master_params = {**base, "rows": MASTER_ROWS}
    old = parts.get("master")
    if force or old is None or old.get("params") != master_params or not master.is_file():
        rows = write_master(master, get_pool(), seed)
        parts["master"] = {"path": str(master), "params": master_params, "rows": rows, "columns": EDM_COLUMNS}
        manifest_path.write_text(json.dumps({"parts": parts}, ensure_ascii=False, indent=2), encoding="utf-8")
    result["master"] = parts["master"]
    if key is not None:  # cheap, and depends on the key: always rewritten
        allow = out / ALLOWLIST_NAME
        tag = hashlib.sha256(key.encode("utf-8")).hexdigest()[:12]
        result["allowlist"] = {
            "path": str(allow),
            "key_sha256": tag,
            **write_allowlist(allow, get_pool(), seed, key),
        }
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"folder (default {DEFAULT_OUT})")
    for name, default in DEFAULT_SIZES.items():
        parser.add_argument(f"--{name}-size", type=parse_size, default=parse_size(default), metavar="S")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument(
        "--key",
        default=os.environ.get("DLP_KEY"),
        help="fingerprint key for allowlist.toml (default: $DLP_KEY)",
    )
    parser.add_argument("--force", action="store_true", help="regenerate even when parameters match")
    args = parser.parse_args(argv)
    if Faker is None:
        print(NEEDS_FAKER, file=sys.stderr)
        return 2
    sizes = {name: getattr(args, f"{name}_size") for name in DEFAULT_SIZES}
    done = ensure_heldout(args.out, sizes=sizes, seed=args.seed, key=args.key, force=args.force)
    if args.key is None:
        print("no --key / DLP_KEY: allowlist.toml not written", file=sys.stderr)
    print(json.dumps(done, ensure_ascii=False, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
