"""Config files: ``dlp.toml``, or a ``[tool.dlp]`` table in ``pyproject.toml``.

Trusted only from where the person running the scan put it: ``--config FILE``,
else the nearest one in the current folder or its parents, else
``$XDG_CONFIG_HOME/dlp/dlp.toml``. A config file inside a scanned tree (a
prepared USB drive) is never read unless ``--config`` names it; :func:`discover`
reports it as ignored. No config file may point the cache into a scanned tree.
Command-line options override it. ::

    detectors = ["cn_resident_id", "cn_mobile", "bank_card"]   # any ScanConfig field by name
    exclude = ["*.lock", "vendor/*"]
    max_file_size = "200M"            # sizes as numbers of bytes or "500K", "200M", "2G"
    rules = ["rules"]                 # = rule_dirs; paths are relative to this file
    edm = "customers.edm"             # = edm_index

    [policy]                          # per-file verdicts (dlp.policy)
    distinct_values = 50
    rows = 10
    customers = 10
    fail_on = "pii"                   # any | pii | customer_list | never

    [allowlist]                       # dropped inside the scanner (dlp.allowlist)
    paths = ["tests/fixtures/*"]
    fingerprints = ["3f5a…"]
    regexes = ['^1380000\\d{4}$']

Every error (TOML syntax, unknown key, wrong type, bad value) is a
:class:`~dlp.errors.ConfigError` whose message starts with ``FILE:LINE:``. The
fingerprint key is never read from a config file (it would end up in version
control): use ``DLP_KEY`` or the key file.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dlp.config import ScanConfig
from dlp.errors import ConfigError
from dlp.policy import FAIL_ON, Thresholds

CONFIG_NAME = "dlp.toml"
PYPROJECT = "pyproject.toml"
ALIASES = {"rules": "rule_dirs", "edm": "edm_index"}
TABLE_ONLY = frozenset({"allowlist"})  # ScanConfig fields set through their own table
FORBIDDEN = {"key": "the fingerprint key does not belong in a config file: set DLP_KEY or use the key file"}
_TOOL_DLP = re.compile(r"^\s*\[\s*tool\s*\.\s*dlp\s*[\].]", re.MULTILINE)
_TOML_AT = re.compile(r"\(at line (\d+), column \d+\)")
_TABLE = re.compile(r"^\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"^([A-Za-z0-9_\-\"'. ]+?)\s*=")
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Settings:
    """What a config file says (empty when there is none)."""

    source: Path | None = None
    scan: Mapping[str, Any] = field(default_factory=dict)
    """ScanConfig fields set by the file (paths already resolved)."""
    thresholds: Thresholds = field(default_factory=Thresholds)
    fail_on: str | None = None
    ignored: tuple[Path, ...] = ()
    """Config files passed over because they lie inside a scanned tree."""

    def apply(self, config: ScanConfig, *, keep: Collection[str] = ()) -> ScanConfig:
        """``config`` with the file's fields, except those named in ``keep`` (given on the command line)."""
        changes = {k: v for k, v in self.scan.items() if k not in keep}
        if not changes:
            return config
        try:
            return dataclasses.replace(config, **changes)
        except ConfigError as exc:
            raise ConfigError(f"{self.source}: {exc}") from None


class _Problem(Exception):
    """A bad key or value, before its line is known."""

    def __init__(self, key: str, message: str, table: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.key = key
        self.table = table


def find(start: Path) -> Path | None:
    """The nearest ``dlp.toml``, or ``pyproject.toml`` with a ``[tool.dlp]`` table, at or above ``start``."""
    return next(candidates(start), None)


def candidates(start: Path) -> Iterator[Path]:
    """Every config file at or above ``start``, the nearest first."""
    folder = start.resolve()
    if not folder.is_dir():
        folder = folder.parent
    for candidate in (folder, *folder.parents):
        config = candidate / CONFIG_NAME
        if config.is_file():
            yield config
        pyproject = candidate / PYPROJECT
        if pyproject.is_file() and _has_tool_dlp(pyproject):
            yield pyproject


def user_config() -> Path:
    """The user's own config file: ``$XDG_CONFIG_HOME/dlp/dlp.toml`` (``~/.config/dlp/dlp.toml``)."""
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "dlp" / CONFIG_NAME


def _has_tool_dlp(path: Path) -> bool:
    try:
        return _TOOL_DLP.search(path.read_text(encoding="utf-8", errors="replace")) is not None
    except OSError:
        return False


def inside(path: Path, roots: Sequence[str]) -> bool:
    """True when ``path`` is a scan root or lies below a folder one (symbolic links resolved)."""
    resolved = path.resolve()
    for root in roots:
        if root == "-":
            continue
        top = Path(root).resolve()
        if resolved == top or (top.is_dir() and resolved.is_relative_to(top)):
            return True
    return False


def discover(
    paths: Sequence[str], explicit: Path | None = None, *, enabled: bool = True, cwd: Path | None = None
) -> Settings:
    """Settings from ``explicit``, else from the nearest trusted config file.

    Trusted: the current folder (``cwd``) and its parents, then the user's config
    file; any of them inside a scan root in ``paths`` is skipped and listed in
    :attr:`Settings.ignored`. Whatever the source, a ``cache_dir`` inside a scan
    root is a :class:`ConfigError`.
    """
    if explicit is not None:
        return _guarded(load(explicit), paths)
    if not enabled:
        return Settings()
    ignored: list[Path] = []
    for root in paths:  # the scan root's own config file, which earlier versions read
        if root != "-" and Path(root).is_dir():
            ignored.extend(c.resolve() for c in candidates(Path(root)) if inside(c, paths))
    for candidate in (*candidates(cwd or Path.cwd()), user_config()):
        if not candidate.is_file():
            continue
        if inside(candidate, paths):
            ignored.append(candidate.resolve())
            continue
        return dataclasses.replace(_guarded(load(candidate), paths), ignored=_unique(ignored))
    return Settings(ignored=_unique(ignored))


def _unique(paths: list[Path]) -> tuple[Path, ...]:
    return tuple(dict.fromkeys(paths))


def _guarded(settings: Settings, paths: Sequence[str]) -> Settings:
    """``settings``, unless they point the cache into a scanned tree."""
    cache_dir = settings.scan.get("cache_dir")
    if cache_dir is not None and inside(Path(cache_dir), paths):
        raise ConfigError(f"{settings.source}: cache_dir {cache_dir} is inside the scanned tree")
    return settings


def load(path: Path) -> Settings:
    """Read and check one config file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}:1: not UTF-8 text") from None
    data = _parse_toml(path, text)
    table: tuple[str, ...] = ()
    if path.name == PYPROJECT:
        table = ("tool", "dlp")
        data = data.get("tool", {}).get("dlp")
        if not isinstance(data, dict):
            raise ConfigError(f"{path}:1: no [tool.dlp] table")
    try:
        return _settings(data, path, table)
    except _Problem as problem:
        line = _line_of(text, (*table, *problem.table), problem.key)
        raise ConfigError(f"{path}:{line}: {problem}") from None


def _parse_toml(path: Path, text: str) -> dict[str, Any]:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        match = _TOML_AT.search(message)
        line = match.group(1) if match else "1"
        raise ConfigError(f"{path}:{line}: invalid TOML: {_TOML_AT.sub('', message).strip()}") from None


def _settings(data: Mapping[str, Any], path: Path, table: tuple[str, ...]) -> Settings:
    base = path.resolve().parent
    fields = {f.name: str(f.type) for f in dataclasses.fields(ScanConfig)}
    scan: dict[str, Any] = {}
    where: dict[str, str] = {}  # ScanConfig field -> key as written
    thresholds, fail_on = Thresholds(), None
    for key, value in data.items():
        if key == "policy":
            thresholds, fail_on = _policy(_table(key, value))
            continue
        if key == "allowlist":
            scan["allowlist"] = _allowlist(_table(key, value), base)
            continue
        name = ALIASES.get(key, key)
        if name in FORBIDDEN:
            raise _Problem(key, FORBIDDEN[name])
        if name not in fields or name in TABLE_ONLY:
            known = sorted({*ALIASES, *(f for f in fields if f not in FORBIDDEN)} - {"allowlist"})
            raise _Problem(key, f"unknown key {key!r}; known keys: {', '.join(known)}, [policy], [allowlist]")
        scan[name] = _coerce(key, name, fields[name], value, base)
        where[name] = key
    _check(scan, where)
    return Settings(path, scan, thresholds, fail_on)


def _table(key: str, value: Any) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise _Problem(key, f"{key} must be a table ([{key}])")
    return value


def _policy(data: Mapping[str, Any]) -> tuple[Thresholds, str | None]:
    names = {f.name for f in dataclasses.fields(Thresholds)}
    values: dict[str, int] = {}
    fail_on = None
    for key, value in data.items():
        if key == "fail_on":
            if value not in FAIL_ON:
                raise _Problem(key, f"fail_on must be one of {', '.join(FAIL_ON)}", ("policy",))
            fail_on = value
        elif key in names:
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise _Problem(key, f"{key} must be a whole number of at least 1", ("policy",))
            values[key] = value
        else:
            known = ", ".join(sorted({*names, "fail_on"}))
            raise _Problem(key, f"unknown key {key!r} in [policy]; known: {known}", ("policy",))
    return Thresholds(**values), fail_on


def _allowlist(data: Mapping[str, Any], base: Path) -> Any:
    from dlp.allowlist import Allowlist

    lists: dict[str, list[str]] = {}
    for key, value in data.items():
        if key not in ("paths", "fingerprints", "regexes"):
            raise _Problem(
                key,
                f"unknown key {key!r} in [allowlist]; known: fingerprints, paths, regexes",
                ("allowlist",),
            )
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise _Problem(key, f"{key} must be a list of strings", ("allowlist",))
        try:
            Allowlist.build(**{key: value})
        except ConfigError as exc:
            raise _Problem(key, str(exc), ("allowlist",)) from None
        lists[key] = value
    return Allowlist.build(**lists, base=base)


def _coerce(key: str, name: str, annotation: str, value: Any, base: Path) -> Any:
    """Check and convert a TOML value to the ScanConfig field's type (given as a string)."""
    kind = annotation.replace(" ", "").removesuffix("|None")

    def wrong(expected: str) -> _Problem:
        return _Problem(key, f"{key} must be {expected}, not {type(value).__name__} {value!r}")

    def strings() -> list[str]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise wrong("a list of strings")
        return value

    if kind == "bool":
        if not isinstance(value, bool):
            raise wrong("true or false")
        return value
    if kind == "int":
        if isinstance(value, str) and ("size" in name or "bytes" in name):
            return _size(key, value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise wrong("a whole number" + (' or a size such as "100M"' if "size" in name else ""))
        return value
    if kind == "float":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise wrong("a number")
        return float(value)
    if kind == "str":
        if not isinstance(value, str):
            raise wrong("a string")
        return value
    if kind == "Path":
        if not isinstance(value, str):
            raise wrong("a path (string)")
        return _path(value, base)
    if kind == "tuple[Path,...]":
        return tuple(_path(v, base) for v in strings())
    if kind == "tuple[str,...]":
        return tuple(strings())
    if kind == "frozenset[str]":
        return frozenset(strings())
    raise _Problem(key, f"{key} cannot be set in a config file")


def _path(value: str, base: Path) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else base / path


def _size(key: str, text: str) -> int:
    match = _SIZE.match(text)
    if not match:
        raise _Problem(key, f"{key}: not a size: {text!r} (use e.g. 500K, 100M, 2G)")
    number, unit = match.groups()
    return int(float(number) * 1024 ** "_kmgt".index(unit.lower() or "_"))


def _check(scan: Mapping[str, Any], where: Mapping[str, str]) -> None:
    """Values that type-check but cannot work: unknown detectors, missing folders, bad limits."""
    if scan.get("detectors") is not None:
        from dlp.detectors import select

        try:
            select(scan["detectors"])
        except ConfigError as exc:
            raise _Problem(where["detectors"], str(exc)) from None
    for folder in scan.get("rule_dirs", ()):
        if not folder.is_dir():
            raise _Problem(where["rule_dirs"], f"no such rule folder: {folder}")
    if scan.get("edm_index") is not None and not scan["edm_index"].is_file():
        raise _Problem(where["edm_index"], f"no such EDM index: {scan['edm_index']}")
    try:
        ScanConfig(**scan)
    except ConfigError as exc:
        message = str(exc)
        culprit = next((k for k in where if k in message), next(iter(where), ""))
        raise _Problem(where.get(culprit, culprit), message) from None


def _line_of(text: str, table: tuple[str, ...], key: str) -> int:
    """The line where ``key`` is set in ``table`` (or the table starts); 1 if not found."""
    current: tuple[str, ...] = ()
    table_line = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        header = _TABLE.match(line)
        if header:
            current = tuple(part.strip().strip("\"'") for part in header.group(1).split("."))
            if current == table and table_line is None:
                table_line = number
            if current == (*table, key):
                return number
            continue
        match = _KEY.match(line)
        if match is None or table[: len(current)] != current:
            continue
        written = ".".join(part.strip().strip("\"'") for part in match.group(1).split("."))
        if written == ".".join((*table[len(current) :], key)):
            return number
    return table_line or 1
