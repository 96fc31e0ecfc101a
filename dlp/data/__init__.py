"""Lookup tables shipped with ``dlp`` (region codes, area codes, mobile prefixes).

Each table is a UTF-8 TSV file next to this module: ``#`` starts a comment line,
the first column is the key, the second a human-readable description. The files
are data, not code: ``python -m dlp.data.build_tables`` regenerates the ones that
are derived from other packages (see that module), and the others are edited by
hand with a source noted in their header.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from importlib.resources import files
from types import MappingProxyType


@cache
def load_table(name: str) -> Mapping[str, str]:
    """Return the table ``name`` (file ``<name>.tsv``) as a read-only mapping."""
    text = files(__name__).joinpath(f"{name}.tsv").read_text(encoding="utf-8")
    table: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, _, rest = line.partition("\t")
        table[key.strip()] = rest.split("\t", 1)[0].strip()
    return MappingProxyType(table)
