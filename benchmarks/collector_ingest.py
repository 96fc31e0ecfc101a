"""Collector ingest throughput and agent event-to-collector latency, over loopback.

Usage::

    python benchmarks/collector_ingest.py [--findings N] [--batch N] [--senders N]
                                          [--latency-files N] [--out FILE]

Starts a real collector (``dlp collector serve``) on 127.0.0.1 with a fresh SQLite
database and measures:

* ingest: ``--senders`` threads (8 by default), each with its own keep-alive HTTP
  connection, post ``--findings`` synthetic findings in NDJSON batches of ``--batch``;
  findings per second = findings stored / wall time. Run plain, gzip-compressed,
  and once more with every finding a duplicate (a resend after a crash). As a
  baseline in the same run: ``GET /healthz`` requests per second with the same
  senders (the HTTP stack alone, no parsing or storing).
* latency: a real agent (``dlp agent``) watches a folder; a file with a few findings
  is written (renamed into place, or written in place), and the time until its
  findings are returned by ``GET /v1/findings`` is measured, ``--latency-files`` times
  each way. The agent runs with its default ``--debounce``.

Prints a summary and writes a JSON report (default ``benchmarks/out/collector_ingest.json``).
Everything is bounded: fixed request counts, and every wait has a deadline.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import queue
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import orjson

REPO = Path(__file__).resolve().parent.parent
try:
    import dlp  # noqa: F401
except ImportError:  # run from a checkout without installing
    sys.path.insert(0, str(REPO))

from dlp import synthetic  # noqa: E402
from dlp.agents.wire import finding_record  # noqa: E402
from dlp.detector import Severity  # noqa: E402
from dlp.findings import Finding, Location  # noqa: E402

TOKEN = "benchmark-token-0123456789abcdef"
KEY = "benchmark-key-0123456789abcdef"
DETECTORS = ("cn_mobile", "cn_resident_id", "email", "bank_card", "cn_landline")


def _env(home: Path) -> dict[str, str]:
    env = dict(os.environ, DLP_KEY=KEY, XDG_CACHE_HOME=str(home / "cache"), PYTHONUNBUFFERED="1")
    env["XDG_CONFIG_HOME"] = str(home / "config")
    return env


def _wait(check: Callable[[], object], timeout: float, what: str) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.005)
    raise SystemExit(f"timed out waiting for {what}")


def start_collector(home: Path, db: str | None = None) -> tuple[subprocess.Popen[bytes], str]:
    """A collector on ``db`` (default: ``findings.db`` in ``home``), logging to ``home``."""
    home.mkdir(parents=True, exist_ok=True)
    tokens = home / "tokens"
    tokens.write_text(TOKEN + "\n")
    tokens.chmod(0o600)
    log = home / "collector.log"
    cmd = [sys.executable, "-m", "dlp.cli", "collector", "serve", "--listen", "127.0.0.1:0"]
    cmd += ["--db", db or str(home / "findings.db"), "--token-file", str(tokens)]
    cmd += ["--max-body", "64M"]
    with open(log, "wb") as err:
        proc = subprocess.Popen(cmd, stderr=err, stdout=subprocess.DEVNULL, env=_env(home))

    def url() -> str | None:
        if proc.poll() is not None:
            raise SystemExit(f"collector exited:\n{log.read_text()}")
        found = re.search(r"listening on (http://127\.0\.0\.1:\d+)", log.read_text())
        return found.group(1) if found else None

    return proc, str(_wait(url, 30, "the collector"))


def make_batches(total: int, batch: int, seed: int) -> list[bytes]:
    rng = random.Random(seed)
    lines = []
    for n in range(total):
        finding = Finding(
            detector=DETECTORS[n % len(DETECTORS)],
            path=f"/home/u{n % 50}/Downloads/export-{n // 1000}.csv",
            location=Location(offset=(n % 1000) * 64, line=n % 1000 + 1),
            masked="138****5678",
            fingerprint=rng.randbytes(32).hex(),
            confidence=0.95,
            severity=Severity.MEDIUM,
        )
        record = finding_record(
            finding, host=f"ws-{n % 97:03d}", agent_version="bench", time="2024-06-01T08:00:00Z"
        )
        lines.append(orjson.dumps(record))
    return [b"\n".join(lines[i : i + batch]) + b"\n" for i in range(0, total, batch)]


def run_senders(
    url: str | list[str], jobs: list[bytes | None], senders: int, *, gzipped: bool
) -> dict[str, float]:
    """Post every job (``None``: GET /healthz) from ``senders`` threads (sender ``i`` to
    collector ``i mod len(url)`` when given several); returns timings and counts."""
    urls = [url] if isinstance(url, str) else url
    work: queue.Queue[bytes | None] = queue.Queue()
    for job in jobs:
        work.put(job)
    accepted, duplicates, latencies, errors = [0], [0], [], []
    lock = threading.Lock()
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/x-ndjson"}
    if gzipped:
        headers["Content-Encoding"] = "gzip"

    def sender(url: str) -> None:
        with httpx.Client(headers=headers, timeout=60) as client:
            while True:
                try:
                    job = work.get_nowait()
                except queue.Empty:
                    return
                started = time.perf_counter()
                if job is None:
                    reply = client.get(f"{url}/healthz")
                else:
                    reply = client.post(f"{url}/v1/findings", content=job)
                took = time.perf_counter() - started
                with lock:
                    latencies.append(took)
                    if reply.status_code != 200:
                        errors.append(reply.status_code)
                    elif job is not None:
                        counts = reply.json()
                        accepted[0] += counts["accepted"]
                        duplicates[0] += counts["duplicates"]

    threads = [threading.Thread(target=sender, args=(urls[n % len(urls)],)) for n in range(senders)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    elapsed = time.perf_counter() - started
    if errors:
        raise SystemExit(f"{len(errors)} request(s) failed: {sorted(set(errors))}")
    latencies.sort()
    return {
        "seconds": round(elapsed, 3),
        "requests": len(jobs),
        "requests_per_second": round(len(jobs) / elapsed, 1),
        "accepted": accepted[0],
        "duplicates": duplicates[0],
        "findings_per_second": round((accepted[0] + duplicates[0]) / elapsed, 1),
        "request_p50_ms": round(1000 * latencies[len(latencies) // 2], 2),
        "request_p95_ms": round(1000 * latencies[int(len(latencies) * 0.95)], 2),
    }


def measure_latency(home: Path, url: str, files: int) -> dict[str, dict[str, float]]:
    watch, state = home / "watch", home / "agent-state"
    watch.mkdir()
    token = home / "agent-token"
    token.write_text(TOKEN + "\n")
    token.chmod(0o600)
    log = home / "agent.log"
    cmd = [sys.executable, "-m", "dlp.cli", "agent", "--watch", str(watch), "--collector", url]
    cmd += ["--token-file", str(token), "--state-dir", str(state)]
    with open(log, "wb") as err:
        agent = subprocess.Popen(cmd, stderr=err, stdout=subprocess.DEVNULL, env=_env(home))
    rng = random.Random(7)
    results: dict[str, dict[str, float]] = {}
    try:
        _wait(lambda: "queued 0 existing file(s)" in log.read_text(), 30, "the agent")
        with httpx.Client(headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10) as client:
            for mode in ("renamed", "written_in_place"):
                samples = []
                for n in range(files):
                    text = f"客户 手机 {synthetic.mobile(rng)} 身份证 {synthetic.resident_id(rng)}\n"
                    path = watch / f"{mode}-{n}.txt"
                    started = time.perf_counter()
                    if mode == "renamed":
                        temp = watch / f".{path.name}.part"
                        temp.write_text(text, encoding="utf-8")
                        os.replace(temp, path)
                    else:
                        path.write_text(text, encoding="utf-8")

                    def arrived(path: Path = path) -> bool:
                        reply = client.get(f"{url}/v1/findings", params={"path_prefix": str(path)})
                        return len(reply.json()["findings"]) >= 2

                    _wait(arrived, 30, f"{path.name} at the collector")
                    samples.append(time.perf_counter() - started)
                samples.sort()
                results[mode] = {
                    "files": files,
                    "median_ms": round(1000 * statistics.median(samples), 1),
                    "p95_ms": round(1000 * samples[min(len(samples) - 1, int(len(samples) * 0.95))], 1),
                    "max_ms": round(1000 * samples[-1], 1),
                }
    finally:
        agent.terminate()
        agent.wait(timeout=30)
    return results


def postgres_rows(home: Path, server: str, batches: list[bytes], senders: int) -> dict[str, object]:
    """Plain ingest into PostgreSQL with 1 and 2 collectors on one database (a fresh one each)."""
    import contextlib

    sys.path.insert(0, str(REPO / "tests"))
    from pg_support import bindir, fresh_database, throwaway_cluster

    with contextlib.ExitStack() as stack:
        if server == "auto":
            binaries = bindir()
            if binaries is None:
                print("PostgreSQL rows left out: no initdb (apt-get install -y postgresql)")
                return {}
            server = stack.enter_context(throwaway_cluster(binaries))
        rows: dict[str, object] = {}
        for count in (1, 2):
            db = fresh_database(server, f"bench_ingest_{count}")
            started = [start_collector(home / f"pg-{count}-{n}", db) for n in range(count)]
            try:
                urls = [url for _, url in started]
                rows[f"postgres_{count}_collector{'s' if count > 1 else ''}"] = run_senders(
                    urls, list(batches), senders, gzipped=False
                )
            finally:
                for proc, _ in started:
                    proc.terminate()
                    proc.wait(timeout=30)
        return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--findings", type=int, default=200_000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--senders", type=int, default=8)
    parser.add_argument("--latency-files", type=int, default=20)
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "out" / "collector_ingest.json")
    parser.add_argument(
        "--postgres",
        default="auto",
        metavar="URL|auto|off",
        help="PostgreSQL rows: a server URL (a database per row is created on it), auto (a throwaway "
        "cluster from the PostgreSQL binaries, when installed) or off",
    )
    args = parser.parse_args()

    report: dict[str, object] = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "system": platform.platform(),
        },
        "settings": {"findings": args.findings, "batch": args.batch, "senders": args.senders},
    }
    with tempfile.TemporaryDirectory(prefix="dlp-bench-") as tmp:
        home = Path(tmp)
        collector, url = start_collector(home)
        try:
            batches = make_batches(args.findings, args.batch, seed=1)
            gz = [gzip.compress(b, compresslevel=5) for b in make_batches(args.findings, args.batch, seed=2)]
            probes: list[bytes | None] = [None] * 2000
            report["baseline_healthz"] = run_senders(url, probes, args.senders, gzipped=False)
            report["ingest_plain"] = run_senders(url, list(batches), args.senders, gzipped=False)
            report["ingest_gzip"] = run_senders(url, list(gz), args.senders, gzipped=True)
            report["ingest_all_duplicates"] = run_senders(url, list(batches), args.senders, gzipped=False)
            report["db_bytes"] = sum(p.stat().st_size for p in home.glob("findings.db*"))
            report["agent_latency"] = measure_latency(home, url, args.latency_files)
        finally:
            collector.terminate()
            collector.wait(timeout=30)
        if args.postgres != "off":
            report["postgres"] = postgres_rows(home, args.postgres, batches, args.senders)

    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    base = report["baseline_healthz"]
    print(f"machine: {os.cpu_count()} CPUs, Python {platform.python_version()}")
    print(f"baseline GET /healthz, {args.senders} senders: {base['requests_per_second']:,.0f} requests/s")  # type: ignore[index]
    for name in ("ingest_plain", "ingest_gzip", "ingest_all_duplicates"):
        row = report[name]
        print(
            f"{name:<22} {row['findings_per_second']:>10,.0f} findings/s  "  # type: ignore[index]
            f"({row['requests_per_second']:,.0f} requests/s of {args.batch}, "  # type: ignore[index]
            f"p50 {row['request_p50_ms']} ms, p95 {row['request_p95_ms']} ms)"  # type: ignore[index]
        )
    for name, row in (report.get("postgres") or {}).items():  # type: ignore[attr-defined]
        print(
            f"{name:<22} {row['findings_per_second']:>10,.0f} findings/s  "
            f"({row['requests_per_second']:,.0f} requests/s of {args.batch}, "
            f"p50 {row['request_p50_ms']} ms, p95 {row['request_p95_ms']} ms)"
        )
    for mode, row in report["agent_latency"].items():  # type: ignore[attr-defined]
        print(
            f"agent latency, {mode:<17} median {row['median_ms']} ms, "
            f"p95 {row['p95_ms']} ms, max {row['max_ms']} ms"
        )
    print(f"report: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
