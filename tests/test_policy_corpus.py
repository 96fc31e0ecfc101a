"""Held-out style check of the default thresholds on a generated corpus.

Every file of hundreds of customer rows, in any layout, must be a
``customer_list``; no file with one to three personal values may be one; a file
without personal data gets no verdict or ``clean``. The corpus uses its own seed
and layouts that the thresholds were not tuned on.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from pathlib import Path

import pytest

from dlp import synthetic
from dlp.policy import CLEAN, CUSTOMER_LIST, Policy

SEED = 91731
REGIONS = synthetic.county_regions()
Row = dict[str, str]


def person(rng: random.Random) -> Row:
    area, number = synthetic.landline(rng)
    return {
        "name": synthetic.chinese_name(rng),
        "mobile": synthetic.mobile(rng),
        "id": synthetic.resident_id(rng, region=rng.choice(REGIONS)),
        "email": synthetic.email(rng),
        "plate": synthetic.plate(rng),
        "landline": f"{area}-{number}",
        "card": synthetic.bank_card(rng),
    }


def csv_utf8(rows: list[Row]) -> bytes:
    return ("姓名,手机,身份证号\n" + "".join(f"{r['name']},{r['mobile']},{r['id']}\n" for r in rows)).encode()


def csv_gb18030(rows: list[Row]) -> bytes:
    body = "".join(f"{r['name']},{r['mobile']},{r['email']},{r['plate']}\n" for r in rows)
    return ("客户姓名,联系电话,邮箱,车牌号\n" + body).encode("gb18030")


def csv_utf16(rows: list[Row]) -> bytes:
    return (
        "姓名\t座机\t手机\r\n" + "".join(f"{r['name']}\t{r['landline']}\t{r['mobile']}\r\n" for r in rows)
    ).encode("utf-16")


def tsv_contacts(rows: list[Row]) -> bytes:
    return "".join(f"{r['mobile']}\t{r['email']}\n" for r in rows).encode()


def jsonl(rows: list[Row]) -> bytes:
    return "".join(
        json.dumps({"name": r["name"], "mobile": r["mobile"], "id_card": r["id"]}) + "\n" for r in rows
    ).encode()


def json_pretty(rows: list[Row]) -> bytes:  # one record over several lines: caught by distinct values
    records = [{"客户": r["name"], "手机号": r["mobile"], "身份证": r["id"]} for r in rows]
    return json.dumps(records, ensure_ascii=False, indent=2).encode()


def markdown(rows: list[Row]) -> bytes:
    lines = ["| 姓名 | 手机 | 身份证 |", "| --- | --- | --- |"]
    lines += [
        f"| {r['name']} | {r['mobile'][:3]} {r['mobile'][3:7]} {r['mobile'][7:]} | {r['id']} |" for r in rows
    ]
    return ("\n".join(lines) + "\n").encode()


def html_table(rows: list[Row]) -> bytes:
    cells = "".join(
        f"<tr><td>{r['name']}</td><td>{r['mobile']}</td><td>{r['email']}</td></tr>\n" for r in rows
    )
    head = "<tr><th>姓名</th><th>手机</th><th>邮箱</th></tr>"
    return f"<html><body><table>\n{head}\n{cells}</table></body></html>\n".encode()


def phones_only(rows: list[Row]) -> bytes:
    return "".join(f"{r['mobile']}\n" for r in rows).encode()


def bank_export(rows: list[Row]) -> bytes:
    return (
        "户名,银行卡号,身份证号\n" + "".join(f"{r['name']},{r['card']},{r['id']}\n" for r in rows)
    ).encode()


def crm_log(rows: list[Row]) -> bytes:
    lines = [
        f"2024-03-{i % 28 + 1:02d} 10:{i % 60:02d} 新增客户 手机={r['mobile']} 邮箱={r['email']}"
        for i, r in enumerate(rows)
    ]
    return ("\n".join(lines) + "\n").encode()


LISTS: dict[str, Callable[[list[Row]], bytes]] = {
    "客户.csv": csv_utf8,
    "客户_gbk.csv": csv_gb18030,
    "通讯录.txt": csv_utf16,
    "contacts.tsv": tsv_contacts,
    "export.jsonl": jsonl,
    "export.json": json_pretty,
    "名单.md": markdown,
    "list.html": html_table,
    "phones.txt": phones_only,
    "bank.csv": bank_export,
    "crm.log": crm_log,
}


def small_files(rng: random.Random) -> dict[str, str]:
    a, b, c = person(rng), person(rng), person(rng)
    prose = synthetic.prose(rng, 300)
    return {
        "合同.txt": f"{prose}\n甲方联系人电话：{a['landline']}。\n{prose}\n",
        "签名.txt": f"此致\n张经理\n手机 {a['mobile']}  邮箱 {a['email']}\n",
        "聊天.txt": f"{prose}\n明天下午打我电话{b['mobile']}。\n",
        "报销.txt": f"{prose}\n报销人身份证号：{c['id']}\n银行卡号：{c['card']}\n联系电话 {c['mobile']}\n",
        "车辆.txt": f"车牌 {b['plate']} 的车今天进场。\n{prose}\n",
    }


def clean_files(rng: random.Random) -> dict[str, str]:
    products = "\n".join(
        f"SKU{rng.randint(10000, 99999)},产品{i},{rng.randint(1, 999)}.{rng.randint(0, 99):02d}"
        for i in range(300)
    )
    return {
        "会议纪要.txt": synthetic.prose(rng, 3000),
        "products.csv": "编号,名称,价格\n" + products + "\n",
        "script.py": "def total(items):\n    return sum(i.price for i in items)  # 2024-03-01\n" * 50,
        "日程.txt": "\n".join(
            f"2024-0{m}-1{d} 会议 {synthetic.prose(rng, 30)}" for m in range(1, 10) for d in range(10)
        ),
    }


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    rng = random.Random(SEED)
    root = tmp_path_factory.mktemp("held-out")
    expected: dict[str, str] = {}
    for name, layout in LISTS.items():
        rows = [person(rng) for _ in range(rng.randint(100, 400))]
        (root / name).write_bytes(layout(rows))
        expected[name] = "list"
    for name, text in small_files(rng).items():
        (root / name).write_text(text, encoding="utf-8")
        expected[name] = "small"
    for name, text in clean_files(rng).items():
        (root / name).write_text(text, encoding="utf-8")
        expected[name] = "clean"
    return root, expected


def test_held_out_corpus_verdicts(make_scanner, corpus: tuple[Path, dict[str, str]]) -> None:  # type: ignore[no-untyped-def]
    root, expected = corpus
    scanner = make_scanner(reveal=False)
    policy = Policy()
    verdicts: dict[str, str] = {}
    values: dict[str, int] = {}
    for result in scanner.scan_paths([root]):
        assert result.complete, result.problems
        for verdict in policy.evaluate(result):
            name = Path(verdict.path).name
            verdicts[name] = verdict.verdict
            values[name] = sum(verdict.counts.values())
    for name, kind in expected.items():
        if kind == "list":
            assert verdicts.get(name) == CUSTOMER_LIST, (name, verdicts.get(name))
        elif kind == "small":
            assert 1 <= values[name] <= 3, (name, values[name])
            assert verdicts[name] != CUSTOMER_LIST, name
        else:
            assert verdicts.get(name, CLEAN) == CLEAN, (name, verdicts.get(name))
