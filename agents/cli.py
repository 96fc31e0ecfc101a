"""``dlp agent`` and ``dlp collector serve|query``.

Only click is imported here; watchdog, httpx, starlette and uvicorn are imported
inside the commands, so these commands cost ``dlp scan`` nothing at start-up.
Logs go to stderr; ``dlp collector query`` writes its results to stdout.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click

EXIT_USAGE = 2
LOG_LEVELS = ("debug", "info", "warning", "error")
AGENT_OPTIONS = (
    "watch",
    "collector",
    "token_file",
    "state_dir",
    "jobs",
    "batch_size",
    "spool_max",
    "gzip",
    "debounce",
    "poll",
    "poll_interval",
    "mount_interval",
    "max_backoff",
    "ca_file",
    "host_name",
    "detectors",
    "exclude",
    "max_file_size",
    "send_raw_paths",
    "ocr",
    "log_level",
)


def _setup_logging(level: str) -> None:
    from dlp.printable import EscapingFormatter

    log_format = "%(asctime)s %(levelname)s %(name)s: %(message)s"
    logging.basicConfig(level=getattr(logging, level.upper()), format=log_format, stream=sys.stderr)
    for handler in logging.getLogger().handlers:  # file names in messages cannot forge log lines
        handler.setFormatter(EscapingFormatter(log_format))
    for noisy in ("httpx", "httpcore"):  # one line per request at INFO
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLogger().level))


def _fail(message: str) -> None:
    click.echo(f"dlp: error: {message}", err=True)
    sys.exit(EXIT_USAGE)


def _size(text: str) -> int:
    from dlp.cli import parse_size

    return parse_size(text)


def _load_config(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    """``--config FILE``: a TOML file whose keys are option names; command-line options win."""
    if value is None:
        return
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]

    try:
        with open(value, "rb") as fh:
            data = tomllib.load(fh)
    except OSError as exc:
        raise click.BadParameter(f"cannot read {value}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise click.BadParameter(f"{value} is not valid TOML: {exc}") from None
    options: dict[str, Any] = {}
    for key, setting in data.items():
        name = key.replace("-", "_")
        if name not in AGENT_OPTIONS:
            raise click.BadParameter(f"{value}: unknown setting {key!r}")
        if name in ("watch", "detectors", "exclude") and isinstance(setting, str):
            setting = [setting]
        options[name] = setting
    ctx.default_map = {**(ctx.default_map or {}), **options}


@click.command()
@click.option(
    "--config",
    type=click.Path(dir_okay=False),
    is_eager=True,
    expose_value=False,
    callback=_load_config,
    help="TOML file with any of these options (keys like state_dir); options given here win.",
)
@click.option(
    "--watch",
    multiple=True,
    required=True,
    type=click.Path(file_okay=False),
    help="Folder to watch, recursively (repeatable).",
)
@click.option("--collector", required=True, metavar="URL", help="Collector base URL, e.g. https://dlp:8765.")
@click.option(
    "--token-file", required=True, type=click.Path(dir_okay=False), help="File whose first token is sent."
)
@click.option("--state-dir", required=True, type=click.Path(file_okay=False), help="Spool and cache folder.")
@click.option("--jobs", type=click.IntRange(min=1), default=2, show_default=True, help="Scanning threads.")
@click.option(
    "--batch-size", type=click.IntRange(min=1), default=500, show_default=True, help="Findings per request."
)
@click.option(
    "--spool-max",
    type=click.IntRange(min=1),
    default=1_000_000,
    show_default=True,
    help="Findings the spool may hold; scanning pauses (loudly logged) while it is full.",
)
@click.option("--gzip/--no-gzip", default=False, show_default=True, help="Compress request bodies.")
@click.option(
    "--debounce",
    type=click.FloatRange(min=0),
    default=1.0,
    show_default=True,
    help="Quiet seconds after the last change before a file is scanned (renames scan at once).",
)
@click.option("--poll", is_flag=True, help="Poll every folder instead of using native file events.")
@click.option(
    "--poll-interval", type=click.FloatRange(min=0.1), default=2.0, show_default=True, help="Seconds."
)
@click.option(
    "--mount-interval",
    type=click.FloatRange(min=0.1),
    default=2.0,
    show_default=True,
    help="Seconds between checks for drives mounted below a watched folder.",
)
@click.option(
    "--max-backoff",
    type=click.FloatRange(min=0.1),
    default=60.0,
    show_default=True,
    help="Longest wait between retries while the collector is down (seconds).",
)
@click.option(
    "--ca-file", type=click.Path(dir_okay=False), help="CA bundle to verify an https collector with."
)
@click.option("--host-name", help="Host name to report (default: this machine's).")
@click.option("--detectors", multiple=True, metavar="NAMES", help="Comma-separated detectors (default: all).")
@click.option(
    "--exclude",
    multiple=True,
    metavar="GLOB",
    help="Skip matching files (repeatable); temporary names (*.part, *.tmp ...) are always skipped.",
)
@click.option("--max-file-size", default="1G", show_default=True, metavar="SIZE", help="Skip larger files.")
@click.option(
    "--send-raw-paths",
    is_flag=True,
    help="Send paths as they are (default: values found in them, such as an ID in a file name, are masked).",
)
@click.option(
    "--ocr", is_flag=True, help="Read the text in pictures and scanned PDFs (needs pip install 'dlp[ocr]')."
)
@click.option("--log-level", type=click.Choice(LOG_LEVELS), default="info", show_default=True)
def agent(
    watch: tuple[str, ...],
    collector: str,
    token_file: str,
    state_dir: str,
    jobs: int,
    batch_size: int,
    spool_max: int,
    gzip: bool,
    debounce: float,
    poll: bool,
    poll_interval: float,
    mount_interval: float,
    max_backoff: float,
    ca_file: str | None,
    host_name: str | None,
    detectors: tuple[str, ...],
    exclude: tuple[str, ...],
    max_file_size: str,
    send_raw_paths: bool,
    ocr: bool,
    log_level: str,
) -> None:
    """Watch folders, scan files as they settle and stream findings to a collector.

    Runs until SIGTERM or SIGINT. Findings are spooled in the state folder first and
    removed only once the collector has stored them.
    """
    _setup_logging(log_level)
    if (click.get_current_context().obj or {}).get("tune_process"):
        from dlp import tuning

        tuning.tune_allocator()  # chunk buffers reused from the heap (see dlp.tuning)
    from dlp.agents.agent import Agent, AgentSettings
    from dlp.agents.tokens import read_tokens
    from dlp.config import ScanConfig
    from dlp.errors import ConfigError

    if not collector.startswith(("http://", "https://")):
        _fail(f"--collector must be an http:// or https:// URL, not {collector!r}")
    host = urlsplit(collector).hostname or ""
    if collector.startswith("http://") and host not in ("localhost", "127.0.0.1", "::1"):
        logging.getLogger("dlp.agents").warning(
            "the collector URL is plain http: the token and findings cross the network unencrypted"
        )
    names = [n.strip() for value in detectors for n in value.split(",") if n.strip()]
    try:
        settings = AgentSettings(
            watch=watch,
            collector=collector,
            token=read_tokens(token_file)[0].decode("utf-8"),
            state_dir=Path(state_dir),
            scan=ScanConfig(
                detectors=frozenset(names) if names else None,
                exclude=tuple(exclude),
                max_file_size=_size(max_file_size),
                ocr=ocr,
            ),
            jobs=jobs,
            batch_size=batch_size,
            spool_max=spool_max,
            compress=gzip,
            debounce=debounce,
            poll=poll,
            poll_interval=poll_interval,
            mount_interval=mount_interval,
            max_backoff=max_backoff,
            ca_file=ca_file,
            send_raw_paths=send_raw_paths,
            **({"host": host_name} if host_name else {}),
        )
        runner = Agent(settings)
    except (ConfigError, click.BadParameter) as exc:
        _fail(str(exc))
    runner.run()


DB_HELP = (
    "SQLite database file, or postgresql://USER@HOST/DB for PostgreSQL (several collectors may "
    "share one; needs dlp[postgres])."
)


@click.group()
def collector() -> None:
    """Central collector: receive findings from agents, store them, answer queries."""


@collector.command("serve")
@click.option("--listen", default="127.0.0.1:8765", show_default=True, metavar="HOST:PORT")
@click.option("--db", required=True, metavar="FILE|URL", help=DB_HELP)
@click.option(
    "--token-file",
    required=True,
    type=click.Path(dir_okay=False),
    help="Accepted tokens, one per line (# comments).",
)
@click.option(
    "--max-body",
    default="16M",
    show_default=True,
    metavar="SIZE",
    help="Largest request body, on the wire and decompressed.",
)
@click.option("--tls-cert", type=click.Path(dir_okay=False), help="Serve HTTPS with this certificate.")
@click.option("--tls-key", type=click.Path(dir_okay=False), help="Private key of --tls-cert.")
@click.option("--access-log", is_flag=True, help="Log every request (method, path, status).")
@click.option("--log-level", type=click.Choice(LOG_LEVELS), default="info", show_default=True)
def serve(
    listen: str,
    db: str,
    token_file: str,
    max_body: str,
    tls_cert: str | None,
    tls_key: str | None,
    access_log: bool,
    log_level: str,
) -> None:
    """Serve the findings API (POST/GET /v1/findings, GET /healthz) until SIGTERM or SIGINT."""
    _setup_logging(log_level)
    from dlp.agents.server import serve as run_server
    from dlp.errors import ConfigError

    try:
        run_server(
            listen=listen,
            db=db,
            token_file=Path(token_file),
            max_body=_size(max_body),
            tls_cert=Path(tls_cert) if tls_cert else None,
            tls_key=Path(tls_key) if tls_key else None,
            access_log=access_log,
        )
    except (ConfigError, click.BadParameter) as exc:
        _fail(str(exc))


@collector.command("query")
@click.option("--db", required=True, metavar="FILE|URL", help=DB_HELP)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "text"]),
    default="text",
    show_default=True,
)
@click.option("--host", help="Only findings from this host.")
@click.option("--detector", help="Only findings of this detector.")
@click.option("--path-prefix", help="Only paths starting with this.")
@click.option("--since", metavar="ISO", help="Only findings made at or after this time (ISO 8601).")
@click.option("--limit", type=click.IntRange(min=1), help="At most this many findings.")
def query(
    db: str,
    fmt: str,
    host: str | None,
    detector: str | None,
    path_prefix: str | None,
    since: str | None,
    limit: int | None,
) -> None:
    """Print stored findings, oldest first, from the collector database."""
    from itertools import islice

    import orjson

    from dlp.agents.backends import describe, open_store
    from dlp.agents.store import Filters
    from dlp.agents.wire import parse_time
    from dlp.errors import ConfigError

    try:
        since_time = parse_time(since) if since else None
    except ValueError:
        _fail(f"--since is not an ISO 8601 time: {since!r}")
    filters = Filters(host=host, detector=detector, path_prefix=path_prefix, since=since_time)
    try:
        store = open_store(db, readonly=True)
    except (FileNotFoundError, ConfigError) as exc:
        _fail(str(exc))
    out = sys.stdout.buffer
    try:
        for record in islice(store.iterate(filters), limit):
            if fmt == "jsonl":
                out.write(orjson.dumps(record) + b"\n")
            else:
                where = f"{record['path']}{'!' + record['member'] if 'member' in record else ''}"
                where += f":{record['location']['line']}"
                line = f"{record['time'][:19]}Z  {record['host']:<16} {where:<48} {record['detector']:<20} "
                out.write(f"{line}{record['masked']}\n".encode("utf-8", "replace"))
    except store.errors as exc:
        _fail(f"cannot read {describe(db)}: {exc}")
    except BrokenPipeError:
        sys.stderr.close()
    finally:
        store.close()
