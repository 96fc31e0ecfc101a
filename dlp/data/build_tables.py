"""Regenerate ``cn_regions.tsv`` and ``cn_region_names.tsv`` from python-stdnum's
``stdnum/cn/loc.dat``.

Run ``python -m dlp.data.build_tables``. Every 6-digit administrative division code
that ever appears in loc.dat (any era) gets one line ``code<TAB>province county``;
the ``[start-end]`` validity markers are dropped and several names sharing a code are
joined with ``/``. ``cn_region_names.tsv`` maps the names an address starts with to
the first code that bears them: province, prefecture and county names, province +
prefecture (广东省广州市), and the short forms of province and prefecture names
(广东, 广州, 内蒙古). The other tables in this package are maintained by hand.
"""

from __future__ import annotations

import re
import sys
from importlib.resources import files
from pathlib import Path

import stdnum

_LINE = re.compile(r"^(?P<indent>\s*)(?P<code>\d+)\s+(?P<attrs>.*)$")
_ATTR = re.compile(r'(\w+)="([^"]*)"')
_PERIOD = re.compile(r"^\[\d*-\d*\]")
OUTPUT = Path(__file__).with_name("cn_regions.tsv")
NAMES_OUTPUT = Path(__file__).with_name("cn_region_names.tsv")
# Suffixes of province-level names, longest first (广西壮族自治区 -> 广西).
_PROVINCE_SUFFIXES = ("壮族自治区", "回族自治区", "维吾尔自治区", "特别行政区", "自治区", "省", "市")
_PLACEHOLDERS = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})


def loc_dat_text() -> str:
    """Return the text of the installed python-stdnum ``cn/loc.dat``."""
    return files("stdnum").joinpath("cn", "loc.dat").read_text(encoding="utf-8")


def _names(value: str) -> list[str]:
    """Split ``[-1991]东郊区,[1992-]东丽区`` into plain names, in order, deduplicated."""
    names: list[str] = []
    for part in re.split(r",(?=\[)", value):
        name = _PERIOD.sub("", part.strip()).strip()
        if name and name not in names:
            names.append(name)
    return names


def parse_loc_dat(text: str) -> dict[str, str]:
    """Map each 6-digit code to ``province county`` (or just the province)."""
    provinces: dict[str, str] = {}
    counties: dict[str, list[str]] = {}
    prefix = ""
    for raw in text.splitlines():
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        match = _LINE.match(raw)
        if match is None:
            raise ValueError(f"unexpected loc.dat line: {raw!r}")
        attrs = dict(_ATTR.findall(match["attrs"]))
        if not match["indent"]:
            prefix = match["code"]
            provinces[prefix] = attrs.get("province", "")
            continue
        code = prefix + match["code"]
        if len(code) != 6:
            raise ValueError(f"not a 6-digit code: {code!r} in {raw!r}")
        names = counties.setdefault(code, [])
        names.extend(n for n in _names(attrs.get("county", "")) if n not in names)
    table: dict[str, str] = {}
    for prov_code, province in provinces.items():
        table[prov_code + "0000"] = province
    for code, names in counties.items():
        province = provinces[code[:2]]
        county = "/".join(names)
        table[code] = province if county in ("", province) else f"{province} {county}"
    return dict(sorted(table.items()))


def render(table: dict[str, str]) -> str:
    """Render the table as the TSV file text, header comments included."""
    header = [
        "# cn_regions.tsv - Chinese administrative division codes (GB/T 2260), any era.",
        f"# Source: python-stdnum {stdnum.__version__} stdnum/cn/loc.dat (itself from the",
        "# zh.wikipedia lists of 中华人民共和国行政区划代码). Historical codes are kept;",
        "# [start-end] year markers are stripped and names sharing a code joined with '/'.",
        "# Generated file - do not edit. Rebuild: python -m dlp.data.build_tables",
        "# Columns: code<TAB>province county",
    ]
    return "\n".join([*header, *(f"{c}\t{n}" for c, n in table.items())]) + "\n"


def _short(name: str, suffixes: tuple[str, ...]) -> str:
    for suffix in suffixes:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return ""


def region_names(table: dict[str, str]) -> dict[str, str]:
    """Map each name an address may start with to the first code bearing it."""
    names: dict[str, str] = {}

    def add(name: str, code: str) -> None:
        if len(name) >= 2 and name not in _PLACEHOLDERS:
            names.setdefault(name, code)

    for code, text in table.items():
        province, _, counties = text.partition(" ")
        add(province, code[:2] + "0000")
        add(_short(province, _PROVINCE_SUFFIXES), code[:2] + "0000")
        for county in counties.split("/") if counties else ():
            add(county, code)
            if code.endswith("00"):  # a prefecture
                add(province + county, code)
                add(_short(county, ("市", "地区", "盟")), code)
    return dict(sorted(names.items()))


def render_names(names: dict[str, str]) -> str:
    header = [
        "# cn_region_names.tsv - names of Chinese administrative divisions (GB/T 2260), any era:",
        "# province, prefecture and county names, province + prefecture, and the short forms",
        "# of province and prefecture names, each with the first code that bears it.",
        f"# Source: python-stdnum {stdnum.__version__} stdnum/cn/loc.dat, as cn_regions.tsv.",
        "# Generated file - do not edit. Rebuild: python -m dlp.data.build_tables",
        "# Columns: name<TAB>code",
    ]
    return "\n".join([*header, *(f"{n}\t{c}" for n, c in names.items())]) + "\n"


def main() -> int:
    table = parse_loc_dat(loc_dat_text())
    OUTPUT.write_text(render(table), encoding="utf-8")
    names = region_names(table)
    NAMES_OUTPUT.write_text(render_names(names), encoding="utf-8")
    print(f"wrote {len(table)} codes to {OUTPUT}, {len(names)} names to {NAMES_OUTPUT}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
