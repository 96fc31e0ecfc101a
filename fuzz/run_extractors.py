"""Run the extractor fuzzer (``fuzz/extractors.py``) for a set time, unattended, and report.

    python fuzz/run_extractors.py SECONDS [--runs N] [--timeout S] [--rss-limit-mb M] [--jobs J]

Runs libFuzzer (through atheris) on the seeds in ``fuzz/corpus-py/extractors`` (written
on first use) plus what earlier runs found (``fuzz/corpus-run/extractors``). libFuzzer
stops at the first crash, hang (an input over ``--timeout`` seconds) or out-of-memory
(over ``--rss-limit-mb``); this runner keeps the artifact and starts it again until the
time (or ``--runs`` inputs) is used up, so one problem does not end a night's campaign.
With ``--jobs J``, J fuzzers run side by side on the same corpus.

At the end it prints, and writes to ``fuzz/artifacts/extractors/summary.json``:
inputs executed, crashes, hangs, out-of-memory stops, peak RSS of any fuzzer process
(``getrusage`` of the children, in MB), seconds, and the artifacts' paths. The exit
status is 0 when no crash, hang or out-of-memory stop was seen, else 1.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEEDS = HERE / "corpus-py" / "extractors"
CORPUS = HERE / "corpus-run" / "extractors"
ARTIFACTS = HERE / "artifacts" / "extractors"
_EXECS = re.compile(r"^#(\d+)\s", re.MULTILINE)
_DONE = re.compile(r"Done (\d+) runs in")
KINDS = {"crash": "crashes", "timeout": "hangs", "oom": "out_of_memory", "leak": "crashes"}
_SLOWEST = re.compile(r"stat::slowest_unit_time_sec:\s*(\d+)")


def one_run(seconds: float, runs: int | None, args: argparse.Namespace, log: Path) -> int:
    """One libFuzzer process; returns the inputs it executed (its log is kept next to the artifacts)."""
    command = [
        sys.executable,
        str(HERE / "extractors.py"),
        str(CORPUS),
        str(SEEDS),
        f"-max_total_time={max(1, int(seconds))}",
        f"-timeout={args.timeout}",
        f"-rss_limit_mb={args.rss_limit_mb}",
        f"-max_len={args.max_len}",
        f"-artifact_prefix={ARTIFACTS}/",
        "-print_final_stats=1",
    ]
    if runs is not None:
        command.append(f"-runs={runs}")
    env = dict(os.environ, DLP_FUZZ_FILE_TIMEOUT=str(args.file_timeout))
    with open(log, "ab") as out:
        subprocess.run(command, stdout=out, stderr=subprocess.STDOUT, env=env, check=False)
    text = log.read_text(encoding="utf-8", errors="replace")
    done = _DONE.findall(text)
    counts = [int(n) for n in _EXECS.findall(text)]
    final = re.findall(r"stat::number_of_executed_units:\s*(\d+)", text)
    if final:
        return int(final[-1])
    if done:
        return int(done[-1])
    return max(counts, default=0)


def worker(index: int, args: argparse.Namespace, deadline: float, runs: int | None) -> int:
    executed = 0
    while time.monotonic() < deadline - 1 and (runs is None or executed < runs):
        log = ARTIFACTS / f"fuzzer-{index}-{int(time.time() * 1000)}.log"
        left = None if runs is None else runs - executed
        executed += one_run(deadline - time.monotonic(), left, args, log)
        if runs is not None and executed >= runs:
            break
    return executed


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("seconds", type=float)
    parser.add_argument("--runs", type=int, default=None, help="stop after this many inputs (per job)")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--timeout", type=int, default=60, help="an input over this many seconds is a hang")
    parser.add_argument("--file-timeout", type=float, default=10, help="dlp's own --file-timeout")
    parser.add_argument("--rss-limit-mb", type=int, default=2048)
    parser.add_argument("--max-len", type=int, default=65536)
    args = parser.parse_args()
    for folder in (SEEDS, CORPUS, ARTIFACTS):
        folder.mkdir(parents=True, exist_ok=True)
    if not any(SEEDS.iterdir()):
        make = [sys.executable, str(HERE / "extractors.py"), "--make-corpus", str(SEEDS)]
        subprocess.run(make, check=True, capture_output=True)
    before = {p.name for p in ARTIFACTS.iterdir()}
    started = time.monotonic()
    deadline = started + args.seconds
    with ThreadPoolExecutor(args.jobs) as pool:
        executed = sum(pool.map(lambda i: worker(i, args, deadline, args.runs), range(args.jobs)))
    new = sorted(p for p in ARTIFACTS.iterdir() if p.name not in before and p.suffix not in (".log", ".json"))
    found = {"crashes": [], "hangs": [], "out_of_memory": []}
    for path in new:
        kind = KINDS.get(path.name.split("-", 1)[0])
        if kind is not None:
            found[kind].append(str(path))
    slowest = max(
        (
            int(n)
            for log in ARTIFACTS.glob("fuzzer-*.log")
            if log.name not in before
            for n in _SLOWEST.findall(log.read_text(encoding="utf-8", errors="replace"))
        ),
        default=0,
    )
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # Linux: KiB
    summary = {
        "inputs": executed,
        "crashes": len(found["crashes"]),
        "hangs": len(found["hangs"]),
        "out_of_memory": len(found["out_of_memory"]),
        "peak_rss_mb": round(peak_mb, 1),
        "slowest_input_seconds": slowest,
        "seconds": round(time.monotonic() - started, 1),
        "jobs": args.jobs,
        "artifacts": found,
    }
    (ARTIFACTS / "summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    print(
        f"inputs {executed}, crashes {summary['crashes']}, hangs {summary['hangs']}, "
        f"out-of-memory {summary['out_of_memory']}, peak RSS {summary['peak_rss_mb']} MB, "
        f"slowest input {slowest} s, "
        f"{summary['seconds']} s ({args.jobs} job(s))"
    )
    for kind, paths in found.items():
        for path in paths:
            print(f"  {kind}: {path}")
    return 1 if any(found.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
