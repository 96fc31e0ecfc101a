"""What a customer-master column holds, and how its values are normalised.

A column has a *kind*. Every kind but ``name`` maps to detectors, and a value is
normalised by the first of those detectors' ``validate`` functions that accepts
it, so the index holds exactly the normalised form a scan produces for the same
value (``138-1234-5678`` and ``+86 13812345678`` both become ``13812345678``).
Names are NFKC-normalised with all white space removed. Values that no
validator accepts are not indexed: a scan could never find them.

The kind comes from ``--columns NAME=KIND``, else from the header (姓名, 手机,
身份证号 ...), else (not for names) from a sample of the column's values.

>>> normalise("phone", "138 1234 5678"), normalise("name", " 张 伟 ")
('13812345678', '张伟')
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from functools import cache

from dlp.errors import ConfigError, ValidationError

KIND_DETECTORS: dict[str, tuple[str, ...]] = {
    "phone": ("cn_mobile", "cn_landline"),
    "id": ("cn_resident_id", "cn_resident_id_legacy"),
    "email": ("email",),
    "bank_card": ("bank_card",),
    "plate": ("cn_plate",),
    "uscc": ("cn_uscc",),
}
KINDS = ("name", *KIND_DETECTORS)

# Header words per kind, checked in this order (联系人电话 is a phone, 联系人 a name).
_HEADER_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("id", ("身份证", "证件号", "idcard", "id card", "id number", "id_no", "idno", "id no")),
    ("email", ("邮箱", "邮件", "email", "e-mail", "mail")),
    ("uscc", ("信用代码", "uscc", "税号")),
    ("bank_card", ("银行卡", "卡号", "银行账号", "card")),
    ("plate", ("车牌", "plate")),
    ("phone", ("手机", "电话", "联系方式", "座机", "mobile", "phone", "tel", "cell")),
    ("name", ("姓名", "名字", "客户名", "联系人", "收件人", "收货人", "户名", "持卡人", "name", "contact")),
)
_WHITESPACE = re.compile(r"\s+")
SNIFF_SHARE = 0.8  # share of sampled values a kind must accept to claim a column


@cache
def _validators(kind: str) -> tuple[Callable[[str], str], ...]:
    from dlp.detectors import all_detectors

    by_name = {d.name: d.validate for d in all_detectors()}
    return tuple(by_name[n] for n in KIND_DETECTORS[kind] if n in by_name)


def normalise(kind: str, value: str) -> str | None:
    """The value as detectors report it, or None when it is empty or invalid."""
    if kind == "name":
        name = _WHITESPACE.sub("", unicodedata.normalize("NFKC", value))
        return name or None
    if not value.strip():
        return None
    for validate in _validators(kind):
        try:
            return validate(value)
        except (ValidationError, ValueError, IndexError, KeyError):
            continue
    return None


def kind_from_header(header: str) -> str | None:
    """The kind a header names (``联系电话`` -> ``phone``), or None."""
    text = unicodedata.normalize("NFKC", header).strip().lower()
    for kind, words in _HEADER_WORDS:
        if any(word in text for word in words):
            return kind
    return None


def kind_from_values(values: Sequence[str]) -> str | None:
    """The detector kind most of the non-empty sample values are valid for, or None.

    Names are never guessed from values (any short Chinese word looks like one):
    a name column is recognised by its header or named with ``--columns``.
    """
    sample = [v for v in values if v.strip()]
    if not sample:
        return None
    need = SNIFF_SHARE * len(sample)
    for kind in KIND_DETECTORS:
        if sum(normalise(kind, v) is not None for v in sample) >= need:
            return kind
    return None


def parse_column_specs(specs: Sequence[str]) -> dict[str, str | None]:
    """``["姓名", "手机=phone"]`` -> ``{"姓名": None, "手机": "phone"}`` (None: detect the kind)."""
    chosen: dict[str, str | None] = {}
    for spec in specs:
        name, eq, kind = spec.rpartition("=") if "=" in spec else (spec, "", "")
        name, kind = name.strip(), kind.strip().lower()
        if not name:
            raise ConfigError(f"empty column name in --columns {spec!r}")
        if eq and kind not in KINDS:
            raise ConfigError(f"unknown column kind {kind!r} in {spec!r}; kinds: {', '.join(KINDS)}")
        chosen[name] = kind if eq else None
    return chosen
