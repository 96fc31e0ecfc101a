"""Cluster scan throughput: the same tree of text files on 1 and 2 Dask workers.

Usage::

    python benchmarks/cluster.py [--files N] [--file-size S] [--repeat N] [--out FILE]

Writes a tree of ``--files`` plain text files (Chinese prose with planted personal
data, :mod:`corpus`; 1200 files of 64 KiB by default, 75 MiB) and scans it with
:func:`dlp.distributed.scan_entries`, JSONL reports as ``dlp scan --cluster -f jsonl``
makes them, on a ``LocalCluster`` of 1 and then 2 single-thread worker processes
(started before the clock starts: a scan's time includes the worker plugin building
the scanners; the workers tuned as ``dlp scan --cluster local:N`` tunes them). Baseline
in the same run: the scan in this one process (``dlp scan -j 1``). The fastest of ``--repeat`` runs counts.

Per-task overhead: the 1-worker scan once more with one file per task; the extra
time over the batched scan, divided by the extra tasks, is what the scheduler, the
messages and the result handling cost per task.

Prints a table and writes a JSON report (default ``benchmarks/out/cluster.json``).
The exit status is 0 whatever the figures; ``--check`` exits 1 when 2 workers are
under 1.6 times 1 worker.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))
try:
    import dlp
except ImportError:  # run from a checkout without installing
    sys.path.insert(0, str(REPO))

from corpus import Planted, ProseSource, Values, parse_size, write_stream  # noqa: E402

import dlp  # noqa: E402
from dlp.distributed import Sizing, scan_entries  # noqa: E402
from dlp.parallel import scan_entries as scan_here  # noqa: E402
from dlp.report import ReportSpec  # noqa: E402
from dlp.walk import walk  # noqa: E402

KEY = b"benchmark-key-0123456789abcdef"
TARGET = 1.6


def make_tree(root: Path, files: int, size: int, seed: int = 15) -> int:
    """``files`` prose files of about ``size`` bytes in 10 folders; returns the bytes (reused if there)."""
    stamp = root.parent / f"{root.name}.made"
    made = f"{files} {size} {seed} "
    if stamp.exists() and stamp.read_text().startswith(made) and root.is_dir():
        return int(stamp.read_text().split()[-1])
    if root.exists():
        import shutil

        shutil.rmtree(root)
    rng = random.Random(seed)
    values, planted = Values(rng), Planted()
    total = 0
    for n in range(files):
        folder = root / f"share-{n % 10}"
        folder.mkdir(parents=True, exist_ok=True)
        total += write_stream(folder / f"doc-{n:05d}.txt", ProseSource(rng, values, planted).text(size))
    stamp.write_text(f"{made}{total}")
    return total


def timed(run) -> tuple[float, int]:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    written = sum(len(item.rendered or b"") for item in run())
    return time.perf_counter() - started, written


def best(repeat: int, run) -> tuple[float, int]:  # type: ignore[no-untyped-def]
    results = [timed(run) for _ in range(repeat)]
    return min(r[0] for r in results), results[0][1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--files", type=int, default=1200)
    parser.add_argument("--file-size", type=parse_size, default="64K", metavar="S")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--tree", type=Path, default=REPO / "benchmarks" / "out" / "cluster-tree")
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "out" / "cluster.json")
    parser.add_argument(
        "--no-profile", action="store_true", help="turn off the workers' statistical profiler (every 10 ms)"
    )
    parser.add_argument("--check", action="store_true", help=f"exit 1 when 2 workers < {TARGET}x 1 worker")
    args = parser.parse_args(argv)

    import dask
    from distributed import Client, LocalCluster

    if args.no_profile:
        dask.config.set({"distributed.worker.profile.enabled": False})

    os.environ["DLP_KEY"] = KEY.decode()
    from dlp import tuning

    tuning.tune_allocator()  # as the dlp command does for itself (the in-process baseline)
    total = make_tree(args.tree, args.files, args.file_size)
    entries = list(walk([str(args.tree)]))
    config = dlp.ScanConfig(key=KEY)
    scanner = dlp.Scanner(config)
    tuning.tune_gc()
    spec = ReportSpec("jsonl", key=KEY)
    sizing = Sizing()
    mib = total / 2**20
    print(f"tree: {len(entries)} files, {mib:.1f} MiB; {os.cpu_count()} cores; fastest of {args.repeat}")

    local, local_out = best(args.repeat, lambda: scan_here(scanner, config, entries, 1, spec))
    rows = {"in-process (-j 1)": local}
    outputs = {local_out}
    per_task = None
    for workers in (1, 2):
        with (
            LocalCluster(n_workers=workers, threads_per_worker=1, dashboard_address=None) as cluster,
            Client(cluster) as client,
        ):
            seconds, out = best(
                args.repeat,
                lambda: scan_entries(client, scanner, entries, spec, sizing=sizing, tune_workers=True),
            )
            rows[f"cluster, {workers} worker(s)"] = seconds
            setup, _ = best(args.repeat, lambda: scan_entries(client, scanner, [], spec))
            rows[f"scan setup alone, {workers} worker(s)"] = setup
            outputs.add(out)
            if workers == 1:
                single, out = best(
                    args.repeat,
                    lambda: scan_entries(
                        client, scanner, entries, spec, sizing=Sizing(batch_files=1), tune_workers=True
                    ),
                )
                outputs.add(out)
                batched_tasks = -(-total // sizing.batch_bytes)
                per_task = (single - seconds) / max(1, len(entries) - batched_tasks)
                rows["cluster, 1 worker, 1 file per task"] = single
    assert len(outputs) == 1, "the scans wrote different reports"
    one, two = rows["cluster, 1 worker(s)"], rows["cluster, 2 worker(s)"]
    print(f"{'run':<40} {'seconds':>8} {'MiB/s':>8}")
    for name, seconds in rows.items():
        print(f"{name:<40} {seconds:>8.2f} {mib / seconds:>8.1f}")
    print(f"speed-up, 2 workers over 1: {one / two:.2f}x (target {TARGET}x)")
    print(f"cluster, 1 worker over in-process: {one / local:.2f}x the time")
    print(f"per-task overhead: {per_task * 1000:.2f} ms")
    report = {
        "machine": {
            "cores": os.cpu_count(),
            "python": platform.python_version(),
            "system": platform.platform(),
        },
        "tree": {"files": len(entries), "bytes": total},
        "repeat": args.repeat,
        "batch_bytes": sizing.batch_bytes,
        "seconds": rows,
        "speedup_2_over_1": one / two,
        "per_task_overhead_ms": per_task * 1000,  # type: ignore[operator]
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    return 1 if args.check and one / two < TARGET else 0


if __name__ == "__main__":
    sys.exit(main())
