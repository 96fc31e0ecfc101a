"""Regenerate ``cn_regions.tsv`` from python-stdnum's ``stdnum/cn/loc.dat``.

Run ``python -m dlp.data.build_tables``. Every 6-digit administrative division code
that ever appears in loc.dat (any era) gets one line ``code<TAB>province county``;
the ``[start-end]`` validity markers are dropped and several names sharing a code are
joined with ``/``. The other tables in this package are maintained by hand.
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


def main() -> int:
    table = parse_loc_dat(loc_dat_text())
    OUTPUT.write_text(render(table), encoding="utf-8")
    print(f"wrote {len(table)} codes to {OUTPUT}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
