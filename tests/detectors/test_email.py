"""email: e-mail addresses, lower-cased; file names that look like addresses are not."""

from __future__ import annotations

import random

import pytest

from dlp import synthetic
from dlp.detectors.email import DETECTOR

DET = "email"


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("zhang.san@example.com", "zhang.san@example.com"),
        ("Zhang.San@Example.COM", "zhang.san@example.com"),
        ("li.si+crm@corp.example.cn", "li.si+crm@corp.example.cn"),
        ("wang_wu-1@sub.example.org", "wang_wu-1@sub.example.org"),
        ("x%y@example.com.cn", "x%y@example.com.cn"),
        ("90203918@qq.example", "90203918@qq.example"),
    ],
)
@pytest.mark.parametrize(
    ("before", "after"), [("发件人 ", "。"), ("<", ">"), ("mailto:", "?subject=1"), ("（", "）")]
)
def test_written_forms(find, written: str, value: str, before: str, after: str) -> None:
    text = f"{before}{written}{after}"
    [found] = find(text)
    assert (found.detector, found.value, found.index) == (DET, value, text.index(written))
    local, domain = value.split("@")
    assert found.masked == f"{local[0]}***@{domain}"


def test_a_full_stop_after_the_address_is_not_part_of_it(find) -> None:
    text = "请发到 zhao@example.com."
    assert [(f.value, f.index) for f in find(text)] == [("zhao@example.com", 4)]


def test_synthetic_addresses(find) -> None:
    rng = random.Random(41)
    addresses = [synthetic.email(rng) for _ in range(60)]
    text = "；".join(f"用户{i}：{a}" for i, a in enumerate(addresses))
    found = find(text, DET)
    assert [f.value for f in found] == [a.lower() for a in addresses]
    assert [f.index for f in found] == [text.index(a) for a in addresses]


@pytest.mark.parametrize(
    "decoy",
    [
        "logo@2x.png",  # retina image names
        "icon@3x.jpg",
        "app@1.2.3.js",
        "user@localhost",  # no dotted domain
        "a..b@example.com",
        ".zhao@example.com",
        "zhao.@example.com",
        "@example.com",
        "zhao@",
        "zhao@-example.com",
        "zhao@example.c",
        "zhao@example.123",
        "汉字@qq.com",  # local part must be ASCII
        "v1.2@3.4",
    ],
)
def test_decoys_are_not_findings(find, decoy: str) -> None:
    assert find(f"邮箱 {decoy} 。", DET) == []


def test_context_word_raises_confidence(find) -> None:
    address = "zhao@example.com"
    assert [f.confidence for f in find(f"编号 {address}")] == [DETECTOR.base_confidence]
    assert [f.confidence for f in find(f"电子邮箱：{address}")] == [DETECTOR.context_confidence]
    assert [f.confidence for f in find(f"E-mail: {address}")] == [DETECTOR.context_confidence]
    assert [f.confidence for f in find(f"备注\n邮箱{' ' * 100}{address}")] == [DETECTOR.base_confidence]
    assert DETECTOR.context_confidence > DETECTOR.base_confidence


def test_validate() -> None:
    assert DETECTOR.validate(" Zhang.San@Example.COM ") == "zhang.san@example.com"
    for bad in ("", "a@b", "a@b.png", "a b@example.com", "ä@example.com", "a@exa_mple.com"):
        assert not DETECTOR.is_valid(bad)


@pytest.mark.parametrize(
    ("address", "valid"),
    [
        ("a@" + "b" * 63 + ".com", True),  # a 63-character label
        ("a@" + "b" * 64 + ".com", False),  # 64 is one too many
        ("a@b-c.example.com", True),
        ("a@b-.example.com", False),  # a label may not end with a hyphen
        ("a@example.-com", False),
        ("a@example..com", False),
        ("a" * 64 + "@example.com", True),
        ("a" * 65 + "@example.com", False),
        ("a!#$&*^~%+-_.b@example.com", True),  # every allowed local-part character
        ("a=b@example.com", False),
        ("a@example.png", False),  # a file name
        ("z***@example.com", False),  # masked already: its mask would be itself
        ("z*@example.com", True),  # one star is a local-part character
        ("A@EXAMPLE.COM", True),
    ],
)
def test_validator_edges(address: str, valid: bool) -> None:
    assert DETECTOR.is_valid(address) is valid


def test_an_address_masked_already_is_not_reported(find) -> None:
    # Found by fuzzing the core: the mask of "l***@x.cn" is the value itself.
    assert find("导出的邮箱 l***@example.cn 已脱敏") == []
