"""Config files: discovery, every section, precedence of the command line, and errors with file:line."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest

from dlp import synthetic
from dlp.config import ScanConfig
from dlp.configfile import Settings, discover, find, load
from dlp.errors import ConfigError
from dlp.policy import Thresholds


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """``proj/docs/sub/memo.txt`` with a phone number and an e-mail address."""
    rng = random.Random(8)
    write(
        tmp_path / "proj" / "docs" / "sub" / "memo.txt",
        f"电话 {synthetic.mobile(rng)} 邮箱 {synthetic.email(rng)}\n",
    )
    return tmp_path / "proj"


def test_found_from_the_current_folder_upwards(project: Path) -> None:
    sub = project / "docs" / "sub"
    assert find(sub) is None or not str(find(sub)).startswith(str(project))
    write(project / "pyproject.toml", '[project]\nname = "x"\n')  # no [tool.dlp]: not a config
    assert find(sub) is None or not str(find(sub)).startswith(str(project))
    write(project / "pyproject.toml", '[project]\nname = "x"\n\n[tool.dlp]\nexclude = ["*.lock"]\n')
    assert find(sub) == (project / "pyproject.toml").resolve()
    assert find(sub / "memo.txt") == (project / "pyproject.toml").resolve()
    write(project / "docs" / "dlp.toml", "exclude = []\n")
    assert find(sub) == (project / "docs" / "dlp.toml").resolve()
    # from the current folder upwards, not from the scan root
    assert discover([str(sub)], cwd=sub).source == (project / "docs" / "dlp.toml").resolve()
    assert discover([str(sub)], cwd=project).source == (project / "pyproject.toml").resolve()
    assert discover([str(sub)], cwd=sub, enabled=False) == Settings()
    assert discover(["-", str(sub)], cwd=sub).source == (project / "docs" / "dlp.toml").resolve()


def test_a_config_inside_a_scanned_tree_is_ignored(project: Path) -> None:
    docs = project / "docs"
    inner = write(docs / "dlp.toml", "exclude = []\n")
    outer = write(project / "dlp.toml", "exclude = []\n")
    settings = discover([str(docs)], cwd=docs / "sub")  # the current folder lies in the tree
    assert settings.source == outer.resolve() and settings.ignored == (inner.resolve(),)
    settings = discover([str(project)], cwd=docs)
    assert settings.source is None and set(settings.ignored) == {inner.resolve(), outer.resolve()}
    assert discover([str(project)], inner, cwd=docs).source == inner  # named with --config: read


def test_the_user_config_folder_is_the_last_place_looked(project: Path, tmp_path: Path) -> None:
    user = write(tmp_path / "xdg-config" / "dlp" / "dlp.toml", 'detectors = ["email"]\n')
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert discover([str(project)], cwd=elsewhere).source == user
    write(elsewhere / "dlp.toml", "exclude = []\n")
    assert discover([str(project)], cwd=elsewhere).source == (elsewhere / "dlp.toml").resolve()


def test_no_config_points_the_cache_into_the_scanned_tree(project: Path, tmp_path: Path) -> None:
    config = write(tmp_path / "trusted.toml", 'cache_dir = "proj/docs/.cache"\n')
    with pytest.raises(ConfigError, match=r"cache_dir .* is inside the scanned tree"):
        discover([str(project / "docs")], config)
    assert discover([str(project / "docs" / "sub")], config).scan["cache_dir"] == project / "docs" / ".cache"


def test_every_section(project: Path) -> None:
    (project / "rules").mkdir()
    write(project / "customers.edm", "")
    config = write(
        project / "dlp.toml",
        """
detectors = ["cn_mobile", "email"]
exclude = ["*.lock"]
max_file_size = "2M"
chunk_size = 131072
follow_symlinks = true
rules = ["rules"]
edm = "customers.edm"

[policy]
distinct_values = 20
rows = 5
customers = 3
fail_on = "pii"

[allowlist]
paths = ["docs/private/*"]
fingerprints = ["%s"]
regexes = ['^1380000\\d{4}$']
"""
        % ("ab" * 32),
    )
    settings = load(config)
    assert settings.scan["detectors"] == frozenset({"cn_mobile", "email"})
    assert settings.scan["max_file_size"] == 2 * 1024 * 1024
    assert settings.scan["chunk_size"] == 131072 and settings.scan["follow_symlinks"] is True
    assert settings.scan["rule_dirs"] == (project.resolve() / "rules",)
    assert settings.scan["edm_index"] == project.resolve() / "customers.edm"
    assert settings.thresholds == Thresholds(distinct_values=20, rows=5, customers=3)
    assert settings.fail_on == "pii"
    allow = settings.scan["allowlist"]
    assert allow.allows_path(str(project / "docs" / "private" / "a.txt"))
    assert allow.fingerprints == frozenset({"ab" * 32})
    config = settings.apply(ScanConfig(), keep={"detectors"})
    assert config.detectors is None and config.exclude == ("*.lock",)


def test_any_scan_config_field_is_accepted_by_name(tmp_path: Path) -> None:
    numbers = {
        name: annotation
        for name, annotation in ((f.name, str(f.type)) for f in __import__("dataclasses").fields(ScanConfig))
        if annotation in ("int", "float") and name not in ("chunk_size",)
    }
    assert "max_file_size" in numbers and "yara_timeout" in numbers
    text = "".join(
        f"{name} = {70000 if annotation == 'int' else 7.5}\n" for name, annotation in numbers.items()
    )
    settings = load(write(tmp_path / "dlp.toml", text))
    assert set(settings.scan) == set(numbers)
    config = settings.apply(ScanConfig())
    for name, annotation in numbers.items():
        assert getattr(config, name) == (70000 if annotation == "int" else 7.5)


def line_of(message: str) -> int:
    match = re.match(r"^.+?:(\d+): ", message)
    assert match, message
    return int(match.group(1))


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("exclude = []\nmax_file_size = = 3\n", 2, "invalid TOML"),
        ("exclude = []\n\nmax_fil_size = 3\n", 3, "unknown key 'max_fil_size'"),
        ('detectors = "cn_mobile"\n', 1, "must be a list of strings"),
        ('exclude = []\ndetectors = ["cn_mobil"]\n', 2, "unknown detector"),
        ('follow_symlinks = "yes"\n', 1, "true or false"),
        ('max_file_size = "lots"\n', 1, "not a size"),
        ("chunk_size = 5\n", 1, "chunk_size must be at least"),
        ('rules = ["no-such-folder"]\n', 1, "no such rule folder"),
        ('edm = "missing.edm"\n', 1, "no such EDM index"),
        ('key = "s3cret-key-0123456789"\n', 1, "does not belong in a config file"),
        ("cache_dir = 3\n", 1, "must be a path"),
        ("\n[policy]\nrows = 2\ncustomer = 3\n", 4, "unknown key 'customer' in [policy]"),
        ("\n[policy]\nrows = 0\n", 3, "at least 1"),
        ('[policy]\nfail_on = "sometimes"\n', 2, "fail_on must be one of"),
        ('[allowlist]\npaths = []\n\nregexes = ["(["]\n', 4, "bad allowlist regex"),
        ('[allowlist]\nfingerprints = ["abc"]\n', 2, "not a fingerprint"),
        ("[allowlist]\nglobs = []\n", 2, "unknown key 'globs'"),
        ("policy = 3\n", 1, "must be a table"),
        ("policy.rows = 0\n", 1, "at least 1"),
    ],
)
def test_errors_name_the_file_and_line(tmp_path: Path, text: str, line: int, words: str) -> None:
    config = write(tmp_path / "dlp.toml", text)
    with pytest.raises(ConfigError) as info:
        load(config)
    message = str(info.value)
    assert message.startswith(str(config) + ":"), message
    assert line_of(message) == line, message
    assert words in message


def test_pyproject_errors_count_lines_of_the_whole_file(tmp_path: Path) -> None:
    config = write(
        tmp_path / "pyproject.toml",
        '[project]\nname = "x"\n\n[tool.ruff]\nline-length = 100\n\n'
        "[tool.dlp]\nexclude = []\nmax_depht = 3\n\n[tool.dlp.policy]\nrows = -1\n",
    )
    with pytest.raises(ConfigError) as info:
        load(config)
    assert line_of(str(info.value)) == 9
    write(config, "[tool.dlp]\n\n[tool.dlp.policy]\nrows = -1\n")
    with pytest.raises(ConfigError) as info:
        load(config)
    assert line_of(str(info.value)) == 4
    write(config, '[project]\nname = "x"\n')
    with pytest.raises(ConfigError, match=r"no \[tool.dlp\] table"):
        load(config)


def scan(cli, *args: str) -> tuple[int, list[dict], str]:  # type: ignore[no-untyped-def]
    run = cli(["scan", "-f", "jsonl", "-j", "1", "--no-progress", *args])
    return run.exit_code, [json.loads(line) for line in run.out.splitlines()], run.err


def test_the_cli_uses_the_config_and_the_command_line_wins(cli, project: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(project)
    target = "docs"
    write(project / "dlp.toml", 'detectors = ["email"]\n\n[policy]\nfail_on = "customer_list"\n')
    code, records, err = scan(cli, target)
    assert {r["detector"] for r in records if r["type"] == "finding"} == {"email"}
    assert code == 0  # fail_on from the file: no customer list
    assert f"dlp: using config file {(project / 'dlp.toml').resolve()}" in err
    code, records, _ = scan(cli, "--detectors", "cn_mobile", "--fail-on", "any", target)
    assert {r["detector"] for r in records if r["type"] == "finding"} == {"cn_mobile"}
    assert code == 1
    code, records, _ = scan(cli, "--no-config", target)
    assert {r["detector"] for r in records if r["type"] == "finding"} == {"cn_mobile", "email"}
    other = write(project.parent / "other.toml", 'detectors = ["cn_mobile"]\n')
    code, records, _ = scan(cli, "--config", str(other), target)
    assert {r["detector"] for r in records if r["type"] == "finding"} == {"cn_mobile"}


def test_a_bad_config_exits_2_with_file_and_line(cli, project: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(project)
    config = write(project / "dlp.toml", "exclude = []\nmax_fil_size = 3\n")
    run = cli(["scan", str(project / "docs")])
    assert run.exit_code == 2
    assert f"{config.resolve()}:2: unknown key 'max_fil_size'" in run.err
    run = cli(["scan", "--config", str(project / "nope.toml"), str(project / "docs")])
    assert run.exit_code == 2 and "nope.toml" in run.err
    run = cli(["baseline", "create", str(project / "docs"), "-o", str(project / "b.json")])
    assert run.exit_code == 2 and ":2: unknown key" in run.err
