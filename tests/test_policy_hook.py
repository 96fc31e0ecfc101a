"""The pre-commit hook definition, and the command it runs, as pre-commit would call it."""

from __future__ import annotations

import random
import shlex
from pathlib import Path

from dlp import synthetic

REPO = Path(__file__).resolve().parent.parent


def hooks() -> list[dict[str, object]]:
    """The hook list: a YAML sequence of flat mappings with scalar values (no PyYAML needed)."""
    found: list[dict[str, object]] = []
    for raw in (REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8").splitlines():
        line = raw.split(" #")[0].rstrip()
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if line.startswith("- "):
            found.append({})
            line = "  " + line[2:]
        key, _, value = line.strip().partition(":")
        value = value.strip()
        found[-1][key] = {"true": True, "false": False}.get(value, value)
    return found


def test_hook_definition() -> None:
    (hook,) = hooks()
    assert hook["id"] == "dlp"
    assert hook["entry"] == "dlp scan --fail-on pii"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is True
    assert hook["name"] and hook["description"]


def test_the_hook_command_blocks_personal_data_only(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (hook,) = hooks()
    command = shlex.split(str(hook["entry"]))[1:]  # without the program name
    (tmp_path / "README.md").write_text("机密文件：这是说明。\n", encoding="utf-8")  # a signature, no PII
    (tmp_path / "app.py").write_text("print('hello')\n", encoding="utf-8")
    (tmp_path / "memo.txt").write_text(f"电话 {synthetic.mobile(random.Random(1))}\n", encoding="utf-8")
    assert cli([*command, "README.md", "app.py"], cwd=tmp_path).exit_code == 0
    run = cli([*command, "README.md", "memo.txt"], cwd=tmp_path)
    assert run.exit_code == 1 and "contains_pii" in run.out
