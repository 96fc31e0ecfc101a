"""Packaging: the public surface, package data, and the dlp.agents / dlp.signatures mapping."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import types
from importlib.resources import files
from pathlib import Path

import pytest
import yara

import dlp

RULE_META = ("id", "description", "severity", "reference", "date")


def python_in(cwd: Path, code: str) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter whose working folder is ``cwd`` (repo not on sys.path)."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    return subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def test_dlp_agents_and_signatures_import_from_anywhere(tmp_path: Path) -> None:
    done = python_in(
        tmp_path,
        "import dlp.agents, dlp.signatures\n"
        "from importlib.resources import files\n"
        "root = files('dlp.signatures')\n"
        "assert any(e.name.endswith('.yar') for e in root.iterdir())\n"
        "assert any(e.name.endswith('.txt') for e in root.joinpath('keywords').iterdir())\n"
        "print('ok')\n",
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


@pytest.mark.parametrize("name", ["agents", "signatures"])
def test_bare_top_level_names_are_not_importable(tmp_path: Path, name: str) -> None:
    done = python_in(tmp_path, f"import {name}")
    assert done.returncode != 0
    assert "ModuleNotFoundError" in done.stderr


def test_signatures_package_data() -> None:
    root = files("dlp.signatures")
    names = {entry.name for entry in root.iterdir()}
    assert any(n.endswith(".yar") for n in names)
    keywords = {entry.name for entry in root.joinpath("keywords").iterdir()}
    wanted = {"bank.txt", "customer.txt", "email.txt", "id.txt", "phone.txt", "plate.txt", "uscc.txt"}
    assert wanted <= keywords
    import dlp.agents

    assert isinstance(dlp.agents, types.ModuleType)


def test_dunder_all_matches_the_public_members() -> None:
    public = {
        name
        for name, member in vars(dlp).items()
        if not name.startswith("_") and not isinstance(member, types.ModuleType) and name != "annotations"
    }
    assert len(dlp.__all__) == len(set(dlp.__all__))
    assert set(dlp.__all__) == public | {"__version__"}
    for name in dlp.__all__:
        assert getattr(dlp, name) is not None


def test_version_matches_the_distribution() -> None:
    from importlib.metadata import version

    assert dlp.__version__ == version("dlp")


def _rule_files() -> list[Path]:
    root = files("dlp.signatures")
    return sorted(Path(str(e)) for e in root.iterdir() if e.name.endswith((".yar", ".yara")))


@pytest.mark.parametrize("path", _rule_files(), ids=lambda p: p.name)
def test_shipped_rules_compile_without_warnings_and_carry_meta(path: Path) -> None:
    rules = yara.compile(filepath=str(path), error_on_warning=True)
    seen = list(rules)
    assert seen
    for rule in seen:
        for key in RULE_META:
            assert str(rule.meta.get(key, "")).strip(), (rule.identifier, key)
        assert rule.meta["severity"] in ("low", "medium", "high")
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", rule.meta["date"])
        assert re.fullmatch(r"[A-Z]+(-[A-Z]+)*-\d{4}", rule.meta["id"])


def test_rule_ids_are_unique() -> None:
    ids = [rule.meta["id"] for path in _rule_files() for rule in yara.compile(filepath=str(path))]
    assert len(ids) == len(set(ids))


def _keyword_files() -> list[Path]:
    return sorted(
        Path(str(e))
        for e in files("dlp.signatures").joinpath("keywords").iterdir()
        if e.name.endswith(".txt")
    )


@pytest.mark.parametrize("path", _keyword_files(), ids=lambda p: p.name)
def test_keyword_lists_are_non_empty_without_duplicates(path: Path) -> None:
    words = [w.strip() for w in path.read_text(encoding="utf-8").splitlines()]
    words = [w for w in words if w and not w.startswith("#")]
    assert words
    folded = [w.lower() for w in words]  # keywords match case-insensitively
    assert len(folded) == len(set(folded)), sorted({w for w in folded if folded.count(w) > 1})
    assert all(w == w.strip() and "\t" not in w for w in words)


def test_every_context_category_has_a_keyword_list() -> None:
    from dlp.detectors import all_detectors

    lists = {p.stem for p in _keyword_files()}
    for detector in all_detectors():
        assert set(detector.context) <= lists, detector.name
