"""Cluster scan throughput: the same tree of text files on 1 and 2 Dask workers.

Usage::

    python benchmarks/cluster.py [--files N] [--file-size S] [--repeat N] [--out FILE]

Writes a tree of ``--files`` plain text files (Chinese prose with planted personal
data, :mod:`corpus`; 1200 files of 64 KiB by default, 75 MiB) and scans it with
:func:`dlp.distributed.scan_entries`, JSONL reports as ``dlp scan --cluster -f jsonl``
makes them, on a ``LocalCluster`` of 1 and one of 2 single-thread worker processes
(both started before the clock starts: a scan's time includes the worker plugin building
the scanners; the workers tuned as ``dlp scan --cluster local:N`` tunes them). Baseline
in the same run: the scan in this one process (``dlp scan -j 1``). The runs take turns,
``--repeat`` rounds (other load on the machine falls on all alike); the fastest counts.

CPU seconds (the client's process, scheduler included, plus every worker's) over the
wall time says how many cores a run kept busy: on a machine shared with other jobs, 2
workers cannot be faster than the cores they get.

Per-task overhead: the 1-worker scan once more with one file per task; the extra
time over the batched scan, divided by the extra tasks, is what the scheduler, the
messages and the result handling cost per task.

Prints a table and writes a JSON report (default ``benchmarks/out/cluster.json``).
The exit status is 0 whatever the figures; ``--check`` exits 1 when 2 workers are
under 1.6 times 1 worker.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import random
import resource
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


def cpu_seconds(dask_worker: object = None) -> float:
    """CPU time (user + system) this process has used (run on each worker by ``Client.run``)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def timed(run, client=None) -> tuple[float, float, int]:  # type: ignore[no-untyped-def]
    """Seconds ``run()`` takes to yield everything, the CPU seconds it took here and on the
    workers of ``client``, and the bytes of JSONL it yielded."""
    workers = client.run(cpu_seconds) if client is not None else {}
    here = cpu_seconds()
    started = time.perf_counter()
    written = sum(len(item.rendered or b"") for item in run())
    wall = time.perf_counter() - started
    used = cpu_seconds() - here
    if client is not None:
        after = client.run(cpu_seconds)
        used += sum(after[address] - workers.get(address, 0.0) for address in after)
    return wall, used, written


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

    with contextlib.ExitStack() as stack:
        clients = {}
        for workers in (1, 2):
            cluster = stack.enter_context(
                LocalCluster(n_workers=workers, threads_per_worker=1, dashboard_address=None)
            )
            clients[workers] = stack.enter_context(Client(cluster))

        def on(workers: int, sizing: Sizing, listed=entries):  # type: ignore[no-untyped-def]
            client = clients[workers]
            return (
                lambda: scan_entries(client, scanner, listed, spec, sizing=sizing, tune_workers=True),
                client,
            )

        runs = {
            "in-process (-j 1)": (lambda: scan_here(scanner, config, entries, 1, spec), None),
            "cluster, 1 worker": on(1, sizing),
            "cluster, 2 workers": on(2, sizing),
            "cluster, 1 worker, 1 file per task": on(1, Sizing(batch_files=1)),
            "scan setup alone, 2 workers": on(2, sizing, []),
        }
        # Round after round, every run once: other load on the machine falls on all of them alike.
        times: dict[str, list[float]] = {name: [] for name in runs}
        cpu: dict[str, list[float]] = {name: [] for name in runs}
        outputs = set()
        for _ in range(args.repeat):
            for name, (run, client) in runs.items():
                seconds, used, out = timed(run, client)
                times[name].append(seconds)
                cpu[name].append(used)
                if not name.startswith("scan setup"):
                    outputs.add(out)
    rows = {name: min(values) for name, values in times.items()}
    fastest = {name: values.index(min(values)) for name, values in times.items()}
    cores = {name: cpu[name][fastest[name]] / rows[name] for name in rows}
    local = rows["in-process (-j 1)"]
    batched_tasks = -(-total // sizing.batch_bytes)
    per_task = (rows["cluster, 1 worker, 1 file per task"] - rows["cluster, 1 worker"]) / max(
        1, len(entries) - batched_tasks
    )
    assert len(outputs) == 1, "the scans wrote different reports"
    one, two = rows["cluster, 1 worker"], rows["cluster, 2 workers"]
    print(f"{'run':<40} {'seconds':>8} {'MiB/s':>8} {'CPU s':>8} {'cores busy':>10}")
    for name, seconds in rows.items():
        used = cpu[name][fastest[name]]
        print(f"{name:<40} {seconds:>8.2f} {mib / seconds:>8.1f} {used:>8.2f} {cores[name]:>10.2f}")
    print(f"speed-up, 2 workers over 1: {one / two:.2f}x (target {TARGET}x)")
    print(f"cluster, 1 worker over in-process: {one / local:.2f}x the time")
    print(f"per-task overhead: {per_task * 1000:.2f} ms; load average {os.getloadavg()[0]:.1f}")
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
        "all_seconds": times,
        "cpu_seconds": cpu,
        "cores_busy": cores,
        "speedup_2_over_1": one / two,
        "per_task_overhead_ms": per_task * 1000,
        "load_average_1min": os.getloadavg()[0],
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    return 1 if args.check and one / two < TARGET else 0


if __name__ == "__main__":
    sys.exit(main())
