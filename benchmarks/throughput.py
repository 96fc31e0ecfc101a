"""End-to-end throughput of ``dlp scan`` beside the tools a user could pick instead.

For each corpus of :mod:`corpus` (sparse prose, a dense customer CSV, a USB-like tree)
this runs, one process at a time and in the same session:

* ``dlp scan -j 1`` (pinned to one core with ``taskset -c 0`` when available) and
  ``dlp scan -j <all cores>`` (and ``-j 2`` on the tree), writing JSONL to its
  standard output, a pipe this script drains (as a CI job or the collector would
  read it); ``--to-file`` writes it to a file under ``benchmarks/out/`` instead,
  which on a slow disk measures the disk: a dense list's JSONL is 7 times its size;
* a plain Python ``re`` scanner with the same four patterns (mobile, resident ID,
  landline, plate), reading files in chunks, pinned as well;
* ripgrep with equivalent patterns (``rg -j1 --count-matches``, pinned), when ``rg``
  is on PATH.

It prints MB/s, findings (candidates for the baselines) per second and peak RSS
(``/usr/bin/time -f %M``, else ``getrusage(RUSAGE_CHILDREN)`` in a wrapper process),
then the issue's targets as ratios measured in this run, and writes a JSON report::

    python benchmarks/throughput.py [--quick] [--report FILE] [--repeat N] [--check]

``--quick`` uses a 64 MiB prose file, a 32 MiB CSV and a 30 MiB tree (a couple of
minutes); the default is 1 GiB, 256 MiB and 200 MiB. The corpus is generated once
under ``benchmarks/out/`` and reused. The exit status is 0 whatever the figures are,
unless ``--check`` is given: then 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

import corpus  # noqa: E402

OUT = HERE / "out"
FULL_SIZES = {"prose": "1G", "csv": "256M", "tree": "200M"}
QUICK_SIZES = {"prose": "64M", "csv": "32M", "tree": "30M"}
BENCH_KEY = "throughput-benchmark-key-0123456789"
SMALL_FILE_RUNS = 5
READ_CHARS = 1 << 20  # characters per read in the re baseline
OVERLAP = 64  # characters kept between reads (longer than any match)

_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_ID_DATE = r"(?:18|19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])"
# The four patterns as a user would write them for Python's re: the same shapes as the
# detectors' patterns (optional space or hyphen separators), look-arounds as boundaries.
RE_PATTERNS = {
    "mobile": r"(?<![0-9A-Za-z])1[3-9][0-9][ -]?[0-9]{4}[ -]?[0-9]{4}(?![0-9A-Za-z])",
    "resident_id": rf"(?<![0-9A-Za-z])[1-9][0-9]{{5}}[ -]?{_ID_DATE}[ -]?[0-9]{{3}}[0-9Xx](?![0-9A-Za-z])",
    "landline": r"(?<![0-9A-Za-z])(?:0[1-9][0-9]{1,2}|\(0[1-9][0-9]{1,2}\))[ -]?[1-9][0-9]{2,3}[ -]?[0-9]{4}"
    r"(?![0-9A-Za-z])",
    "plate": rf"[{_PROVINCES}][A-HJ-NP-Z][·\- ]?(?:[A-HJ-NP-Z0-9]{{5,6}}(?![0-9A-Za-z])"
    r"|[A-HJ-NP-Z0-9]{4}[学警挂港澳使领])",
}
# The same for ripgrep's default engine (no look-arounds): ASCII word boundaries.
_B = r"(?-u:\b)"
RG_PATTERNS = {
    "mobile": rf"{_B}1[3-9][0-9][ -]?[0-9]{{4}}[ -]?[0-9]{{4}}{_B}",
    "resident_id": rf"{_B}[1-9][0-9]{{5}}[ -]?{_ID_DATE}[ -]?[0-9]{{3}}[0-9Xx]{_B}",
    "landline": rf"(?:{_B}0[1-9][0-9]{{1,2}}|\(0[1-9][0-9]{{1,2}}\))[ -]?[1-9][0-9]{{2,3}}[ -]?[0-9]{{4}}"
    + _B,
    "plate": rf"[{_PROVINCES}][A-HJ-NP-Z][·\- ]?(?:[A-HJ-NP-Z0-9]{{5,6}}{_B}"
    r"|[A-HJ-NP-Z0-9]{4}[学警挂港澳使领])",
}
_RUSAGE_WRAPPER = (
    "import resource, subprocess, sys\n"
    "code = subprocess.run(sys.argv[2:]).returncode\n"
    "with open(sys.argv[1], 'w') as f:\n"
    "    f.write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))\n"
    "sys.exit(code)\n"
)


# -- the Python re baseline (run in a child process: --re-baseline PATH...) ----------------


def iter_files(paths: Sequence[str]) -> Iterator[str]:
    for path in paths:
        if os.path.isdir(path):
            for folder, dirs, names in os.walk(path):
                dirs.sort()
                for name in sorted(names):
                    yield os.path.join(folder, name)
        else:
            yield path


def re_count(paths: Sequence[str]) -> dict[str, int]:
    """Candidates of each pattern in ``paths``: text read in chunks, matched with ``re``."""
    compiled = {name: re.compile(pattern) for name, pattern in RE_PATTERNS.items()}
    counts: Counter[str] = Counter()
    for path in iter_files(paths):
        with open(path, encoding="utf-8", errors="replace", newline="") as handle:
            pending, skip = "", 0
            while True:
                block = handle.read(READ_CHARS)
                buf = pending + block
                limit = len(buf) if not block else len(buf) - OVERLAP
                if limit > skip:
                    for name, regex in compiled.items():
                        counts[name] += sum(1 for m in regex.finditer(buf, skip) if m.start() < limit)
                    pending, skip = buf[limit - 1 :], 1  # one character to look behind
                else:
                    pending = buf
                if not block:
                    break
    return dict(counts)


# -- measuring one command ----------------------------------------------------------------


@dataclass
class Run:
    corpus: str
    tool: str
    jobs: int
    pinned: bool
    bytes: int
    seconds: float = 0.0
    findings: int = 0
    peak_rss_kib: int = 0
    exit_code: int = 0
    output_bytes: int | None = None
    error: str | None = None
    detail: dict[str, int] = field(default_factory=dict)

    @property
    def mb_s(self) -> float:
        return self.bytes / 1e6 / self.seconds if self.seconds > 0 else 0.0

    @property
    def findings_s(self) -> float:
        return self.findings / self.seconds if self.seconds > 0 else 0.0

    @property
    def peak_rss_mb(self) -> float:
        return self.peak_rss_kib * 1024 / 1e6

    def as_dict(self) -> dict[str, object]:
        data = asdict(self)
        data.update(
            mb_s=round(self.mb_s, 2),
            findings_s=round(self.findings_s, 1),
            peak_rss_mb=round(self.peak_rss_mb, 1),
        )
        return data


@dataclass(frozen=True)
class Measured:
    seconds: float
    peak_rss_kib: int
    exit_code: int
    stdout: bytes  # with ``drain``: the last DRAIN_TAIL bytes
    stderr: bytes
    stdout_bytes: int = 0


DRAIN_TAIL = 1 << 20


class Harness:
    """Runs commands one at a time, optionally pinned to core 0, recording wall time and peak RSS."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.taskset = shutil.which("taskset")
        self.gnu_time = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None
        self.rss_method = "/usr/bin/time -f %M" if self.gnu_time else "getrusage(RUSAGE_CHILDREN)"

    def measure(self, cmd: Sequence[str], *, pin: bool, drain: bool = False) -> Measured:
        """Run ``cmd``; with ``drain``, its standard output is read as it comes (its size
        counted, its tail kept) instead of held in memory."""
        with tempfile.NamedTemporaryFile("r", suffix=".rss") as rss:
            if self.gnu_time:
                wrapped = [self.gnu_time, "-f", "%M", "-o", rss.name, *cmd]
            else:
                wrapped = [sys.executable, "-c", _RUSAGE_WRAPPER, rss.name, *cmd]
            if pin and self.taskset:
                wrapped = [self.taskset, "-c", "0", *wrapped]
            started = time.perf_counter()
            if drain:
                code, out, err, size = _drained(wrapped, self.env)
            else:
                done = subprocess.run(wrapped, capture_output=True, env=self.env, check=False)
                code, out, err = done.returncode, done.stdout, done.stderr
                size = len(out)
            seconds = time.perf_counter() - started
            text = rss.read().strip().splitlines()
        peak = int(text[-1]) if text and text[-1].isdigit() else 0
        return Measured(seconds, peak, code, out, err, size)


def _drained(cmd: Sequence[str], env: dict[str, str]) -> tuple[int, bytes, bytes, int]:
    """Run ``cmd`` reading its standard output in 1 MiB reads as it is written:
    (exit code, the output's last DRAIN_TAIL bytes, standard error, output size)."""
    import threading

    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    assert proc.stdout is not None and proc.stderr is not None
    errors: list[bytes] = []
    reader = threading.Thread(target=lambda: errors.append(proc.stderr.read()))  # type: ignore[union-attr]
    reader.start()
    fd, size, tail = proc.stdout.fileno(), 0, b""
    while block := os.read(fd, 1 << 20):
        size += len(block)
        tail = (tail + block)[-DRAIN_TAIL:]
    code = proc.wait()
    reader.join()
    proc.stdout.close()
    proc.stderr.close()
    return code, tail, b"".join(errors), size


def best_of(harness: Harness, cmd: Sequence[str], *, pin: bool, repeat: int, drain: bool = False) -> Measured:
    """The fastest of ``repeat`` runs (peak RSS: the largest seen)."""
    runs = [harness.measure(cmd, pin=pin, drain=drain) for _ in range(repeat)]
    fastest = min(runs, key=lambda r: r.seconds)
    peak = max(r.peak_rss_kib for r in runs)
    return Measured(
        fastest.seconds, peak, fastest.exit_code, fastest.stdout, fastest.stderr, fastest.stdout_bytes
    )


def warm(paths: Sequence[str]) -> None:
    """Read every file once so all tools start from the page cache."""
    for path in iter_files(paths):
        with open(path, "rb") as handle:
            while handle.read(1 << 22):
                pass


# -- the tools ----------------------------------------------------------------------------


def dlp_command(explicit: str | None) -> list[str]:
    if explicit:
        return shlex.split(explicit)
    beside = Path(sys.executable).with_name("dlp")
    if beside.exists():
        return [str(beside)]
    found = shutil.which("dlp")
    return [found] if found else [sys.executable, "-m", "dlp.cli"]


def run_dlp(
    harness: Harness,
    dlp: list[str],
    name: str,
    part: dict,
    jobs: int,
    repeat: int,
    engine: str | None = None,
    to_file: bool = False,
) -> Run:
    """``dlp scan -j JOBS`` (pinned to one core when JOBS is 1), JSONL written to a pipe
    this process drains, or with ``to_file`` to a file."""
    pin = jobs == 1
    tool = "dlp scan" if engine is None else f"dlp scan ({engine})"
    run = Run(name, tool, jobs, pin and bool(harness.taskset), int(part["bytes"]))
    report = OUT / f"dlp-{name}-j{jobs}.jsonl"
    cmd = [*dlp, "scan", str(part["path"]), "-j", str(jobs), "-f", "jsonl", "-q"]
    if to_file:
        cmd += ["-o", str(report)]
    if engine is not None:
        cmd += ["--engine", engine]
    measured = best_of(harness, cmd, pin=pin, repeat=repeat, drain=not to_file)
    run.seconds, run.peak_rss_kib, run.exit_code = measured.seconds, measured.peak_rss_kib, measured.exit_code
    if measured.exit_code not in (0, 1, 3):
        run.error = measured.stderr.decode("utf-8", "replace").strip()[-500:]
    elif to_file and report.exists():
        run.output_bytes = report.stat().st_size
        _count(run, _last_line(report))
    elif not to_file:
        run.output_bytes = measured.stdout_bytes
        lines = measured.stdout.splitlines()
        _count(run, _json_or_empty(lines[-1]) if lines else {})
    report.unlink(missing_ok=True)
    return run


def _count(run: Run, summary: dict) -> None:  # type: ignore[type-arg]
    run.detail = dict(summary.get("findings", {}))
    run.findings = sum(run.detail.values())


def _json_or_empty(line: bytes) -> dict:  # type: ignore[type-arg]
    try:
        return json.loads(line)
    except ValueError:
        return {}


def _last_line(path: Path) -> dict:
    with open(path, "rb") as handle:
        handle.seek(max(0, path.stat().st_size - 65536))
        lines = handle.read().splitlines()
    return _json_or_empty(lines[-1]) if lines else {}


def run_re(harness: Harness, name: str, part: dict, repeat: int) -> Run:
    run = Run(name, "python re", 1, bool(harness.taskset), int(part["bytes"]))
    cmd = [sys.executable, str(Path(__file__).resolve()), "--re-baseline", str(part["path"])]
    measured = best_of(harness, cmd, pin=True, repeat=repeat)
    run.seconds, run.peak_rss_kib, run.exit_code = measured.seconds, measured.peak_rss_kib, measured.exit_code
    if measured.exit_code != 0:
        run.error = measured.stderr.decode("utf-8", "replace").strip()[-500:]
    else:
        run.detail = json.loads(measured.stdout)
        run.findings = sum(run.detail.values())
    return run


def rg_version() -> str | None:
    rg = shutil.which("rg")
    if rg is None:
        return None
    done = subprocess.run([rg, "--version"], capture_output=True, text=True, check=False)
    return done.stdout.splitlines()[0] if done.stdout else "rg"


def run_rg(harness: Harness, name: str, part: dict, repeat: int) -> Run:
    run = Run(name, "ripgrep", 1, bool(harness.taskset), int(part["bytes"]))
    cmd = [str(shutil.which("rg")), "-j1", "--no-config", "--count-matches", "--no-filename"]
    cmd += ["--text", "--no-ignore", "--hidden"]  # search every file, binary ones as text (like dlp)
    for pattern in RG_PATTERNS.values():
        cmd += ["-e", pattern]
    cmd.append(str(part["path"]))
    measured = best_of(harness, cmd, pin=True, repeat=repeat)
    run.seconds, run.peak_rss_kib, run.exit_code = measured.seconds, measured.peak_rss_kib, measured.exit_code
    if measured.exit_code not in (0, 1):
        run.error = measured.stderr.decode("utf-8", "replace").strip()[-500:]
    else:
        run.findings = sum(int(x) for x in measured.stdout.split() if x.isdigit())
    return run


def engine_choices(dlp: list[str], env: dict[str, str]) -> list[str]:
    """Values of ``dlp scan --engine`` (empty when this version has no such option)."""
    done = subprocess.run([*dlp, "scan", "--help"], capture_output=True, text=True, env=env, check=False)
    found = re.search(r"--engine\s+\[([^\]]+)\]", done.stdout)
    return [e.strip() for e in found.group(1).split("|")] if found else []


def small_file_runs(harness: Harness, dlp: list[str], path: Path) -> list[float]:
    """Wall seconds of ``dlp scan`` on one small file, start-up included (after one warm-up run)."""
    cmd = [*dlp, "scan", str(path), "-f", "jsonl", "-o", os.devnull, "-q"]
    harness.measure(cmd, pin=False)  # compiles and caches the rules
    return [harness.measure(cmd, pin=False).seconds for _ in range(SMALL_FILE_RUNS)]


def write_small_file(path: Path, seed: int) -> None:
    rng = corpus.random.Random(f"small-{seed}")
    source = corpus.ProseSource(rng, corpus.Values(rng), corpus.Planted())
    path.write_text("".join(source.text(2048)), encoding="utf-8")


# -- targets ------------------------------------------------------------------------------


@dataclass
class Check:
    name: str
    measured: float | None
    target: str
    passed: bool | None  # None: could not be measured here
    unit: str = ""

    @property
    def result(self) -> str:
        return "n/a" if self.passed is None else "PASS" if self.passed else "FAIL"


def _find(runs: list[Run], corpus_name: str, tool: str, jobs: int) -> Run | None:
    for run in runs:
        ok = run.error is None and run.seconds > 0
        if ok and (run.corpus, run.tool, run.jobs) == (corpus_name, tool, jobs):
            return run
    return None


def _ratio(numerator: Run | None, denominator: Run | None) -> float | None:
    if numerator is None or denominator is None or denominator.mb_s == 0:
        return None
    return numerator.mb_s / denominator.mb_s


def checks(runs: list[Run], small: list[float], prose_bytes: int | None) -> list[Check]:
    out = []
    for name, minimum in (("prose", 0.8), ("csv", 0.15)):
        ratio = _ratio(_find(runs, name, "dlp scan", 1), _find(runs, name, "ripgrep", 1))
        passed = None if ratio is None else ratio >= minimum
        out.append(Check(f"{name}: dlp -j1 / ripgrep -j1 (MB/s)", ratio, f">= {minimum}", passed, "x"))
    scaling = _ratio(_find(runs, "tree", "dlp scan", 2), _find(runs, "tree", "dlp scan", 1))
    passed = None if scaling is None else scaling >= 1.7
    out.append(Check("tree: dlp -j2 / dlp -j1 (MB/s)", scaling, ">= 1.7", passed, "x"))
    prose = _find(runs, "prose", "dlp scan", 1)
    if prose is not None and prose_bytes:
        label = f"prose: peak RSS of dlp -j1 on {prose_bytes / 1e9:.2g} GB"
        out.append(Check(label, prose.peak_rss_mb, "<= 300 MB", prose.peak_rss_mb <= 300, " MB"))
    if small:
        median = statistics.median(small)
        label = f"one small file: dlp scan wall (median of {len(small)})"
        out.append(Check(label, median, "<= 0.5 s", median <= 0.5, " s"))
    return out


# -- output -------------------------------------------------------------------------------


def markdown(runs: list[Run], results: list[Check]) -> str:
    lines = [
        "| corpus | MB | tool | jobs | pinned | wall s | MB/s | findings | findings/s | peak RSS MB |",
        "|---|---:|---|---:|:-:|---:|---:|---:|---:|---:|",
    ]
    for r in runs:
        if r.error is not None:
            failed = r.error.replace("|", "/").replace("\n", " ")[:60]
            lines.append(f"| {r.corpus} | {r.bytes / 1e6:.0f} | {r.tool} | {r.jobs} | | failed: {failed} |")
            continue
        count = f"{r.findings:,}" + ("" if r.tool.startswith("dlp") else " cand.")
        lines.append(
            f"| {r.corpus} | {r.bytes / 1e6:.0f} | {r.tool} | {r.jobs} | {'yes' if r.pinned else ''} "
            f"| {r.seconds:.2f} | {r.mb_s:.1f} | {count} | {r.findings_s:,.0f} | {r.peak_rss_mb:.0f} |"
        )
    lines += ["", "| target | measured | goal | result |", "|---|---:|---|:-:|"]
    for c in results:
        value = "-" if c.measured is None else f"{c.measured:.3g}{c.unit}"
        lines.append(f"| {c.name} | {value} | {c.target} | {c.result} |")
    return "\n".join(lines)


README_BEGIN, README_END = "<!-- throughput:begin -->", "<!-- throughput:end -->"


def update_readme(
    path: Path, table: str, info: dict[str, object], load: dict[str, float], argv: list[str] | None
) -> None:
    """Replace the text between the throughput markers of ``path`` with this run's table."""
    text = path.read_text(encoding="utf-8")
    head, found, rest = text.partition(README_BEGIN)
    _, found_end, tail = rest.partition(README_END)
    if not (found and found_end):
        raise SystemExit(f"{path}: no {README_BEGIN} ... {README_END} block")
    args = list(sys.argv[1:] if argv is None else argv)
    keep = [a for i, a in enumerate(args) if a != "--readme" and (i == 0 or args[i - 1] != "--readme")]
    command = " ".join(["python benchmarks/throughput.py", *keep])
    about = (
        f"{info['date']}, commit {info['commit']}, {info['cpu']} ({info['cores']} cores), "
        f"Python {info['python']}, {info['ripgrep'] or 'no ripgrep'}; load average "
        f"{load['before']} before, {load['after']} after."
    )
    block = f"{README_BEGIN}\n`{command}`: {about}\n\n{table}\n{README_END}"
    path.write_text(head + block + tail, encoding="utf-8")


def machine(dlp: list[str], harness: Harness) -> dict[str, object]:
    from importlib import metadata

    def version(package: str) -> str | None:
        try:
            return metadata.version(package)
        except metadata.PackageNotFoundError:
            return None

    cpu = platform.processor()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            cpu = next((ln.split(":", 1)[1].strip() for ln in handle if ln.startswith("model name")), cpu)
    except OSError:
        pass
    commit = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    ).stdout.strip()
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "dlp": version("dlp"),
        "yara-python": version("yara-python"),
        "commit": commit or None,
        "dlp_command": dlp,
        "ripgrep": rg_version(),
        "pinning": "taskset -c 0" if harness.taskset else None,
        "peak_rss": harness.rss_method,
    }


# -- main ---------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small corpus: 64M prose, 32M CSV, 30M tree")
    parser.add_argument("--report", type=Path, default=OUT / "throughput.json", help="JSON report file")
    parser.add_argument("--corpus", type=Path, default=None, help="corpus folder (default: under out/)")
    parser.add_argument("--prose-size", type=corpus.parse_size, default=None, metavar="S")
    parser.add_argument("--csv-size", type=corpus.parse_size, default=None, metavar="S")
    parser.add_argument("--tree-size", type=corpus.parse_size, default=None, metavar="S")
    parser.add_argument("--seed", type=int, default=corpus.DEFAULT_SEED)
    parser.add_argument("--repeat", type=int, default=1, help="runs per measurement; the fastest counts")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="'all cores' for dlp -j")
    parser.add_argument("--dlp", default=None, help="scanner command (default: dlp beside this python)")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument(
        "--to-file", action="store_true", help="dlp writes its JSONL to a file under out/ (default: a pipe)"
    )
    parser.add_argument("--readme", type=Path, default=None, help="put the table into this Markdown file")
    parser.add_argument(
        "--from-report",
        type=Path,
        default=None,
        metavar="FILE",
        help="run nothing: print (and with --readme write) the table of an earlier JSON report",
    )
    parser.add_argument("--re-baseline", nargs="+", metavar="PATH", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.re_baseline:
        print(json.dumps(re_count(args.re_baseline)))
        return 0
    if args.from_report is not None:
        earlier = json.loads(args.from_report.read_text(encoding="utf-8"))
        print(earlier["markdown"])
        if args.readme is not None:
            command = earlier.get("command", ["--quick"] if "quick" in args.from_report.name else [])
            machine_info, load = earlier["machine"], earlier["load_average"]
            update_readme(args.readme, earlier["markdown"], machine_info, load, command)
            _log(f"table written to {args.readme}")
        return 1 if args.check and any(t.get("passed") is False for t in earlier["targets"]) else 0

    defaults = QUICK_SIZES if args.quick else FULL_SIZES
    given = {"prose": args.prose_size, "csv": args.csv_size, "tree": args.tree_size}
    sizes = {name: corpus.parse_size(defaults[name] if s is None else s) for name, s in given.items()}
    corpus_dir = args.corpus or OUT / ("corpus-quick" if args.quick else "corpus")
    parts = corpus.ensure_corpus(corpus_dir, sizes=sizes, seed=args.seed, log=_log)

    OUT.mkdir(parents=True, exist_ok=True)
    load_before = os.getloadavg()[0]
    if load_before > 0.5:
        _log(f"warning: load average {load_before:.2f} before the run: other processes skew the figures")
    env = dict(os.environ)
    env.setdefault("DLP_KEY", BENCH_KEY)
    env["XDG_CACHE_HOME"] = str(OUT / "cache")  # a private, warm rule cache
    harness = Harness(env)
    dlp = dlp_command(args.dlp)
    small_path = OUT / "small.txt"
    write_small_file(small_path, args.seed)
    _log(f"dlp: {' '.join(dlp)}; one small file, {SMALL_FILE_RUNS} runs ...")
    small = small_file_runs(harness, dlp, small_path)

    engines = engine_choices(dlp, env)
    have_rg = shutil.which("rg") is not None
    if not have_rg:
        _log("ripgrep (rg) is not on PATH: its baseline is skipped")
    runs: list[Run] = []
    for name, part in parts.items():
        warm([str(part["path"])])
        job_counts = sorted({1, args.jobs} | ({2} if name == "tree" else set()))
        plan = [("ripgrep", 1)] if have_rg else []
        plan += [("python re", 1)] + [("dlp scan", j) for j in job_counts]
        if "yara" in engines and name != "tree":  # the fallback engine, single core
            plan.append(("dlp scan (yara)", 1))
        for tool, jobs in plan:
            _log(f"{name}: {tool} -j{jobs} ...")
            if tool == "ripgrep":
                run = run_rg(harness, name, part, args.repeat)
            elif tool == "python re":
                run = run_re(harness, name, part, args.repeat)
            elif tool == "dlp scan":
                run = run_dlp(harness, dlp, name, part, jobs, args.repeat, to_file=args.to_file)
            else:
                run = run_dlp(
                    harness, dlp, name, part, jobs, args.repeat, engine="yara", to_file=args.to_file
                )
            runs.append(run)
            _log(f"  {run.seconds:.2f} s, {run.mb_s:.1f} MB/s, {run.findings} found" + _error(run))

    prose_bytes = int(parts["prose"]["bytes"]) if "prose" in parts else None
    results = checks(runs, small, prose_bytes)
    table = markdown(runs, results)
    print(table)
    report = {
        "machine": machine(dlp, harness),
        "load_average": {"before": round(load_before, 2), "after": round(os.getloadavg()[0], 2)},
        "dlp_output": "file" if args.to_file else "pipe",
        "corpus": {name: {k: v for k, v in part.items() if k != "seconds"} for name, part in parts.items()},
        "runs": [r.as_dict() for r in runs],
        "small_file": {"path": str(small_path), "seconds": [round(s, 3) for s in small]},
        "targets": [{**asdict(c), "result": c.result} for c in results],
        "markdown": table,
        "command": [a for a in (sys.argv[1:] if argv is None else argv) if a != "--check"],
    }
    args.report.parent.mkdir(parents=True, exist_ok=True)
    args.report.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    _log(f"report: {args.report}")
    if args.readme is not None:
        update_readme(args.readme, table, report["machine"], report["load_average"], argv)
        _log(f"table written to {args.readme}")
    if args.check and any(c.passed is False for c in results):
        return 1
    return 0


def _error(run: Run) -> str:
    return "" if run.error is None else f" (failed: {run.error[-200:]})"


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
