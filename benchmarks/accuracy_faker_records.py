"""Recall and precision of ``cn_name`` and ``cn_address`` on a corpus from Faker ``zh_CN``.

A third-party generator's names (Faker's surname and given-name lists) and addresses
(a real province, made-up cities and streets) in three shapes:

- ``list``: a CSV ``姓名,手机,地址`` (every name and address should be found);
- ``labelled``: Faker prose with sentences such as ``联系人：{name}，电话{phone}，收货地址：{address}。``
  and the forms ``收件人{name}电话…``, ``客户姓名 {name} 已签收``, ``户名为{name}。``;
- ``unlabelled``: Faker prose with names and addresses in it but no label (nothing of
  these two kinds should be found: every finding there counts against precision).

A finding is right when its value is a planted name, or a planted address without its
postcode. Usage: ``python benchmarks/accuracy_faker_records.py [--rows 500] [--seed 16]``.
"""

from __future__ import annotations

import argparse
import random
from collections import Counter

from faker import Faker

import dlp

KINDS = ("cn_name", "cn_address")


def _address(fake: Faker) -> str:
    return fake.address().split(" ")[0]  # Faker appends a postcode after a space


def build(rows: int, seed: int) -> dict[str, tuple[str, set[str], set[str]]]:
    """Per shape: the text, its planted names and its planted addresses."""
    Faker.seed(seed)
    fake = Faker("zh_CN")
    rng = random.Random(seed)
    people = [(fake.name(), fake.phone_number(), _address(fake)) for _ in range(rows)]
    csv = "姓名,手机,地址\n" + "".join(f"{n},{p},{a}\n" for n, p, a in people)
    forms = (
        "联系人：{n}，电话{p}，收货地址：{a}。",
        "收件人{n}电话{p}，地址{a}。",
        "客户姓名 {n} 已签收，家庭住址为{a}。",
        "户名为{n}。联系地址：{a}",
    )
    labelled, unlabelled = [], []
    for n, p, a in people:
        labelled.append(fake.paragraph() + rng.choice(forms).format(n=n, p=p, a=a) + "\n")
        unlabelled.append(fake.paragraph() + f"{n}昨天去了{a}附近，电话{p}。" + "\n")
    names = {n for n, _, _ in people}
    addresses = {a for _, _, a in people}
    return {
        "list": (csv, names, addresses),
        "labelled": ("".join(labelled), names, addresses),
        "unlabelled": ("".join(unlabelled), set(), set()),
    }


def measure(rows: int, seed: int) -> dict[str, dict[str, float]]:
    scanner = dlp.Scanner(dlp.ScanConfig(reveal=True, key=b"benchmark-key-not-secret"))
    planted: Counter[str] = Counter()
    right: Counter[str] = Counter()
    found: Counter[str] = Counter()
    for text, names, addresses in build(rows, seed).values():
        truth = {"cn_name": names, "cn_address": addresses}
        seen: dict[str, set[str]] = {k: set() for k in KINDS}
        for f in scanner.scan_text(text).findings:
            if f.detector in KINDS:
                found[f.detector] += 1
                if f.value in truth[f.detector]:
                    right[f.detector] += 1
                    seen[f.detector].add(f.value or "")
        for kind in KINDS:
            planted[kind] += len(truth[kind])
            # recall per distinct planted value (Faker repeats some names)
            right[kind + ":distinct"] += len(seen[kind] & truth[kind])
    return {
        kind: {
            "planted": planted[kind],
            "found": found[kind],
            "recall": right[kind + ":distinct"] / planted[kind] if planted[kind] else 1.0,
            "precision": right[kind] / found[kind] if found[kind] else 1.0,
        }
        for kind in KINDS
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=500)
    parser.add_argument("--seed", type=int, default=16)
    args = parser.parse_args()
    for kind, m in measure(args.rows, args.seed).items():
        print(
            f"{kind}: planted {m['planted']} (distinct), found {m['found']}, "
            f"recall {m['recall']:.4f}, precision {m['precision']:.4f}"
        )


if __name__ == "__main__":
    main()
