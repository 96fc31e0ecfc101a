"""Exact data match (EDM) against the company's customer master.

``dlp edm build customers.csv --out customers.edm`` turns a master (CSV or
xlsx with a header row) into an index of keyed hashes (:mod:`dlp.edm.build`,
format in :mod:`dlp.edm.format`); ``dlp scan --edm customers.edm`` reports
every validated value, and names next to it, that belong to a registered
customer (:mod:`dlp.edm.match`). The index holds no value in plaintext and is
useless without the deployment key it was built with.
"""

from __future__ import annotations

from dlp.edm.build import BuildReport, build_index
from dlp.edm.format import Column
from dlp.edm.index import EdmIndex

__all__ = ["BuildReport", "Column", "EdmIndex", "build_index"]
