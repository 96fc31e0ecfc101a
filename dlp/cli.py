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
from typing import TYPE_CHECKING

import click

from dlp.config import ScanConfig
from dlp.errors import ConfigError
from dlp.output.base import Summary
from dlp.policy import FAIL_ON
from dlp.printable import printable_text

if TYPE_CHECKING:
    from dlp.report import Processed
    from dlp.walk import Entry

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
    "--max-depth",
    type=click.IntRange(min=0),
    default=5,
    show_default=True,
    help="Open containers (zip, tar, e-mail ...) nested at most this deep.",
)
@click.option(
    "--max-archive-bytes",
    default="1G",
    show_default=True,
    metavar="SIZE",
    help="Extract at most this much from the members of one input.",
)
@click.option(
    "--max-ratio",
    type=click.FloatRange(min=1),
    default=100.0,
    show_default=True,
    help="Do not extract members that expand more than this many times (zip bombs).",
)
@click.option(
    "--max-members",
    type=click.IntRange(min=0),
    default=100_000,
    show_default=True,
    help="Open at most this many members in one input.",
)
@click.option(
    "--file-timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=120.0,
    show_default=True,
    metavar="SECONDS",
    help="Time budget for one document or container (plain text has none).",
)
@click.option(
    "--ocr",
    is_flag=True,
    help="Read the text in pictures and scanned PDFs (seconds per picture; needs pip install 'dlp[ocr]').",
)
@click.option(
    "--ocr-timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=30.0,
    show_default=True,
    metavar="SECONDS",
    help="Time budget for reading one picture.",
)
@click.option(
    "--ocr-max-images",
    type=click.IntRange(min=0),
    default=50,
    show_default=True,
    metavar="N",
    help="Read at most N pictures in one input (document, archive, e-mail).",
)
@click.option(
    "--ocr-max-images-total",
    type=click.IntRange(min=0),
    default=10_000,
    show_default=True,
    metavar="N",
    help="Read at most N pictures in the whole scan.",
)
@click.option(
    "--ocr-max-pixels",
    type=click.IntRange(min=10_000),
    default=8_000_000,
    show_default=True,
    metavar="N",
    help="Scale larger pictures down to N pixels before reading them.",
)
@click.option(
    "--engine",
    type=click.Choice(["auto", "hyperscan", "yara"]),
    default="auto",
    show_default=True,
    hidden=True,
    help="Deprecated and ignored: one native core finds candidates on every platform.",
)
@click.option(
    "--fail-on",
    type=click.Choice(FAIL_ON),
    default=None,
    help="Exit 1 on: any finding (default), pii (a file with personal data), customer_list, never.",
)
@click.option(
    "--edm", "edm_index", type=click.Path(dir_okay=False), metavar="INDEX", help="EDM index (dlp edm build)."
)
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False),
    metavar="FILE",
    help="Config file (default: dlp.toml or [tool.dlp] in pyproject.toml, from the first PATH upwards).",
)
@click.option("--no-config", is_flag=True, help="Do not look for a config file.")
@click.option(
    "--baseline", type=click.Path(dir_okay=False), metavar="FILE", help="Report only findings not in FILE."
)
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Progress bar on stderr (default: when stderr is a terminal).",
)
@click.option("-q", "--quiet", is_flag=True, help="No summary on stderr.")
@click.option(
    "--cluster",
    metavar="ADDRESS",
    help="Scan on a Dask cluster: tcp://HOST:PORT (or tls://) of its scheduler, or local:N for N "
    "local worker processes; PATHs may then be fsspec URLs (s3://bucket/prefix). Needs dlp[cluster].",
)
@click.option(
    "--cluster-batch",
    default="2M",
    show_default=True,
    metavar="SIZE",
    help="With --cluster: bytes of small files per task.",
)
@click.option(
    "--worker-key",
    is_flag=True,
    help="With --cluster: workers use their own fingerprint key (DLP_KEY or DLP_KEY_FILE on each "
    "worker) instead of receiving the client's; the scan is refused unless it is the same key.",
)
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
    max_depth: int,
    max_archive_bytes: str,
    max_ratio: float,
    max_members: int,
    file_timeout: float,
    ocr: bool,
    ocr_timeout: float,
    ocr_max_images: int,
    ocr_max_images_total: int,
    ocr_max_pixels: int,
    engine: str,
    fail_on: str | None,
    edm_index: str | None,
    config_file: str | None,
    no_config: bool,
    baseline: str | None,
    progress: bool | None,
    quiet: bool,
    cluster: str | None,
    cluster_batch: str,
    worker_key: bool,
) -> None:
    """Scan files, folders (recursively) or standard input (-) for personal data."""
    from dlp import tuning

    tune = bool((click.get_current_context().obj or {}).get("tune_process"))
    if tune:
        tuning.tune_allocator()
    urls = [p for p in paths if "://" in p]
    if urls and cluster is None:
        _fail(f"URLs are scanned on a cluster only (--cluster local:N for one machine): {urls[0]}")
    missing = [p for p in paths if p != "-" and p not in urls and not os.path.lexists(p)]
    if missing:
        _fail(f"no such file or folder: {', '.join(missing)}")
    if paths.count("-") > 1:
        _fail("standard input (-) can be given only once")
    if cluster is not None and "-" in paths:
        _fail("standard input (-) cannot be scanned on a cluster")
    from dlp.keys import resolve_key

    if engine != "auto":
        click.echo(
            f"dlp: --engine {engine} is deprecated and ignored (one native core scans everywhere)", err=True
        )
    try:
        config = ScanConfig(
            detectors=frozenset(_split(detectors)) if detectors else None,
            rule_dirs=tuple(Path(d) for d in rule_dirs),
            reveal=reveal,
            max_file_size=parse_size(max_file_size),
            follow_symlinks=follow_symlinks,
            exclude=tuple(exclude),
            engine=engine,
            max_depth=max_depth,
            max_archive_bytes=parse_size(max_archive_bytes),
            max_ratio=max_ratio,
            max_members=max_members,
            file_timeout=file_timeout,
            edm_index=Path(edm_index) if edm_index else None,
            ocr=ocr,
            ocr_timeout=ocr_timeout,
            ocr_max_images=ocr_max_images,
            ocr_max_images_total=ocr_max_images_total,
            ocr_max_pixels=ocr_max_pixels,
            ocr_max_declared_pixels=max(ocr_max_pixels, ScanConfig.ocr_max_declared_pixels),
        )
        settings = _settings(paths, config_file, no_config, quiet=quiet)
        config = settings.apply(config, keep=_given_on_command_line())
        config = replace(config, key=resolve_key(config.key))
        from dlp.scanner import Scanner

        scanner = Scanner(config)  # compiles (and caches) rules before workers start
        policy = _policy(settings, config, fail_on)
        known = _baseline(baseline, config)
    except (ConfigError, click.BadParameter) as exc:
        _fail(str(exc))
    if tune:
        tuning.tune_gc()
    from dlp.output import make_writer

    out = open(output, "wb") if output else sys.stdout.buffer  # noqa: SIM115
    if tune and not output:
        tuning.widen_pipe(out)
    writer = make_writer(fmt, out)
    summary = Summary()
    started = time.perf_counter()
    show_progress = sys.stderr.isatty() if progress is None else progress
    from dlp.report import ReportSpec

    spec = ReportSpec(fmt, policy.thresholds, policy.fail_on, config.key or b"", config.edm_index, known)
    if cluster is not None:
        try:
            sizing = _cluster_sizing(cluster, cluster_batch)
        except (ConfigError, click.BadParameter) as exc:
            _fail(str(exc))
        _warn_key_in_clear(cluster, worker_key)
        results = _cluster_results(scanner, config, spec, paths, cluster, sizing, worker_key, show_progress)
    else:
        results = _results(scanner, config, spec, paths, jobs or os.cpu_count() or 1, show_progress)
    try:
        for item in results:
            summary.merge(item.summary)
            if item.rendered is not None:
                writer.write(item.rendered)  # type: ignore[attr-defined]  # JSONL
            else:
                writer.result(item.result)
                for verdict in item.verdicts:
                    writer.file(verdict)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
    except ConfigError as exc:  # a cluster scan: no scheduler, or a worker with another key
        _fail(str(exc))
    finally:
        summary.seconds = time.perf_counter() - started
        writer.close(summary)
        if output:
            out.close()
    if not quiet:
        _print_summary(summary)
    if policy.fails(summary.total_findings, summary.verdicts):
        sys.exit(EXIT_FINDINGS)
    sys.exit(EXIT_INCOMPLETE if summary.problems else EXIT_CLEAN)


def _given_on_command_line() -> set[str]:
    """Parameters set on the command line: they override the config file."""
    from click.core import ParameterSource

    ctx = click.get_current_context()
    return {name for name in ctx.params if ctx.get_parameter_source(name) is ParameterSource.COMMANDLINE}


def _settings(paths: tuple[str, ...], config_file: str | None, no_config: bool, *, quiet: bool = False):  # type: ignore[no-untyped-def]
    """The config file's settings; says on stderr which file was used and which were ignored."""
    from dlp.configfile import discover

    settings = discover(paths, Path(config_file) if config_file else None, enabled=not no_config)
    for ignored in settings.ignored:
        click.echo(
            f"dlp: ignored config file {printable_text(str(ignored))}: it is inside the scanned tree "
            "(name it with --config to use it)",
            err=True,
        )
    if settings.source is not None and not quiet:
        click.echo(f"dlp: using config file {printable_text(str(settings.source))}", err=True)
    return settings


def _policy(settings, config: ScanConfig, fail_on: str | None):  # type: ignore[no-untyped-def]
    from dlp.policy import Policy

    edm = None
    if config.edm_index is not None:
        from dlp.edm import EdmIndex

        edm = EdmIndex(config.edm_index, config.key or b"")
    return Policy(settings.thresholds, fail_on or settings.fail_on or "any", edm)


def _baseline(baseline: str | None, config: ScanConfig):  # type: ignore[no-untyped-def]
    if baseline is None:
        return None
    from dlp.baseline import Baseline

    return Baseline.load(Path(baseline), config.key or b"")


def _results(
    scanner, config: ScanConfig, spec, paths: tuple[str, ...], jobs: int, show_progress: bool
) -> Iterator[Processed]:  # type: ignore[no-untyped-def]
    """Processed items (with a report ``spec``), else plain scan results."""
    from dlp.parallel import scan_entries
    from dlp.walk import walk

    entries = list(walk(paths, follow_symlinks=config.follow_symlinks, exclude=config.exclude))
    results = scan_entries(scanner, config, entries, jobs, spec)
    yield from _with_progress(results, entries, show_progress)


def _with_progress(
    results: Iterator[Processed], entries: list[Entry], show_progress: bool
) -> Iterator[Processed]:
    """``results``, with a progress bar on stderr (bytes of ``entries`` done)."""
    if not show_progress:
        yield from results
        return
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

    total = sum(e.size for e in entries)
    columns = (BarColumn(), DownloadColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("scan", total=total or None)
        for item in results:
            bar.advance(task, item.size)
            yield item


def _cluster_sizing(address: str, cluster_batch: str):  # type: ignore[no-untyped-def]
    """How to cut the work (and a check of the address, before any output)."""
    try:
        from dlp.distributed.cluster import check_address
        from dlp.distributed.sweep import Sizing
    except ImportError:
        raise ConfigError("--cluster needs Dask: pip install 'dlp[cluster]'") from None

    check_address(address)
    return Sizing(batch_bytes=parse_size(cluster_batch))


def _warn_key_in_clear(address: str, worker_key: bool) -> None:
    """The client's key travels to the workers inside the scan's configuration."""
    import ipaddress

    if worker_key or not address.startswith("tcp://"):
        return
    host = address[len("tcp://") :].rpartition(":")[0].strip("[]") or "localhost"
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        click.echo(
            "dlp: warning: the fingerprint key travels to the workers unencrypted over tcp://; "
            "use a tls:// scheduler or --worker-key",
            err=True,
        )


def _cluster_results(
    scanner,
    config: ScanConfig,
    spec,
    paths: tuple[str, ...],
    address: str,
    sizing,
    worker_key: bool,
    show_progress: bool,
) -> Iterator[Processed]:  # type: ignore[no-untyped-def]
    """:func:`_results` on a Dask cluster (:mod:`dlp.distributed`)."""
    from dlp.distributed.cluster import connect
    from dlp.distributed.stores import walk_any
    from dlp.distributed.sweep import scan_entries

    entries = list(walk_any(paths, follow_symlinks=config.follow_symlinks, exclude=config.exclude))
    with connect(address) as client:
        tune = address.startswith("local:")  # this command's own worker processes
        results = scan_entries(
            client, scanner, entries, spec, sizing=sizing, worker_key=worker_key, tune_workers=tune
        )
        yield from _with_progress(results, entries, show_progress)


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
    if summary.verdicts:
        echo("Files: " + ", ".join(f"{v} {n}" for v, n in summary.verdicts.most_common()))
    if summary.problems:
        parts = ", ".join(f"{r} {n}" for r, n in summary.problems.most_common())
        echo(f"Not (fully) scanned: {len(summary.incomplete)} ({parts})")
        for path, reason, message in summary.incomplete[:10]:
            echo(f"  {printable_text(path)}: {reason}: {printable_text(message)}")
        if len(summary.incomplete) > 10:
            echo(f"  ... and {len(summary.incomplete) - 10} more (see the report)")
    if summary.skipped:
        parts = ", ".join(f"{r} {n}" for r, n in summary.skipped.most_common())
        echo(f"Skipped: {parts}")


def _fail(message: str) -> None:
    click.echo(f"dlp: error: {printable_text(message)}", err=True)
    sys.exit(EXIT_USAGE)


@main.command("detectors")
def list_detectors() -> None:
    """List the detectors with their severity."""
    from dlp.detectors import all_detectors

    for det in all_detectors():
        flag = " (needs context)" if det.requires_context else ""
        click.echo(f"{det.name:<24} {det.severity.value:<7} {det.description}{flag}")


@main.group("edm")
def edm_group() -> None:
    """Exact data match: index the customer master, then scan with --edm INDEX."""


@edm_group.command("build")
@click.argument("source", type=click.Path(exists=True, dir_okay=False))
@click.option("--out", required=True, type=click.Path(dir_okay=False), metavar="INDEX", help="Index file.")
@click.option(
    "--columns",
    multiple=True,
    metavar="NAME[=KIND],...",
    help="Columns to index (default: all recognised). KIND: name, phone, id, email, bank_card, plate, uscc.",
)
def edm_build(source: str, out: str, columns: tuple[str, ...]) -> None:
    """Index a customer master (CSV in UTF-8/GB18030, or xlsx, with a header row): keyed hashes only."""
    from dlp.edm import build_index
    from dlp.keys import resolve_key

    try:
        report = build_index(Path(source), Path(out), resolve_key(), _split(columns))
    except ConfigError as exc:
        _fail(str(exc))
    described = ", ".join(f"{c.name} ({c.kind})" for c in report.columns)
    click.echo(f"Indexed {report.rows} row(s), {report.records} value(s) of {described} into {out}", err=True)
    for column, count in report.invalid.most_common():
        click.echo(f"  skipped {count} invalid value(s) in column {column}", err=True)


@main.group("baseline")
def baseline_group() -> None:
    """Baselines: accept today's findings so that CI reports only new ones (scan --baseline)."""


@baseline_group.command("create")
@click.argument("paths", nargs=-1, required=True)
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="Baseline file.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None, help="Worker processes.")
@click.option("--config", "config_file", type=click.Path(dir_okay=False), metavar="FILE", help="Config file.")
@click.option("--no-config", is_flag=True, help="Do not look for a config file.")
def baseline_create(
    paths: tuple[str, ...], output: str, jobs: int | None, config_file: str | None, no_config: bool
) -> None:
    """Scan PATHs and write every finding (path + fingerprint, no line numbers) to a baseline."""
    from dlp.baseline import write
    from dlp.keys import resolve_key
    from dlp.scanner import Scanner

    missing = [p for p in paths if p != "-" and not os.path.lexists(p)]
    if missing:
        _fail(f"no such file or folder: {', '.join(missing)}")
    try:
        config = _settings(paths, config_file, no_config).apply(ScanConfig())
        config = replace(config, key=resolve_key(config.key))
        scanner = Scanner(config)
    except ConfigError as exc:
        _fail(str(exc))
    summary = Summary()
    results = []
    for result in _results(scanner, config, None, paths, jobs or os.cpu_count() or 1, False):
        summary.add(result)
        results.append(result)
    try:
        count = write(Path(output), results, config.key or b"")
    except ConfigError as exc:
        _fail(str(exc))
    click.echo(f"Wrote {count} baseline entries for {summary.files} file(s) to {output}", err=True)
    for path, reason, message in summary.incomplete[:10]:
        shown = f"{printable_text(path)}: {reason}: {printable_text(message)}"
        click.echo(f"  not (fully) scanned: {shown}", err=True)
    sys.exit(EXIT_INCOMPLETE if summary.problems else EXIT_CLEAN)


from dlp.agents.cli import agent, collector  # noqa: E402

main.add_command(agent)
main.add_command(collector)


def run() -> None:
    """The ``dlp`` console command: :func:`main` in a process of its own, so the
    scan may tune that process (:mod:`dlp.tuning`); in-process callers of
    :func:`main` (click's test runner, embedding tools) are left as they are."""
    main(obj={"tune_process": True})


if __name__ == "__main__":
    run()
