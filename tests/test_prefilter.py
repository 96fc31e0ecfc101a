"""Signature prefilter: which rule files get literal triggers, and that prefiltered
signatures still report exactly what YARA alone reports."""

from __future__ import annotations

from pathlib import Path

import pytest
import yara

import dlp
from dlp.engine.prefilter import Trigger, triggers
from dlp.engine.rules import signature_files

ROOT = Path(__file__).resolve().parent.parent


def test_shipped_rules_are_prefiltered() -> None:
    found = triggers((ROOT / "signatures" / "document_markers.yar").read_text(encoding="utf-8"))
    assert found is not None
    rules = {t.rule for t in found}
    assert rules == {"dlp_marker_confidential", "dlp_marker_customer_list"}
    assert Trigger("dlp_marker_confidential", "绝密".encode(), False) in found
    assert Trigger("dlp_marker_customer_list", b"customer list", True) in found


def test_modifiers_escapes_comments_and_one_line_rules() -> None:
    source = (
        'rule a : tag1 tag2 { meta: note = "}" strings: $a = "x}" // }\n condition: any of them }\n'
        "/* rule hidden { condition: true } */\n"
        'private rule b { strings: $b = "y\\x41\\"" fullword $c = "Q" wide ascii nocase '
        "condition: ($b and $c) or all of ($b*) }"
    )
    assert triggers(source) == (
        Trigger("a", b"x}", False),
        Trigger("b", b'yA"', False),
        Trigger("b", b"Q", True),
        Trigger("b", b"Q\x00", True),
    )


def test_wide_only_string_triggers_on_utf16() -> None:
    assert triggers('rule w { strings: $a = "ab" wide condition: $a }') == (
        Trigger("w", b"a\x00b\x00", False),
    )


@pytest.mark.parametrize(
    "source",
    [
        'rule a { strings: $a = "x" condition: $a and filesize > 3 }',  # filesize
        'rule a { strings: $a = "x" condition: $a at 0 }',  # offset
        'rule a { strings: $a = "x" condition: #a > 2 }',  # count
        'rule a { strings: $a = "x" condition: not $a }',  # negation
        'rule a { strings: $a = "x" condition: 0 of them }',  # true with no string
        'rule a { strings: $a = "x" condition: $a or 1 }',  # a constant
        "rule a { condition: true }",  # no strings at all
        "rule a { strings: $a = {41 42} condition: $a }",  # hex string
        "rule a { strings: $a = /ab+/ condition: $a }",  # regex string
        'rule a { strings: $a = "x" xor condition: $a }',  # xor modifier
        'rule a { strings: $a = "\\u0041" condition: $a }',  # an escape the reader does not know
        'import "pe"\nrule a { strings: $a = "x" condition: $a }',  # modules
        'rule a { strings: $a = "x" condition: $a }\nglobal rule b { strings: $b = "y" condition: $b }',
        'rule a { strings: $a = "x" condition: $a }\nrule b { condition: a }',  # rule reference
        "",  # no rules
    ],
)
def test_files_that_run_unfiltered(source: str) -> None:
    assert triggers(source) is None


USER_RULES = """
rule project_falcon
{
    strings:
        $a = "Project Falcon" nocase
        $b = "猎鹰计划"
    condition:
        any of them
}
"""

UNFILTERED_RULES = """
rule any_file_over_ten_bytes
{
    condition:
        filesize > 10
}
"""


def _signature_hits(tmp_path: Path, rules: Path, data: bytes, chunk: int) -> list[tuple]:
    config = dlp.ScanConfig(
        key=b"prefilter-test-key",
        cache_dir=tmp_path / "cache",
        rule_dirs=(rules,),
        chunk_size=chunk,
    )
    result = dlp.Scanner(config).scan_bytes(data)
    return sorted((f.detector, f.location.offset) for f in result.findings if f.detector.startswith("yara:"))


def _yara_alone(rules: Path, data: bytes) -> list[tuple]:
    """Each rule's first match over the whole input, by YARA without any prefilter."""
    sources = {f"user_{p.stem}": p.read_text(encoding="utf-8") for p in sorted(rules.glob("*.yar"))}
    for rule_file in signature_files(()):
        sources[rule_file.namespace] = rule_file.source
    found = []
    for match in yara.compile(sources=sources).match(data=data):
        offsets = [i.offset for s in match.strings for i in s.instances]
        found.append((f"yara:{match.rule}", min(offsets, default=0)))
    return sorted(found)


@pytest.mark.parametrize("chunk", [1 << 16, 1 << 20])
def test_prefiltered_signatures_match_yara(tmp_path: Path, chunk: int) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "falcon.yar").write_text(USER_RULES, encoding="utf-8")
    (rules / "size.yar").write_text(UNFILTERED_RULES, encoding="utf-8")
    filler = "今天下午开会讨论方案，".encode() * 20_000  # about 600 KB of prose
    data = (
        filler
        + "这是PROJECT FALCON的资料".encode()
        + filler
        + "猎鹰计划 内部资料 严禁外传".encode()
        + filler
        + "客户名单".encode()
    )
    found = _signature_hits(tmp_path, rules, data, chunk)
    assert found == _yara_alone(rules, data)
    detectors = [d for d, _ in found]
    assert detectors.count("yara:project_falcon") == 1  # once per input, at its first place
    assert {"yara:dlp_marker_confidential", "yara:dlp_marker_customer_list"} <= set(detectors)
    assert "yara:any_file_over_ten_bytes" in detectors  # runs although it has no literal


def test_prefiltered_rule_absent_when_its_strings_are(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "falcon.yar").write_text(USER_RULES, encoding="utf-8")
    data = "项目进展顺利，联系人张三。".encode() * 1000
    assert _signature_hits(tmp_path, rules, data, 1 << 16) == []
    assert _yara_alone(rules, data) == []
