"""``dlp agent`` argument and ``--config`` handling (in-process; the agent is never started here)."""

from __future__ import annotations

import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from test_agent_support import TOKEN, write_tokens

from dlp.agents.cli import AGENT_OPTIONS, agent
from dlp.cli import main

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

EXAMPLE = Path(__file__).resolve().parent.parent / "agents" / "agent.example.toml"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["agent", *args])
    return result.exit_code, result.output + (result.stderr if result.stderr_bytes else "")


def test_agent_and_collector_commands_are_registered() -> None:
    assert {"agent", "collector"} <= set(main.commands)
    assert set(main.commands["collector"].commands) == {"serve", "query"}  # type: ignore[attr-defined]


def test_every_setting_of_the_example_config_is_an_option() -> None:
    options = {p.name for p in agent.params if isinstance(p, click.Option)}
    assert set(AGENT_OPTIONS) == options - {"config"}
    example = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
    assert {key.replace("-", "_") for key in example} <= set(AGENT_OPTIONS)


def test_config_file_values_are_used_and_checked(tmp_path: Path) -> None:
    tokens = write_tokens(tmp_path / "token", TOKEN)
    config = tmp_path / "agent.toml"
    config.write_text(
        f'watch = "{tmp_path / "missing"}"\ncollector = "http://127.0.0.1:9"\n'
        f'token-file = "{tokens}"\nstate_dir = "{tmp_path / "state"}"\njobs = 1\n'
    )
    code, output = run("--config", str(config))
    assert code == 2 and "not a folder" in output and str(tmp_path / "missing") in output

    code, output = run("--config", str(config), "--collector", "ftp://somewhere")
    assert code == 2 and "http:// or https://" in output


@pytest.mark.parametrize(
    ("text", "message"),
    [("colector = 'http://x'\n", "unknown setting 'colector'"), ("watch = [\n", "not valid TOML")],
)
def test_bad_config_files_are_usage_errors(tmp_path: Path, text: str, message: str) -> None:
    config = tmp_path / "agent.toml"
    config.write_text(text)
    code, output = run("--config", str(config))
    assert code == 2 and message in output


def test_required_options_and_bad_tokens(tmp_path: Path) -> None:
    code, output = run("--watch", str(tmp_path))
    assert code == 2 and "--collector" in output
    short = tmp_path / "short"
    short.write_text("abc\n")
    code, output = run(
        "--watch", str(tmp_path), "--collector", "http://127.0.0.1:9", "--token-file", str(short),
        "--state-dir", str(tmp_path / "state"),
    )  # fmt: skip
    assert code == 2 and "token" in output and "abc" not in output
