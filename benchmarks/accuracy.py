"""Accuracy benchmark: build a synthetic corpus with ground truth, scan it, score it.

Usage::

    python benchmarks/accuracy.py [--out DIR] [--seed N] [--files N] [--dlp CMD] [--generate-only]

The corpus (``DIR/corpus``) mixes file formats and encodings (UTF-8 prose, GB18030 and
UTF-8-with-BOM customer CSVs, UTF-16 with and without BOM, JSON, HTML, logs and
extensionless clipboard dumps). Every personal-data value is synthetic
(:mod:`dlp.synthetic`) and appears in many written forms; thousands of decoys that must
*not* be reported (bad checksums, masked values, digit runs, timestamps, barcodes,
order numbers, service numbers ...) are spread through the files. ``DIR/manifest.json``
records every expected finding as (relative path, detector, normalised value).

The scanner is run as ``CMD scan DIR/corpus --format jsonl --reveal -j 2``; its findings
(minus ``yara:*`` signature hits) are compared with the manifest as sets. Recall is
printed per file format and per detector, precision overall; ``DIR/report.json`` has the
details. Exit status: 0 if every format's recall is >= 0.98 and precision >= 0.995, 1 if
not, 2 if the scanner could not be run.

The corpus-building functions are importable (``tests/test_accuracy.py`` loads this file
with :mod:`importlib`).
"""

from __future__ import annotations

import argparse
import collections
import csv
import dataclasses
import datetime
import html
import io
import json
import os
import random
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from stdnum import luhn
from stdnum.cn import ric
from stdnum.cn import uscc as std_uscc

REPO = Path(__file__).resolve().parent.parent
try:
    import dlp  # noqa: F401
except ImportError:  # run from a checkout without installing: use the checkout
    sys.path.insert(0, str(REPO))

from dlp import synthetic  # noqa: E402
from dlp.data import load_table  # noqa: E402

MIN_RECALL = 0.98
MIN_PRECISION = 0.995
DEFAULT_SEED = 20240601
DEFAULT_FILES = 300

# format -> (folder, file-name pattern, encoding, layout)
FORMATS: dict[str, tuple[str, str, str, str]] = {
    "txt_utf8": ("txt", "memo_{:04d}.txt", "utf-8", "prose"),
    "csv_gb18030": ("csv", "客户名单_{:04d}.csv", "gb18030", "csv"),
    "txt_utf16le_bom": ("utf16", "notes_le_bom_{:04d}.txt", "utf-16le-bom", "prose"),
    "txt_utf16be": ("utf16", "notes_be_{:04d}.txt", "utf-16be", "mixed"),
    "txt_utf16le": ("utf16", "notes_le_{:04d}.txt", "utf-16le", "prose"),
    "csv_utf8_bom": ("csv", "export_{:04d}.csv", "utf-8-sig", "csv"),
    "json": ("json", "customers_{:04d}.json", "utf-8", "json"),
    "html": ("html", "page_{:04d}.html", "utf-8", "html"),
    "log": ("log", "app_{:04d}.log", "utf-8", "log"),
    "clipboard": ("clip", "clipboard_dump_{:04d}", "utf-8", "mixed"),
}
DETECTORS = (
    "cn_resident_id",
    "cn_mobile",
    "cn_landline",
    "cn_plate",
    "cn_uscc",
    "bank_card",
    "email",
)
# Words that make a long Luhn-valid number a card number; files with decoy order numbers
# contain none of them (checked when the file is written).
BANK_WORDS = (
    "银行",
    "卡号",
    "账号",
    "帐号",
    "开户",
    "借记卡",
    "信用卡",
    "储蓄卡",
    "银联",
    "bank",
    "card",
    "account",
    "iban",
)
FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")

Key = tuple[str, str, str]  # (relative path, detector, normalised value)


@dataclasses.dataclass(frozen=True)
class Item:
    """One value written into the corpus: a positive (``detector`` set) or a decoy."""

    text: str
    kind: str  # written form of a positive ("cn_mobile:plus86") or decoy kind
    column: str  # mobile / id / landline / email / plate / remark
    labels: tuple[str, ...]  # prose labels, each ending in "：", ": " or " "
    keys: tuple[str, ...]  # key names for JSON and key=value lines
    detector: str = ""
    value: str = ""


@dataclasses.dataclass
class Manifest:
    seed: int
    files: dict[str, str] = dataclasses.field(default_factory=dict)  # relative path -> format
    positives: dict[Key, str] = dataclasses.field(default_factory=dict)  # key -> first written form
    decoys: collections.Counter[str] = dataclasses.field(default_factory=collections.Counter)
    decoys_per_format: collections.Counter[str] = dataclasses.field(default_factory=collections.Counter)

    def to_json(self) -> dict[str, object]:
        return {
            "seed": self.seed,
            "files": self.files,
            "positives": [
                {"path": p, "detector": d, "value": v, "form": form}
                for (p, d, v), form in sorted(self.positives.items())
            ],
            "decoys": dict(sorted(self.decoys.items())),
            "decoys_per_format": dict(sorted(self.decoys_per_format.items())),
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> Manifest:
        m = cls(seed=int(data["seed"]))  # type: ignore[call-overload]
        m.files = dict(data["files"])  # type: ignore[call-overload]
        for row in data["positives"]:  # type: ignore[attr-defined]
            m.positives[(row["path"], row["detector"], row["value"])] = row["form"]
        m.decoys.update(data["decoys"])  # type: ignore[arg-type]
        m.decoys_per_format.update(data["decoys_per_format"])  # type: ignore[arg-type]
        return m


# -- positives ------------------------------------------------------------------------

LABELS = {
    "cn_resident_id": ("身份证号：", "身份证：", "证件号码：", "公民身份号码 ", "ID No.: ", ""),
    "cn_mobile": ("手机：", "手机号 ", "联系电话：", "mobile: ", "电话：", ""),
    "cn_landline": ("座机：", "办公电话：", "固话 ", "Tel: ", "电话：", ""),
    "cn_plate": ("车牌：", "车牌号 ", "号牌号码：", "车辆 "),
    "cn_uscc": ("统一社会信用代码：", "税号：", "信用代码 ", "营业执照 "),
    "bank_card": ("银行卡号：", "卡号：", "开户行：招商银行，卡号 ", "收款账号：", "借记卡 "),
    "email": ("邮箱：", "email: ", "电子邮件 ", ""),
}
KEYS = {
    "cn_resident_id": ("id_no", "idno", "证件号码", "身份证号"),
    "cn_mobile": ("mobile", "phone", "手机"),
    "cn_landline": ("tel", "office_phone", "座机"),
    "cn_plate": ("plate", "车牌"),
    "cn_uscc": ("uscc", "税号", "统一社会信用代码"),
    "bank_card": ("card_no", "银行卡号", "bank_account"),
    "email": ("email", "mail", "邮箱"),
}
COLUMN = {
    "cn_resident_id": "id",
    "cn_mobile": "mobile",
    "cn_landline": "landline",
    "cn_plate": "plate",
    "email": "email",
    "cn_uscc": "remark",
    "bank_card": "remark",
}


def _id_with_x(rng: random.Random) -> str:
    while True:
        value = synthetic.resident_id(rng)
        if value.endswith("X"):
            return value


def _pos_resident_id(rng: random.Random) -> tuple[str, str, str]:
    form = rng.choice(("plain", "plain", "lower_x", "spaced_6_8_4", "hyphen_6_8_4"))
    value = _id_with_x(rng) if form == "lower_x" else synthetic.resident_id(rng)
    if form == "lower_x":
        return value.lower(), value, form
    sep = {"spaced_6_8_4": " ", "hyphen_6_8_4": "-"}.get(form)
    text = value if sep is None else sep.join((value[:6], value[6:14], value[14:]))
    return text, value, form


def _pos_mobile(rng: random.Random) -> tuple[str, str, str]:
    v = synthetic.mobile(rng)
    a, b, c = v[:3], v[3:7], v[7:]
    forms = {
        "plain": v,
        "dash_3_4_4": f"{a}-{b}-{c}",
        "space_3_4_4": f"{a} {b} {c}",
        "plus86_spaced": f"+86 {a} {b} {c}",
        "plus86": f"+86{v}",
        "0086_dash": f"0086-{v}",
        "paren_plus86": f"(+86){v}",
        "fullwidth": v.translate(FULLWIDTH),
    }
    form = rng.choice(sorted(forms))
    return forms[form], v, form


def _pos_landline(rng: random.Random) -> tuple[str, str, str]:
    area, sub = synthetic.landline(rng)
    cut = 4 if len(sub) == 8 else 3
    s1, s2 = sub[:cut], sub[cut:]
    ext = str(rng.randint(10, 9999))
    forms = {
        "dash": f"{area}-{sub}",
        "paren": f"({area}){sub}",
        "spaced": f"{area} {s1} {s2}",
        "plus86_spaced": f"+86 {area[1:]} {s1} {s2}",
        "ext_zhuan": f"{area}-{sub}转{ext}",
        "ext_dash": f"{area}-{sub}-{ext}",
    }
    form = rng.choice(sorted(forms))
    return forms[form], area + sub, form


def _pos_plate(rng: random.Random) -> tuple[str, str, str]:
    kind = rng.choice(("ordinary", "ordinary", "ne_small", "ne_large", "special"))
    value = synthetic.plate(rng, kind)
    if kind == "special":
        value = value[:-1] + rng.choice("学警挂")
    form = rng.choice(("plain", "space", "middot", "dash", "lower"))
    sep = {"space": " ", "middot": "·", "dash": "-"}.get(form, "")
    text = value[:2] + sep + value[2:]
    if form == "lower":
        text = text.lower()
    return text, value, f"{kind}_{form}"


def _pos_uscc(rng: random.Random) -> tuple[str, str, str]:
    value = synthetic.uscc(rng)
    return value, value, "plain"


def _grouped_card(rng: random.Random) -> str:
    while True:
        number = synthetic.bank_card(rng, rng.choice((16, 19)))
        groups = [number[i : i + 4] for i in range(0, len(number), 4)]
        if all(g[0] not in "01" for g in groups[1:]):
            return " ".join(groups)


def _pos_bank_card(rng: random.Random) -> tuple[str, str, str]:
    if rng.random() < 0.4:
        text = _grouped_card(rng)
        return text, text.replace(" ", ""), "grouped_4"
    value = synthetic.bank_card(rng)
    return value, value, f"plain_{len(value)}"


def _pos_email(rng: random.Random) -> tuple[str, str, str]:
    value = synthetic.email(rng)
    if rng.random() < 0.25:
        local, _, domain = value.partition("@")
        return f"{local.capitalize()}@{domain.capitalize()}", value, "mixed_case"
    return value, value, "plain"


POSITIVE_MAKERS: dict[str, Callable[[random.Random], tuple[str, str, str]]] = {
    "cn_resident_id": _pos_resident_id,
    "cn_mobile": _pos_mobile,
    "cn_landline": _pos_landline,
    "cn_plate": _pos_plate,
    "cn_uscc": _pos_uscc,
    "bank_card": _pos_bank_card,
    "email": _pos_email,
}
POSITIVE_WEIGHTS = {
    "cn_resident_id": 3,
    "cn_mobile": 3,
    "cn_landline": 2,
    "cn_plate": 2,
    "cn_uscc": 1,
    "bank_card": 2,
    "email": 2,
}


def positive(rng: random.Random, detector: str) -> Item:
    text, value, form = POSITIVE_MAKERS[detector](rng)
    return Item(
        text,
        f"{detector}:{form}",
        COLUMN[detector],
        LABELS[detector],
        KEYS[detector],
        detector,
        value,
    )


# -- decoys ---------------------------------------------------------------------------


def _digits(rng: random.Random, n: int, first: str = "123456789") -> str:
    return rng.choice(first) + "".join(rng.choice("0123456789") for _ in range(n - 1))


def harmless(digits: str, *, allow_luhn: bool = False) -> bool:
    """True when a bare digit string is not a value of any detector on its own."""
    n = len(digits)
    if n == 18 and (ric.calc_check_digit(digits) == digits[-1] or std_uscc.is_valid(digits)):
        return False
    if n == 15 and digits[:6] in load_table("cn_regions"):
        try:
            datetime.date(1900 + int(digits[6:8]), int(digits[8:10]), int(digits[10:12]))
            return False
        except ValueError:
            pass
    if not allow_luhn and 12 <= n <= 20 and luhn.is_valid(digits):
        return False
    return not (digits.startswith("0") or (n == 11 and digits.startswith("1")))


def _harmless_digits(rng: random.Random, n: int, first: str = "123456789") -> str:
    while True:
        d = _digits(rng, n, first)
        if harmless(d):
            return d


def _only_bad_id(maker: Callable[[random.Random], str]) -> Callable[[random.Random], str]:
    """Wrap an invalid-ID generator so its numbers are not also USCCs or Luhn-valid cards."""

    def make(rng: random.Random) -> str:
        while True:
            number = maker(rng)
            if not (std_uscc.is_valid(number) or luhn.is_valid(number)):
                return number

    return make


def _plain_id(rng: random.Random) -> str:
    while True:
        value = synthetic.resident_id(rng)
        if value[-1] != "X":
            return value


def _letters(rng: random.Random) -> str:
    pool = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz"
    return "".join(rng.choice(pool) for _ in range(rng.randint(1, 4)))


def _uuid(rng: random.Random) -> str:
    while True:
        h = f"{rng.getrandbits(128):032x}"
        parts = (h[:8], h[8:12], h[12:16], h[16:20], h[20:])
        if not any(p.isdigit() for p in parts):
            return "-".join(parts)


def _hexdigest(rng: random.Random) -> str:
    while True:
        h = f"{rng.getrandbits(160):040x}"
        if sum(c.isalpha() for c in h) >= 8:
            return h


def _ean13(rng: random.Random) -> str:
    while True:
        body = "69" + str(rng.randint(0, 9)) + _digits(rng, 9, "0123456789")
        check = (10 - sum(int(c) * (3 if i % 2 else 1) for i, c in enumerate(body)) % 10) % 10
        code = body + str(check)
        if harmless(code):
            return code


def _run_with(rng: random.Random, core: str, low: int, high: int) -> str:
    while True:
        total = rng.randint(low, high)
        left = rng.randint(1, total - len(core) - 1)
        run = _digits(rng, left) + core + _digits(rng, total - len(core) - left, "0123456789")
        if harmless(run):
            return run


def _order_no(rng: random.Random) -> str:
    n = rng.randint(16, 20)
    if rng.random() < 0.4:  # Luhn-valid: only a bank context would make it a card
        while True:
            body = _digits(rng, n - 1, "23456")
            number = body + luhn.calc_check_digit(body)
            if harmless(number, allow_luhn=True):
                return number
    return _harmless_digits(rng, n)


def _masked(rng: random.Random, kind: str) -> str:
    if kind == "id":
        v = synthetic.resident_id(rng)
        return rng.choice((v[:6] + "*" * 8 + v[14:], v[:3] + "*" * 11 + v[14:], v[:10] + "****" + v[14:]))
    if kind == "mobile":
        v = synthetic.mobile(rng)
        return rng.choice((f"{v[:3]}****{v[7:]}", f"{v[:3]}-****-{v[7:]}", f"{v[:3]}*****{v[8:]}"))
    v = synthetic.bank_card(rng, 16)
    return rng.choice((f"{v[:4]} **** **** {v[12:]}", f"{v[:6]}******{v[12:]}"))


def _excel(rng: random.Random) -> str:
    v = rng.choice((_plain_id(rng), synthetic.bank_card(rng, 19), synthetic.mobile(rng)))
    return f"{v[0]}.{v[1:6]}E+{len(v) - 1}"


def _version(rng: random.Random) -> str:
    a, b, c = rng.randint(1, 12), rng.randint(0, 30), rng.randint(0, 999)
    return rng.choice(
        (
            f"v{a}.{b}.{c}",
            f"{a}.{b}.{c}",
            f"10.0.{rng.randint(10000, 22631)}.{rng.randint(100, 4000)}",
            f"build {rng.randint(2019, 2024)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}.{b}",
        )
    )


def _ip(rng: random.Random) -> str:
    if rng.random() < 0.2:
        return "fe80::" + ":".join(f"{rng.getrandbits(16):x}" for _ in range(4))
    first = rng.choice((10, 172, 192, rng.randint(11, 223)))
    return ".".join(str(x) for x in (first, rng.randint(0, 255), rng.randint(0, 255), rng.randint(1, 254)))


def _date(rng: random.Random) -> str:
    d = datetime.date(2015, 1, 1) + datetime.timedelta(days=rng.randint(0, 3500))
    t = f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}"
    return rng.choice(
        (
            d.isoformat(),
            f"{d:%Y/%m/%d} {t}",
            f"{d.year}年{d.month}月{d.day}日",
            f"{d:%Y%m%d}",
            f"{d.isoformat()}T{t}+08:00",
        )
    )


def _glued(rng: random.Random) -> str:
    core = synthetic.mobile(rng) if rng.random() < 0.6 else _plain_id(rng)
    if rng.random() < 0.5:
        return _letters(rng) + core
    return core + _letters(rng)


ID_L, ID_K = ("身份证号：", "证件号码：", "身份证 "), ("id_no", "idno")
MOB_L, MOB_K = ("手机：", "电话：", "联系电话 "), ("mobile", "phone")
# kind -> (maker(rng), column, labels, keys)
DECOYS: dict[str, tuple[Callable[[random.Random], str], str, tuple[str, ...], tuple[str, ...]]] = {
    "id_bad_checksum": (_only_bad_id(synthetic.resident_id_bad_checksum), "id", ID_L, ID_K),
    "id_bad_date": (_only_bad_id(synthetic.resident_id_bad_date), "id", ID_L, ID_K),
    "id_bad_region": (_only_bad_id(synthetic.resident_id_bad_region), "id", ID_L, ID_K),
    "id_masked": (lambda r: _masked(r, "id"), "id", ID_L, ID_K),
    "mobile_masked": (lambda r: _masked(r, "mobile"), "mobile", MOB_L, MOB_K),
    "excel_scientific": (_excel, "remark", ("身份证号：", "号码 ", "数值 "), ("value", "num")),
    "mobile_in_digit_run": (
        lambda r: _run_with(r, synthetic.mobile(r), 15, 20),
        "remark",
        ("编号：", "流水号 ", ""),
        ("serial", "seq"),
    ),
    "id_in_digit_run": (
        lambda r: _run_with(r, _plain_id(r), 21, 26),
        "remark",
        ("编号：", "流水号 ", ""),
        ("serial", "seq"),
    ),
    "letters_glued": (
        _glued,
        "remark",
        ("备注：", "参考码 ", ""),
        ("ref", "code"),
    ),
    "timestamp_ms": (
        lambda r: str(r.randint(1_500_000_000_000, 1_799_999_999_999)),
        "remark",
        ("时间戳：", "ts "),
        ("ts", "created_ms"),
    ),
    "ean13": (_ean13, "remark", ("条码：", "商品条码 "), ("barcode", "ean")),
    "tracking": (
        lambda r: r.choice(("SF", "YT", "JD", "ZTO")) + _digits(r, r.choice((12, 13)), "0123456789"),
        "remark",
        ("运单号：", "快递单号 "),
        ("waybill", "tracking_no"),
    ),
    "plain_12_15": (
        lambda r: _harmless_digits(r, r.randint(12, 15)),
        "remark",
        ("运单号：", "单号 ", ""),
        ("waybill", "ref_no"),
    ),
    "order_no": (_order_no, "remark", ("订单号：", "单号 ", "订单编号 "), ("order_no", "order_id")),
    "service_number": (
        lambda r: r.choice(
            (
                f"400-{_digits(r, 3)}-{_digits(r, 4, '0123456789')}",
                f"400{_digits(r, 7, '0123456789')}",
                f"800-{_digits(r, 3)}-{_digits(r, 4, '0123456789')}",
                f"95{r.randint(100, 599)}",
                r.choice(("10086", "10010", "12315", "95588", "95533")),
            )
        ),
        "landline",
        ("客服热线：", "服务电话：", "热线 "),
        ("hotline",),
    ),
    "local_no_area": (
        lambda r: r.choice(
            (
                _digits(r, 7, "23456789"),
                _digits(r, 8, "23456789"),
                f"{_digits(r, 4, '23456789')}-{_digits(r, 4, '0123456789')}",
            )
        ),
        "landline",
        ("电话：", "分机外线 ", "本地号码 "),
        ("tel_local",),
    ),
    "mobile_bad_prefix": (synthetic.mobile_bad_prefix, "mobile", MOB_L, MOB_K),
    "decimal": (
        lambda r: synthetic.mobile(r) + r.choice((".5", ".00", ".25")),
        "remark",
        ("金额：", "合计 "),
        ("amount",),
    ),
    "version": (_version, "remark", ("版本 ", "客户端版本："), ("ver", "app_version")),
    "uuid_hex": (
        lambda r: _uuid(r) if r.random() < 0.6 else _hexdigest(r),
        "remark",
        ("请求标识：", "trace "),
        ("trace_id", "sha1"),
    ),
    "ip": (_ip, "remark", ("IP：", "来源地址 "), ("ip", "client_ip")),
    "date": (_date, "remark", ("日期：", "时间 "), ("date", "created_at")),
    "bank_bad_luhn": (
        lambda r: synthetic.bank_card_bad_luhn(r),
        "remark",
        ("银行卡号：", "卡号："),
        ("card_no",),
    ),
    "bank_masked": (lambda r: _masked(r, "bank"), "remark", ("银行卡号：", "卡号："), ("card_no",)),
}
BANK_ONLY = ("bank_bad_luhn", "bank_masked")
NO_BANK_ONLY = ("order_no",)


def decoy(rng: random.Random, kind: str) -> Item:
    maker, column, labels, keys = DECOYS[kind]
    return Item(maker(rng), kind, column, labels, keys)


# -- layouts --------------------------------------------------------------------------


def _label(rng: random.Random, item: Item) -> str:
    label = rng.choice(item.labels)
    return label or " "


def _sentence(rng: random.Random, item: Item) -> str:
    lead = synthetic.prose(rng, rng.randint(6, 30))
    who = synthetic.chinese_name(rng) if rng.random() < 0.7 else ""
    return f"{lead}{who}{_label(rng, item)}{item.text}{rng.choice('，。；')}"


def layout_prose(rng: random.Random, items: list[Item]) -> str:
    out: list[str] = []
    for item in items:
        out.append(_sentence(rng, item))
        if rng.random() < 0.3:
            out.append("\n")
    return synthetic.prose(rng, 20) + "\n" + "".join(out) + "\n"


def _line(rng: random.Random, item: Item) -> str:
    style = rng.random()
    if item.detector == "bank_card" and 0.3 <= style < 0.55:
        style = 0.9  # a card number always comes with its context word
    if style < 0.3:
        return _sentence(rng, item)
    if style < 0.55:
        return f"{synthetic.chinese_name(rng)}\t{item.text}"
    if style < 0.8:
        return f"{rng.choice(item.keys)}: {item.text}"
    return f"{_label(rng, item)}{item.text}".lstrip()


def layout_mixed(rng: random.Random, items: list[Item]) -> str:
    lines = [synthetic.prose(rng, rng.randint(10, 30))]
    for item in items:
        lines.append(_line(rng, item))
        if rng.random() < 0.15:
            lines.append("")
    newline = "\r\n" if rng.random() < 0.3 else "\n"
    return newline.join(lines) + newline


def _rows(items: list[Item]) -> list[dict[str, list[Item]]]:
    queues: dict[str, list[Item]] = collections.defaultdict(list)
    for item in items:
        queues[item.column].append(item)
    n = max([len(q) for c, q in queues.items() if c != "remark"] + [(len(queues["remark"]) + 1) // 2, 1])
    rows: list[dict[str, list[Item]]] = [collections.defaultdict(list) for _ in range(n)]
    for column, queue in queues.items():
        for i, item in enumerate(queue):
            rows[i % n if column == "remark" else i][column].append(item)
    return rows


CSV_COLUMNS = (
    ("姓名", "name"),
    ("手机", "mobile"),
    ("身份证号", "id"),
    ("固话", "landline"),
    ("邮箱", "email"),
    ("车牌", "plate"),
    ("备注", "remark"),
)


def layout_csv(rng: random.Random, items: list[Item]) -> str:
    """A customer list; files with card numbers get a 银行卡号 column (context from the header)."""
    columns = list(CSV_COLUMNS)
    if any(it.detector == "bank_card" for it in items):
        columns.insert(-1, ("银行卡号", "card"))
        items = [
            dataclasses.replace(it, column="card")
            if it.detector == "bank_card" and rng.random() < 0.6
            else it
            for it in items
        ]
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow([title for title, _ in columns])
    for row in _rows(items):
        cells = [synthetic.chinese_name(rng)]
        for _, column in columns[1:-1]:
            cells.append(row[column][0].text if row[column] else "")
        cells.append("；".join(f"{_label(rng, it)}{it.text}".strip() for it in row["remark"]))
        writer.writerow(cells)
    return buf.getvalue()


def _json_value(rng: random.Random, item: Item) -> object:
    if item.text.isascii() and item.text.isdigit() and item.text[0] != "0" and rng.random() < 0.3:
        return int(item.text)
    return item.text


def layout_json(rng: random.Random, items: list[Item]) -> str:
    records = []
    for row in _rows(items):
        record: dict[str, object] = {"name": synthetic.chinese_name(rng), "level": rng.randint(1, 5)}
        contact = {
            rng.choice(it.keys): _json_value(rng, it)
            for col in ("mobile", "landline", "email")
            for it in row[col]
        }
        if contact:
            record["contact"] = contact
        for it in row["id"]:
            record["identity"] = {rng.choice(it.keys): _json_value(rng, it), "verified": True}
        for it in row["plate"]:
            record["vehicle"] = {rng.choice(it.keys): it.text}
        extra: dict[str, object] = {}
        for it in row["remark"]:
            key = rng.choice(it.keys)
            extra[key if key not in extra else f"{key}_{len(extra)}"] = _json_value(rng, it)
        if extra:
            record["extra"] = extra
        records.append(record)
    doc = {"source": "crm-export", "note": synthetic.prose(rng, 16), "records": records}
    return json.dumps(doc, ensure_ascii=False, indent=rng.choice((None, 2))) + "\n"


def layout_html(rng: random.Random, items: list[Item]) -> str:
    e = html.escape
    table_items = [it for it in items if it.column != "remark"]
    para_items = [it for it in items if it.column == "remark"]
    head = "".join(f"<th>{t}</th>" for t, _ in CSV_COLUMNS[:-1])
    rows = []
    for row in _rows(table_items):
        cells = [f"<td>{e(synthetic.chinese_name(rng))}</td>"]
        for _, column in CSV_COLUMNS[1:-1]:
            text = e(row[column][0].text) if row[column] else "&nbsp;"
            cells.append(f"<td>{text}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    paras = [
        f"<p>{e(synthetic.prose(rng, rng.randint(6, 20)))}{e(_label(rng, it))}&nbsp;<b>{e(it.text)}</b>"
        f"&nbsp;{e(synthetic.prose(rng, 8))}</p>"
        for it in para_items
    ]
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        "<title>客户资料</title><style>td{padding:2px 6px}</style></head>\n<body>\n"
        f"<h1>{e(synthetic.prose(rng, 10))}</h1>\n<table>\n<tr>{head}</tr>\n"
        + "\n".join(rows)
        + "\n</table>\n"
        + "\n".join(paras)
        + "\n</body></html>\n"
    )


def layout_log(rng: random.Random, items: list[Item]) -> str:
    t = datetime.datetime(2024, 1, 1) + datetime.timedelta(seconds=rng.randint(0, 30_000_000))
    lines = []
    pending = list(items)
    while pending:
        t += datetime.timedelta(milliseconds=rng.randint(5, 90_000))
        stamp = f"{t:%Y-%m-%d %H:%M:%S}.{t.microsecond // 1000:03d}"
        level = rng.choice(("INFO", "INFO", "DEBUG", "WARN"))
        service = rng.choice(("gateway", "user-svc", "order-svc", "crm"))
        if rng.random() < 0.3:
            lines.append(f"{stamp} {level} [{service}] request done status=200 cost={rng.randint(1, 900)}ms")
            continue
        if rng.random() < 0.2:
            it = pending.pop()
            lines.append(f"{stamp} {level} [{service}] {_sentence(rng, it)}")
            continue
        pairs = []
        for _ in range(min(len(pending), rng.randint(1, 3))):
            it = pending.pop()
            text = f'"{it.text}"' if " " in it.text else it.text
            pairs.append(f"{rng.choice(it.keys)}={text}")
        event = rng.choice(("user_update", "profile_sync", "login", "export_row"))
        lines.append(f"{stamp} {level} [{service}] {event} " + " ".join(pairs))
    return "\n".join(lines) + "\n"


LAYOUTS: dict[str, Callable[[random.Random, list[Item]], str]] = {
    "prose": layout_prose,
    "mixed": layout_mixed,
    "csv": layout_csv,
    "json": layout_json,
    "html": layout_html,
    "log": layout_log,
}


def encode(text: str, encoding: str) -> bytes:
    if encoding == "utf-16le-bom":
        return b"\xff\xfe" + text.encode("utf-16-le")
    if encoding in ("utf-16le", "utf-16be"):
        return text.encode(encoding.replace("16", "-16-"))
    return text.encode(encoding)


# -- the corpus -----------------------------------------------------------------------


def file_items(rng: random.Random, bank: bool) -> list[Item]:
    """The positives and decoys of one file, shuffled."""
    weights = dict(POSITIVE_WEIGHTS, bank_card=POSITIVE_WEIGHTS["bank_card"] if bank else 0)
    detectors = rng.choices(list(weights), weights=list(weights.values()), k=rng.randint(6, 14))
    kinds = [k for k in DECOYS if k not in (NO_BANK_ONLY if bank else BANK_ONLY)]
    items = [positive(rng, d) for d in detectors]
    items += [decoy(rng, rng.choice(kinds)) for _ in range(rng.randint(9, 17))]
    rng.shuffle(items)
    return items


def build_file(seed: int, index: int) -> tuple[str, str, bytes, list[Item]]:
    """(format, relative path, bytes, items) of file ``index``; depends only on seed and index."""
    fmt = list(FORMATS)[index % len(FORMATS)]
    folder, pattern, encoding, layout = FORMATS[fmt]
    rng = random.Random(f"dlp-accuracy/{seed}/{index}")
    bank = rng.random() < 0.4
    items = file_items(rng, bank)
    text = LAYOUTS[layout](rng, items)
    if not bank:
        lowered = text.lower()
        leaked = [w for w in BANK_WORDS if w in lowered]
        if leaked:
            raise AssertionError(f"file {index}: bank context word {leaked} in a non-bank file")
    return fmt, f"{folder}/{pattern.format(index)}", encode(text, encoding), items


def build_corpus(root: Path, *, seed: int = DEFAULT_SEED, n_files: int = DEFAULT_FILES) -> Manifest:
    """Write ``n_files`` files under ``root`` and return their ground truth."""
    manifest = Manifest(seed=seed)
    for index in range(n_files):
        fmt, rel, data, items = build_file(seed, index)
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        manifest.files[rel] = fmt
        for it in items:
            if it.detector:
                manifest.positives.setdefault((rel, it.detector, it.value), it.kind)
            else:
                manifest.decoys[it.kind] += 1
                manifest.decoys_per_format[fmt] += 1
    return manifest


# -- scoring --------------------------------------------------------------------------


def relative(path: str, root: Path) -> str:
    """A finding's path relative to the corpus root, with ``/`` separators."""
    p = Path(path)
    if not p.is_absolute():
        p = Path.cwd() / p
    try:
        return p.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return Path(path).as_posix()


def parse_jsonl(lines: Iterable[str | bytes], root: Path) -> set[Key]:
    """The (path, detector, value) of every PII finding in JSONL scanner output."""
    found: set[Key] = set()
    for line in lines:
        line = line.strip()
        if not line:
            continue
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if not isinstance(record, dict) or record.get("type") != "finding":
            continue
        detector = str(record.get("detector", ""))
        if detector.startswith("yara:"):
            continue
        found.add((relative(str(record.get("path", "")), root), detector, str(record.get("value"))))
    return found


def mask(value: str) -> str:
    return value if len(value) <= 5 else value[:3] + "*" * (len(value) - 5) + value[-2:]


def _ratio(num: int, den: int) -> float:
    return num / den if den else 1.0


def evaluate(manifest: Manifest, found: set[Key]) -> dict[str, object]:
    truth = set(manifest.positives)
    tp, fp, fn = truth & found, found - truth, truth - found
    formats: dict[str, dict[str, float]] = {}
    for fmt in FORMATS:
        pos = {k for k in truth if manifest.files.get(k[0]) == fmt}
        if pos or fmt in manifest.files.values():
            hit = len(pos & found)
            formats[fmt] = {"positives": len(pos), "found": hit, "recall": _ratio(hit, len(pos))}
    detectors: dict[str, dict[str, float]] = {}
    for det in sorted({k[1] for k in truth | found}):
        pos = {k for k in truth if k[1] == det}
        hit = len(pos & found)
        wrong = sum(1 for k in fp if k[1] == det)
        detectors[det] = {
            "positives": len(pos),
            "found": hit,
            "recall": _ratio(hit, len(pos)),
            "false_positives": wrong,
        }
    forms: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0])
    for key, form in manifest.positives.items():
        forms[form][0] += 1
        forms[form][1] += key in found
    precision = _ratio(len(tp), len(found))
    failed = [f for f, s in formats.items() if s["recall"] < MIN_RECALL]
    return {
        "files": len(manifest.files),
        "positives": len(truth),
        "decoys": sum(manifest.decoys.values()),
        "true_positives": len(tp),
        "false_positives": len(fp),
        "false_negatives": len(fn),
        "precision": precision,
        "recall": _ratio(len(tp), len(truth)),
        "formats": formats,
        "detectors": detectors,
        "forms": {
            f: {"positives": n, "found": h, "recall": _ratio(h, n)} for f, (n, h) in sorted(forms.items())
        },
        "false_positive_examples": [{"path": p, "detector": d, "value": mask(v)} for p, d, v in sorted(fp)],
        "false_negative_examples": [
            {"path": p, "detector": d, "value": mask(v), "form": manifest.positives[(p, d, v)]}
            for p, d, v in sorted(fn)
        ],
        "thresholds": {"recall_per_format": MIN_RECALL, "precision": MIN_PRECISION},
        "failed_formats": failed,
        "passed": not failed and precision >= MIN_PRECISION,
    }


def render(report: dict[str, object], limit: int = 20) -> str:
    out = [f"{'format':<18}{'positives':>10}{'found':>8}{'recall':>9}"]
    for fmt, s in report["formats"].items():  # type: ignore[attr-defined]
        out.append(f"{fmt:<18}{s['positives']:>10}{s['found']:>8}{s['recall']:>9.4f}")
    out += ["", f"{'detector':<18}{'positives':>10}{'found':>8}{'recall':>9}{'FP':>6}"]
    for det, s in report["detectors"].items():  # type: ignore[attr-defined]
        out.append(
            f"{det:<18}{s['positives']:>10}{s['found']:>8}{s['recall']:>9.4f}{s['false_positives']:>6}"
        )
    out += [
        "",
        f"files {report['files']}  positives {report['positives']}  decoys {report['decoys']}",
        f"precision {report['precision']:.4f}  recall {report['recall']:.4f}  "
        f"(TP {report['true_positives']}, FP {report['false_positives']}, FN {report['false_negatives']})",
    ]
    for title, key in (
        ("false positives", "false_positive_examples"),
        ("false negatives", "false_negative_examples"),
    ):
        rows = report[key]  # type: ignore[index]
        if rows:
            out.append(f"\n{title} (first {min(limit, len(rows))} of {len(rows)}):")
            for r in rows[:limit]:
                form = f"  [{r['form']}]" if "form" in r else ""
                out.append(f"  {r['path']}  {r['detector']}  {r['value']}{form}")
    errors = report.get("scan_errors") or []
    if errors:
        out.append(f"\ninputs not (fully) scanned: {len(errors)}")
        out += [f"  {e['path']}  {e['reason']}" for e in errors[:limit]]  # type: ignore[index]
    verdict = "PASS" if report["passed"] else "FAIL"
    out.append(f"\n{verdict}: recall per format >= {MIN_RECALL}, precision >= {MIN_PRECISION}")
    return "\n".join(out)


def run_scanner(command: str, corpus: Path) -> list[str]:
    """Run ``command scan CORPUS --format jsonl --reveal -j 2``; return its stdout lines."""
    argv = [*shlex.split(command), "scan", str(corpus), "--format", "jsonl", "--reveal", "-j", "2"]
    env = dict(os.environ)
    if argv[1:3] == ["-m", "dlp.cli"]:  # not installed: run the checkout
        env["PYTHONPATH"] = os.pathsep.join(filter(None, (str(REPO), env.get("PYTHONPATH"))))
    proc = subprocess.run(argv, capture_output=True, text=True, encoding="utf-8", env=env, check=False)
    if proc.returncode not in (0, 1, 3):
        sys.stderr.write(proc.stderr[-4000:])
        raise RuntimeError(f"scanner exited {proc.returncode}: {shlex.join(argv)}")
    return proc.stdout.splitlines()


def scan_errors(lines: Iterable[str | bytes], root: Path) -> list[dict[str, str]]:
    """Inputs the scanner reported as not (fully) scanned (``type: error`` records)."""
    errors = []
    for line in lines:
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict) and record.get("type") == "error":
            path = relative(str(record.get("path", "")), root)
            errors.append({"path": path, "reason": str(record.get("reason", ""))})
    return errors


def default_command() -> str:
    """``dlp`` when installed, else this interpreter running the checkout's CLI module."""
    return "dlp" if shutil.which("dlp") else f"{shlex.quote(sys.executable)} -m dlp.cli"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, help="work folder (default: a new temporary folder)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="corpus seed (deterministic)")
    parser.add_argument("--files", type=int, default=DEFAULT_FILES, help="number of files to write")
    parser.add_argument("--dlp", default=None, help="scanner command (default: dlp, else python -m dlp.cli)")
    parser.add_argument("--generate-only", action="store_true", help="build the corpus, do not scan")
    args = parser.parse_args(argv)

    out: Path = args.out or Path(tempfile.mkdtemp(prefix="dlp-accuracy-"))
    corpus = out / "corpus"
    marker = out / ".dlp-accuracy"  # marks a folder this script may clear
    if corpus.exists():
        if not marker.exists():
            parser.error(f"{corpus} exists and was not made by this script; choose another --out")
        shutil.rmtree(corpus)
    out.mkdir(parents=True, exist_ok=True)
    marker.touch()
    manifest = build_corpus(corpus, seed=args.seed, n_files=args.files)
    (out / "manifest.json").write_text(
        json.dumps(manifest.to_json(), ensure_ascii=False, indent=1), encoding="utf-8"
    )
    per_format = collections.Counter(manifest.files.values())
    per_detector = collections.Counter(k[1] for k in manifest.positives)
    print(f"corpus: {corpus}  ({len(manifest.files)} files, seed {args.seed})")
    print("files per format: " + ", ".join(f"{f} {n}" for f, n in per_format.items()))
    print("positives per detector: " + ", ".join(f"{d} {n}" for d, n in sorted(per_detector.items())))
    print(f"decoys: {sum(manifest.decoys.values())} ({len(manifest.decoys)} kinds)")
    if args.generate_only:
        return 0

    command = args.dlp or default_command()
    try:
        lines = run_scanner(command, corpus.resolve())
    except (OSError, RuntimeError) as exc:
        print(f"error: could not run the scanner: {exc}", file=sys.stderr)
        return 2
    report = evaluate(manifest, parse_jsonl(lines, corpus.resolve()))
    report["seed"] = args.seed
    report["command"] = command
    report["scan_errors"] = scan_errors(lines, corpus.resolve())
    (out / "report.json").write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    print()
    print(render(report))
    print(f"\nreport: {out / 'report.json'}")
    return 0 if report["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
