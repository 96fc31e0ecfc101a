#!/usr/bin/env python3
"""Write the seed corpora of the fuzz targets (synthetic values only).

A `scan` input is a 13-byte prefix and the buffer (see fuzz_targets/scan.rs):
header bits (u64 LE), a flags byte, emit_from and emit_to (u16 LE each).

    python fuzz/make_corpus.py
"""

from __future__ import annotations

import struct
from pathlib import Path

HERE = Path(__file__).resolve().parent

# Every value is synthetic: checksummed test numbers, example.com addresses.
TEXTS = {
    "resident_id": "身份证号：11010519491231002X\n姓名 张三\n",
    "resident_id2": "证件号码 440306198507151231，有效期至2030年。\n",
    "mobile": "手机：13812345678；电话 138-1234-5678；138 1234 5678\n",
    "landline": "联系电话 (021)87654321 转 123，传真 010-12345678\n",
    "email": "邮箱: zhang.san@example.com, logo@2x.png\n",
    "plate": "车牌号 粤B·D12345，京A12345，沪C1234学\n",
    "bank": "银行卡号 6222021234567890128 开户行 工商银行\n",
    "fullwidth": "手机：１３８１２３４５６７８　电话（０２１）８７６５４３２１\n",
    "intl": "Tel +86 138 1234 5678 / 0086-13912345678 / (+86)13812345678\n",
    "uscc": "统一社会信用代码 91350100M000100Y43\n",
    "legacy": "旧身份证 110105491231002 客户\n",
    "csv": "name,phone,id,email\n张三,13812345678,11010519491231002X,zhang.san@example.com\n"
    "李四,13800138001,440306198507151231,li.si@example.cn\n",
    "allow": "test 13800138005 and 13900139000 and 13912345678\n",
    "signature": "本文件为机密文件，商业秘密，严禁外传。\n",
}

FULL = 0x01  # flags bit 0: emit range (0, usize::MAX)

# `scan` inputs that once failed, replayed by every run (see README.md, "Findings").
# An e-mail address whose local part was masked already was reported with a mask
# equal to its value: minimised (10 bytes, so all buffer) and as found.
REGRESSIONS = {
    "regress_self_masked_email": b"\x00l***@2.pn",
    "regress_self_masked_email_found": (
        b"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xeaZ\x00name,ph\xe7\x94\xb5\xe8\xaf\x9d950\xe6\x88"
        b"l***@2x.ppng\xb7\xe5\x90\x8d2X,zhang.san@example.com\n\xe6\x9d\x8e\xe5\x9b\x9b,"
        b"138001380\x9a1101051.si@example.cn\n"
    ),
}


def prefix(header: int = 0, flags: int = FULL, lo: int = 0, hi: int = 0) -> bytes:
    return struct.pack("<QBHH", header, flags, lo, hi)


def main() -> None:
    scan = HERE / "corpus" / "scan"
    fold = HERE / "corpus" / "fold"
    scan.mkdir(parents=True, exist_ok=True)
    fold.mkdir(parents=True, exist_ok=True)
    for name, text in TEXTS.items():
        data = text.encode("utf-8")
        (scan / name).write_bytes(prefix() + data)
        (fold / name).write_bytes(data)
    csv = TEXTS["csv"].encode("utf-8")
    # header context on, reveal + member + origin flags, a partial emit range
    (scan / "csv_header").write_bytes(prefix(header=0x7F, flags=FULL | 0x02 | 0x08 | 0x10 | 0x20) + csv)
    (scan / "csv_range").write_bytes(prefix(flags=0x00, lo=20, hi=90) + csv)
    (scan / "gbk_bytes").write_bytes(prefix() + "手机 13812345678".encode("gbk"))
    for name, data in REGRESSIONS.items():
        (scan / name).write_bytes(data)


if __name__ == "__main__":
    main()
