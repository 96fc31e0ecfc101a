"""The ``dlp`` command.

Results go to stdout (or ``--output``); progress, the summary and errors go to
stderr. Exit codes: 0 nothing found, 1 findings reported, 2 usage or
configuration error, 3 no findings but some inputs could not be (fully) scanned.
"""

from __future__ import annotations

import os
import re
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import click

from dlp.config import ScanConfig
from dlp.errors import ConfigError
from dlp.findings import ScanResult
from dlp.output.base import Summary

EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE, EXIT_INCOMPLETE = 0, 1, 2, 3
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?\s*$", re.IGNORECASE)


def parse_size(text: str) -> int:
    """``"100M"`` -> 104857600; plain numbers are bytes."""
    match = _SIZE.match(text)
    if not match:
        raise click.BadParameter(f"not a size: {text!r} (use e.g. 500K, 100M, 2G)")
    number, unit = match.groups()
    return int(float(number) * 1024 ** "_kmgt".index(unit.lower() or "_"))


def _split(values: tuple[str, ...]) -> list[str]:
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="dlp", prog_name="dlp")
def main() -> None:
    """Find Chinese personal data and customer lists in files."""


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option(
    "-j", "--jobs", type=click.IntRange(min=1), default=None, help="Worker processes (default: all cores)."
)
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(["text", "jsonl", "sarif"]),
    default="text",
    show_default=True,
    help="Report format on stdout.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    help="Write the report to this file instead of stdout.",
)
@click.option("--reveal", is_flag=True, help="Include raw values in the report (sensitive!).")
@click.option(
    "--rules",
    "rule_dirs",
    multiple=True,
    type=click.Path(file_okay=False),
    help="Extra folder of YARA rules (repeatable).",
)
@click.option(
    "--detectors",
    multiple=True,
    metavar="NAMES",
    help="Comma-separated detectors to run (default: all; see `dlp detectors`).",
)
@click.option("--exclude", multiple=True, metavar="GLOB", help="Skip paths matching this glob (repeatable).")
@click.option(
    "--max-file-size",
    default="8G",
    show_default=True,
    metavar="SIZE",
    help="Report larger files as not scanned.",
)
@click.option("--follow-symlinks", is_flag=True, help="Follow symbolic links.")
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Progress bar on stderr (default: when stderr is a terminal).",
)
@click.option("-q", "--quiet", is_flag=True, help="No summary on stderr.")
def scan(
    paths: tuple[str, ...],
    jobs: int | None,
    fmt: str,
    output: str | None,
    reveal: bool,
    rule_dirs: tuple[str, ...],
    detectors: tuple[str, ...],
    exclude: tuple[str, ...],
    max_file_size: str,
    follow_symlinks: bool,
    progress: bool | None,
    quiet: bool,
) -> None:
    """Scan files, folders (recursively) or standard input (-) for personal data."""
    missing = [p for p in paths if p != "-" and not os.path.lexists(p)]
    if missing:
        _fail(f"no such file or folder: {', '.join(missing)}")
    if paths.count("-") > 1:
        _fail("standard input (-) can be given only once")
    from dlp.keys import resolve_key

    try:
        config = ScanConfig(
            detectors=frozenset(_split(detectors)) if detectors else None,
            rule_dirs=tuple(Path(d) for d in rule_dirs),
            reveal=reveal,
            max_file_size=parse_size(max_file_size),
            follow_symlinks=follow_symlinks,
            exclude=tuple(exclude),
        )
        config = replace(config, key=resolve_key(config.key))
        from dlp.scanner import Scanner

        scanner = Scanner(config)  # compiles (and caches) rules before workers start
    except (ConfigError, click.BadParameter) as exc:
        _fail(str(exc))
    from dlp.output import make_writer

    out = open(output, "wb") if output else sys.stdout.buffer  # noqa: SIM115
    writer = make_writer(fmt, out)
    summary = Summary()
    started = time.perf_counter()
    show_progress = sys.stderr.isatty() if progress is None else progress
    try:
        for result in _results(scanner, config, paths, jobs or os.cpu_count() or 1, show_progress):
            summary.add(result)
            writer.result(result)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
    finally:
        summary.seconds = time.perf_counter() - started
        writer.close(summary)
        if output:
            out.close()
    if not quiet:
        _print_summary(summary)
    if summary.total_findings:
        sys.exit(EXIT_FINDINGS)
    sys.exit(EXIT_INCOMPLETE if summary.problems else EXIT_CLEAN)


def _results(
    scanner, config: ScanConfig, paths: tuple[str, ...], jobs: int, show_progress: bool
) -> Iterator[ScanResult]:  # type: ignore[no-untyped-def]
    from dlp.parallel import scan_entries
    from dlp.walk import walk

    entries = list(walk(paths, follow_symlinks=config.follow_symlinks, exclude=config.exclude))
    results = scan_entries(scanner, config, entries, jobs)
    if not show_progress:
        yield from results
        return
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

    total = sum(e.size for e in entries)
    columns = (BarColumn(), DownloadColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("scan", total=total or None)
        for result in results:
            bar.advance(task, result.size)
            yield result


def _print_summary(summary: Summary) -> None:
    echo = lambda text: click.echo(text, err=True)  # noqa: E731
    echo(
        f"Scanned {summary.files} file(s), {summary.bytes / 1e6:.1f} MB in "
        f"{summary.seconds:.2f} s ({summary.mb_per_second:.1f} MB/s)"
    )
    if summary.findings:
        parts = ", ".join(f"{d} {n}" for d, n in summary.findings.most_common())
        echo(f"Findings: {summary.total_findings} ({parts})")
    else:
        echo("Findings: none")
    if summary.problems:
        parts = ", ".join(f"{r} {n}" for r, n in summary.problems.most_common())
        echo(f"Not (fully) scanned: {len(summary.incomplete)} ({parts})")
        for path, reason, message in summary.incomplete[:10]:
            echo(f"  {path}: {reason}: {message}")
        if len(summary.incomplete) > 10:
            echo(f"  ... and {len(summary.incomplete) - 10} more (see the report)")
    if summary.skipped:
        parts = ", ".join(f"{r} {n}" for r, n in summary.skipped.most_common())
        echo(f"Skipped: {parts}")


def _fail(message: str) -> None:
    click.echo(f"dlp: error: {message}", err=True)
    sys.exit(EXIT_USAGE)


@main.command("detectors")
def list_detectors() -> None:
    """List the detectors with their severity."""
    from dlp.detectors import all_detectors

    for det in all_detectors():
        flag = " (needs context)" if det.requires_context else ""
        click.echo(f"{det.name:<24} {det.severity.value:<7} {det.description}{flag}")


if __name__ == "__main__":
    main()
