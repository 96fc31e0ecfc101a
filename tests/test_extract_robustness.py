"""Damaged files of every format: never an exception, never a value in an error message.

Each fixture is truncated, overwritten and cut at seeded random places; every
variant must give a result (findings and/or problem records), like
python-stdnum's robustness test for validators.
"""

from __future__ import annotations

import gzip
import json
import random

import benchmark_modules
import pytest

import dlp

docs = benchmark_modules.load("accuracy_documents")
MOBILE = "13812345678"  # shape of a value only: the scanner is checked not to echo it in messages


def _fixtures() -> dict[str, bytes]:
    line = f"手机,{MOBILE}\n".encode()
    return {
        "xlsx": docs.xlsx_bytes([("s", [["手机"], [int(MOBILE)]], "visible")]),
        "docx": docs.docx_bytes([["手机 ", MOBILE]], table=[["a", "b"]], header="h", textbox="t"),
        "pptx": docs.pptx_bytes([[f"手机 {MOBILE}"]]),
        "pdf": docs.pdf_bytes([[f"手机 {MOBILE}"]] * 3),
        "eml": docs.eml_bytes(
            sender="a@example.com",
            to="b@example.com",
            subject="s",
            body=f"手机 {MOBILE}",
            html="<p>x</p>",
            attachments=[("a.zip", docs.zip_bytes({"c.csv": line}))],
        ),
        "zip": docs.zip_bytes({"a.csv": line, "b.zip": docs.zip_bytes({"c.csv": line})}),
        "tgz": docs.tar_gz_bytes({"a.csv": line}),
        "gz": gzip.compress(line * 100),
        "xls": docs.xls_bytes([("s", [["手机"], [float(MOBILE)]], False)]),
        "msg": docs.ole_bytes({"__substg1.0_1000001F": f"手机 {MOBILE}".encode("utf-16-le")}),
        "html": f"<!DOCTYPE html><html><body><p>手机&nbsp;{MOBILE}</p><!-- c --></body></html>".encode(),
        "json": json.dumps({"手机": MOBILE, "l": [1, {"a": "\u1234"}]}).encode(),
        "xml": f'<?xml version="1.0"?><r a="{MOBILE}"><![CDATA[x]]></r>'.encode(),
        "zipcrypto": docs.zipcrypto_bytes({"a.csv": line}, b"pw"),
    }


FIXTURES = _fixtures()


@pytest.fixture(scope="module")
def scanner(tmp_path_factory: pytest.TempPathFactory) -> dlp.Scanner:
    cache = tmp_path_factory.mktemp("cache")
    return dlp.Scanner(dlp.ScanConfig(key=b"test-key-robust-0123456789", cache_dir=cache))


def _damaged(data: bytes, rng: random.Random, how: int) -> bytes:
    out = bytearray(data)
    if how == 0:
        return bytes(out[: rng.randrange(1, len(out))])
    if how == 1:
        for _ in range(rng.randint(1, 20)):
            out[rng.randrange(len(out))] = rng.randrange(256)
        return bytes(out)
    start = rng.randrange(len(out))
    del out[start : start + rng.randint(1, 200)]
    return bytes(out)


@pytest.mark.parametrize("kind", sorted(FIXTURES))
def test_damaged_files_give_records_not_exceptions(scanner: dlp.Scanner, kind: str) -> None:
    rng = random.Random(kind)
    intact = scanner.scan_bytes(FIXTURES[kind], name=f"intact.{kind}")
    assert intact.findings and not [p for p in intact.problems if p.reason == "corrupt"]
    for trial in range(12):
        result = scanner.scan_bytes(_damaged(FIXTURES[kind], rng, trial % 3), name=f"damaged.{kind}")
        for problem in result.problems:
            assert MOBILE not in problem.message
            assert problem.reason in {"corrupt", "binary", "decode_errors", "limit_ratio", "encrypted"}
