"""End-to-end throughput of ``dlp scan`` beside the tools a user could pick instead.

For each corpus of :mod:`corpus` (sparse prose, a dense customer CSV, a USB-like tree)
and of :mod:`heldout` (a dense customer CSV, dense mixed-form text and sparse prose, from
Faker, not from the project's generator) this runs, one process at a time and in the
same session:

* ``dlp scan -j 1`` (pinned to one core with ``taskset -c 0`` when available) and
  ``dlp scan -j <all cores>`` (and ``-j 2`` on the tree), writing JSONL to its
  standard output, a pipe this script drains (as a CI job or the collector would
  read it); ``--to-file`` writes it to a file under ``benchmarks/out/`` instead,
  which on a slow disk measures the disk: a dense list's JSONL is 7 times its size;
* a plain Python ``re`` scanner with the same four patterns (mobile, resident ID,
  landline, plate), reading files in chunks, pinned as well;
* ripgrep with equivalent patterns (``rg -j1 --count-matches``, pinned), when ``rg``
  is on PATH (``apt-get install -y ripgrep``); on the mixed-form text the patterns are
  widened to its forms (+86 prefixes, extensions, full-width digits);
* on the held-out corpora, only ripgrep and ``dlp scan -j 1``; on the held-out CSV also
  ``dlp scan -j 1`` with ``--reveal``, with ``--edm INDEX`` (built first with ``dlp edm
  build`` from the held-out master) and with ``--config allowlist.toml``, each compared
  with the plain scan of the same file in the same run.

It prints MB/s, findings (candidates for the baselines) per second and peak RSS
(``/usr/bin/time -f %M``, else ``getrusage(RUSAGE_CHILDREN)`` in a wrapper process),
then the issue's targets as ratios measured in this run, and writes a JSON report::

    python benchmarks/throughput.py [--quick] [--report FILE] [--repeat N] [--check]

``--quick`` uses a 64 MiB prose file, a 32 MiB CSV and a 30 MiB tree, and held-out
files of 32, 32 and 64 MiB (a couple of minutes); ``--smoke`` 8/4/4 MiB and 4/4/8 MiB
(under a minute: start-up dominates, so its ratios mean nothing); the default is 1 GiB,
256 MiB and 200 MiB, and 256 MiB, 256 MiB and 1 GiB. The corpora are generated once
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
import documents  # noqa: E402
import heldout  # noqa: E402

OUT = HERE / "out"
FULL_SIZES = {"prose": "1G", "csv": "256M", "tree": "200M"}
QUICK_SIZES = {"prose": "64M", "csv": "32M", "tree": "30M"}
SMOKE_SIZES = {"prose": "8M", "csv": "4M", "tree": "4M"}
# The held-out corpora (heldout.py, from Faker): name in the table -> heldout.py part
HELDOUT_PARTS = {"held-out csv": "csv", "held-out mixed": "mixed", "held-out prose": "prose"}
HELDOUT_FULL = {"csv": "256M", "mixed": "256M", "prose": "1G"}
HELDOUT_QUICK = {"csv": "32M", "mixed": "32M", "prose": "64M"}
HELDOUT_SMOKE = {"csv": "4M", "mixed": "4M", "prose": "8M"}
# The dense held-out CSV is also scanned with each of these, as a ratio to the plain scan.
OPTION_RUNS = ("--reveal", "--edm", "--config allowlist.toml")
# The targets: (name, minimum ratio) for dlp -j1 / ripgrep -j1, both pinned (MB/s).
RG_TARGETS = {"prose": 1.0, "held-out prose": 1.0, "csv": 0.3, "held-out csv": 0.3, "held-out mixed": 0.3}
OPTION_TARGET = 0.8  # plain scan's wall time / the scan with an option's (an option costs <= 1.25x)
TREE_TARGET = 1.8  # dlp -j2 / dlp -j1 on the tree (MB/s)
RSS_TARGET_MB = 200  # peak RSS of dlp -j1 on the 1 GiB prose files
SMALL_TARGET_S = 0.3  # one small file, start-up included
# Per-format document rows (documents.py): name in the table -> (format, bare parser).
DOC_PARTS = {
    "xlsx docs": ("xlsx", "python-calamine"),
    "pdf docs": ("pdf", "pypdfium2"),
    "docx docs": ("docx", "zip + XML"),
    "zip of csvs": ("zip", "zipfile inflate"),
}
# Documents written by LibreOffice from the held-out CSV (when soffice is installed).
HELDOUT_DOC_PARTS = {
    "held-out xlsx (LibreOffice)": ("xlsx", "python-calamine"),
    "held-out ods (LibreOffice)": ("ods", "python-calamine"),
    "held-out docx (LibreOffice)": ("docx", "zip + XML"),
    "held-out pdf (LibreOffice)": ("pdf", "pypdfium2"),
}
DOC_FILES = {"full": 10, "quick": 4, "smoke": 2}
DOC_TARGET = 0.5  # dlp scan -j1 / its bare parser (MB/s), both pinned
TREE_MB_S_TARGET = 30.0  # dlp scan -j1 on the tree: 20 x the 1.5 MB/s of 0.2
INSTALL_RG = "apt-get install -y ripgrep (Debian/Ubuntu), or cargo install ripgrep"
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
# For the mixed-form text: the same four, widened to the forms dlp reads there (+86, 0086,
# (+86) and 86- before a mobile, a landline's +86 form and extension), plus full-width
# twins (digits ０-９, ＋, －, （）). Full-width characters are not ASCII word characters, so
# those twins start after a character that is not a digit or letter (consumed) instead.
_FW_START = r"(?:^|[^0-9０-９A-Za-z])"
_FW_ID_DATE = "(?:１８|１９|２０)[０-９]{2}(?:０[１-９]|１[０-２])(?:０[１-９]|[１２][０-９]|３[０１])"
RG_WIDE_PATTERNS = {
    "mobile": rf"(?:(?:\+|00)86[ -]?|\(\+?86\) ?|86-)?{_B}1[3-9][0-9][ -]?[0-9]{{4}}[ -]?[0-9]{{4}}{_B}",
    "mobile (full-width)": rf"{_FW_START}(?:[+＋]?８６[ －-]?|[(（][+＋]?(?:86|８６)[)）] ?)?"
    r"１[３-９][０-９][ －-]?[０-９]{4}[ －-]?[０-９]{4}",
    "resident_id": RG_PATTERNS["resident_id"],
    "resident_id (full-width)": rf"{_FW_START}[１-９][０-９]{{5}}[ －-]?{_FW_ID_DATE}[ －-]?"
    r"[０-９]{3}[０-９ＸｘXx]",
    "landline": rf"(?:{_B}0[1-9][0-9]{{1,2}}|\(0[1-9][0-9]{{1,2}}\)|\+86[ -]?[1-9][0-9]{{1,2}})"
    rf"[ -]?[1-9][0-9]{{2,3}}[ -]?[0-9]{{4}}{_B}(?:-[0-9]{{1,5}}{_B})?",
    "landline (full-width)": rf"{_FW_START}(?:[(（]０[１-９][０-９]{{1,2}}[)）]|０[１-９][０-９]{{1,2}})"
    r"[ －-]?[１-９][０-９]{2,3}[ －-]?[０-９]{4}",
    "plate": RG_PATTERNS["plate"],
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
    extra: Sequence[str] = (),
    label: str | None = None,
) -> Run:
    """``dlp scan -j JOBS [EXTRA]`` (pinned to one core when JOBS is 1), JSONL written to a
    pipe this process drains, or with ``to_file`` to a file."""
    pin = jobs == 1
    tool = "dlp scan" if engine is None else f"dlp scan ({engine})"
    if label is not None:
        tool = f"{tool} {label}"
    run = Run(name, tool, jobs, pin and bool(harness.taskset), int(part["bytes"]))
    slug = re.sub(r"[^0-9A-Za-z]+", "-", f"{name}-j{jobs}-{label or ''}").strip("-")
    report = OUT / f"dlp-{slug}.jsonl"
    cmd = [*dlp, "scan", str(part["path"]), "-j", str(jobs), "-f", "jsonl", "-q", *extra]
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


def run_bare(harness: Harness, name: str, part: dict, fmt: str, parser: str, repeat: int) -> Run:
    """The bare parser of ``fmt`` reading every file of the part (documents.py --bare), pinned."""
    run = Run(name, f"bare {parser}", 1, bool(harness.taskset), int(part["bytes"]))
    cmd = [sys.executable, str(HERE / "documents.py"), "--bare", fmt, str(part["path"])]
    measured = best_of(harness, cmd, pin=True, repeat=repeat)
    run.seconds, run.peak_rss_kib, run.exit_code = measured.seconds, measured.peak_rss_kib, measured.exit_code
    if measured.exit_code != 0:
        run.error = measured.stderr.decode("utf-8", "replace").strip()[-500:]
    return run


def rg_version() -> str | None:
    rg = shutil.which("rg")
    if rg is None:
        return None
    done = subprocess.run([rg, "--version"], capture_output=True, text=True, check=False)
    return done.stdout.splitlines()[0] if done.stdout else "rg"


def run_rg(
    harness: Harness, name: str, part: dict, repeat: int, patterns: dict[str, str] | None = None
) -> Run:
    run = Run(name, "ripgrep", 1, bool(harness.taskset), int(part["bytes"]))
    cmd = [str(shutil.which("rg")), "-j1", "--no-config", "--count-matches", "--no-filename"]
    cmd += ["--text", "--no-ignore", "--hidden"]  # search every file, binary ones as text (like dlp)
    for pattern in (RG_PATTERNS if patterns is None else patterns).values():
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


def build_edm(harness: Harness, dlp: list[str], master: dict, index: Path) -> tuple[float, str | None]:
    """``dlp edm build`` of the held-out master: (wall seconds, error or None)."""
    index.unlink(missing_ok=True)
    cmd = [
        *dlp,
        "edm",
        "build",
        str(master["path"]),
        "--out",
        str(index),
        "--columns",
        str(master["columns"]),
    ]
    measured = harness.measure(cmd, pin=False)
    if measured.exit_code != 0 or not index.exists():
        return measured.seconds, measured.stderr.decode("utf-8", "replace").strip()[-500:] or "no index"
    return measured.seconds, None


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


def checks(runs: list[Run], small: list[float], sizes: dict[str, int]) -> list[Check]:
    """The targets, as ratios of runs of this session (``sizes``: corpus name -> bytes)."""
    out = []
    for name, minimum in RG_TARGETS.items():
        if name not in sizes:
            continue
        ratio = _ratio(_find(runs, name, "dlp scan", 1), _find(runs, name, "ripgrep", 1))
        passed = None if ratio is None else ratio >= minimum
        out.append(Check(f"{name}: dlp -j1 / ripgrep -j1 (MB/s)", ratio, f">= {minimum}", passed, "x"))
    if "held-out csv" in sizes:
        plain = _find(runs, "held-out csv", "dlp scan", 1)
        for option in OPTION_RUNS:
            ratio = _ratio(_find(runs, "held-out csv", f"dlp scan {option}", 1), plain)
            passed = None if ratio is None else ratio >= OPTION_TARGET
            label = f"held-out csv: plain / {option} (wall s)"
            out.append(Check(label, ratio, f">= {OPTION_TARGET}", passed, "x"))
    for name in (*DOC_PARTS, *HELDOUT_DOC_PARTS):
        if name not in sizes:
            continue
        parts = {**DOC_PARTS, **HELDOUT_DOC_PARTS}
        bare = _find(runs, name, f"bare {parts[name][1]}", 1)
        ratio = _ratio(_find(runs, name, "dlp scan", 1), bare)
        passed = None if ratio is None else ratio >= DOC_TARGET
        out.append(
            Check(f"{name}: dlp -j1 / {parts[name][1]} (MB/s)", ratio, f">= {DOC_TARGET}", passed, "x")
        )
    if "tree" in sizes:
        tree = _find(runs, "tree", "dlp scan", 1)
        speed = tree.mb_s if tree is not None else None
        passed = None if speed is None else speed >= TREE_MB_S_TARGET
        out.append(Check("tree: dlp -j1 (MB/s)", speed, f">= {TREE_MB_S_TARGET:g}", passed, " MB/s"))
        scaling = _ratio(_find(runs, "tree", "dlp scan", 2), _find(runs, "tree", "dlp scan", 1))
        passed = None if scaling is None else scaling >= TREE_TARGET
        out.append(Check("tree: dlp -j2 / dlp -j1 (MB/s)", scaling, f">= {TREE_TARGET}", passed, "x"))
    for name in ("prose", "held-out prose"):
        run = _find(runs, name, "dlp scan", 1)
        if run is not None and sizes.get(name):
            label = f"{name}: peak RSS of dlp -j1 on {sizes[name] / 1e9:.2g} GB"
            ok = run.peak_rss_mb <= RSS_TARGET_MB if sizes[name] >= 1e9 else None  # n/a below 1 GB
            out.append(Check(label, run.peak_rss_mb, f"<= {RSS_TARGET_MB} MB on 1 GB", ok, " MB"))
    if small:
        median = statistics.median(small)
        label = f"one small file: dlp scan wall (median of {len(small)})"
        out.append(Check(label, median, f"<= {SMALL_TARGET_S} s", median <= SMALL_TARGET_S, " s"))
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
        "faker": version("Faker"),
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
    parser.add_argument(
        "--smoke", action="store_true", help="tiny corpora (8M prose, 4M CSV, 4M tree; held-out 4M/4M/8M)"
    )
    parser.add_argument("--report", type=Path, default=OUT / "throughput.json", help="JSON report file")
    parser.add_argument("--corpus", type=Path, default=None, help="corpus folder (default: under out/)")
    parser.add_argument("--prose-size", type=corpus.parse_size, default=None, metavar="S")
    parser.add_argument("--csv-size", type=corpus.parse_size, default=None, metavar="S")
    parser.add_argument("--tree-size", type=corpus.parse_size, default=None, metavar="S")
    parser.add_argument("--seed", type=int, default=corpus.DEFAULT_SEED)
    parser.add_argument("--heldout", type=Path, default=None, help="held-out folder (default: under out/)")
    parser.add_argument("--heldout-csv-size", type=corpus.parse_size, default=None, metavar="S")
    parser.add_argument("--heldout-mixed-size", type=corpus.parse_size, default=None, metavar="S")
    parser.add_argument("--heldout-prose-size", type=corpus.parse_size, default=None, metavar="S")
    parser.add_argument("--heldout-seed", type=int, default=heldout.DEFAULT_SEED)
    parser.add_argument("--repeat", type=int, default=1, help="runs per measurement; the fastest counts")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="'all cores' for dlp -j")
    parser.add_argument("--dlp", default=None, help="scanner command (default: dlp beside this python)")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument(
        "--to-file", action="store_true", help="dlp writes its JSONL to a file under out/ (default: a pipe)"
    )
    parser.add_argument(
        "--doc-files", type=int, default=0, metavar="N", help="documents per format (default 10, quick 4)"
    )
    parser.add_argument(
        "--no-libreoffice", action="store_true", help="skip the held-out documents LibreOffice writes"
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

    mode = "smoke" if args.smoke else "quick" if args.quick else "full"
    defaults = {"smoke": SMOKE_SIZES, "quick": QUICK_SIZES, "full": FULL_SIZES}[mode]
    given = {"prose": args.prose_size, "csv": args.csv_size, "tree": args.tree_size}
    sizes = {name: corpus.parse_size(defaults[name] if s is None else s) for name, s in given.items()}
    corpus_dir = args.corpus or OUT / ("corpus" if mode == "full" else f"corpus-{mode}")
    parts = corpus.ensure_corpus(corpus_dir, sizes=sizes, seed=args.seed, log=_log)

    OUT.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env.setdefault("DLP_KEY", BENCH_KEY)
    env["XDG_CACHE_HOME"] = str(OUT / "cache")  # a private, warm rule cache
    ho_defaults = {"smoke": HELDOUT_SMOKE, "quick": HELDOUT_QUICK, "full": HELDOUT_FULL}[mode]
    ho_given = {
        "csv": args.heldout_csv_size,
        "mixed": args.heldout_mixed_size,
        "prose": args.heldout_prose_size,
    }
    ho_sizes = {k: corpus.parse_size(ho_defaults[k] if v is None else v) for k, v in ho_given.items()}
    ho_dir = args.heldout or OUT / ("heldout" if mode == "full" else f"heldout-{mode}")
    try:
        ho = heldout.ensure_heldout(
            ho_dir, sizes=ho_sizes, seed=args.heldout_seed, key=env["DLP_KEY"], log=_log
        )
    except RuntimeError as exc:  # no Faker
        _log(f"{exc}: the held-out rows are skipped")
        ho = {}
    for label, name in HELDOUT_PARTS.items():
        if name in ho:
            parts[label] = ho[name]
    doc_dir = OUT / ("documents" if mode == "full" else f"documents-{mode}")
    _log("documents: per-format folders ...")
    doc_files = args.doc_files or DOC_FILES[mode]
    made = documents.ensure_documents(doc_dir, dict.fromkeys(documents.FORMATS, doc_files))
    doc_formats = {name: fmt for name, (fmt, _) in DOC_PARTS.items()}
    for name, fmt in doc_formats.items():
        parts[name] = made[fmt]
    if documents.soffice() is not None and "csv" in ho and not args.no_libreoffice:
        _log("held-out documents: LibreOffice converts the held-out CSV ...")
        try:
            converted = documents.ensure_heldout_documents(
                doc_dir / "heldout", Path(str(ho["csv"]["path"])), pieces=doc_files
            )
        except (subprocess.SubprocessError, OSError) as exc:
            _log(f"  LibreOffice failed ({exc}): the held-out document rows are skipped")
        else:
            for name, (fmt, _) in HELDOUT_DOC_PARTS.items():
                parts[name] = converted[fmt]
    elif documents.soffice() is None:
        _log("LibreOffice (soffice) is not installed: the held-out document rows are skipped")

    load_before = os.getloadavg()[0]
    if load_before > 0.5:
        _log(f"warning: load average {load_before:.2f} before the run: other processes skew the figures")
    harness = Harness(env)
    dlp = dlp_command(args.dlp)
    small_path = OUT / "small.txt"
    write_small_file(small_path, args.seed)
    _log(f"dlp: {' '.join(dlp)}; one small file, {SMALL_FILE_RUNS} runs ...")
    small = small_file_runs(harness, dlp, small_path)

    engines = engine_choices(dlp, env)
    have_rg = shutil.which("rg") is not None
    if not have_rg:
        _log(f"ripgrep (rg) is not on PATH: its baseline is skipped. Install it: {INSTALL_RG}")
    edm_index = OUT / "heldout.edm"
    edm_build: dict[str, object] = {}
    if "held-out csv" in parts and "master" in ho:
        _log("held-out csv: dlp edm build ...")
        seconds, failed = build_edm(harness, dlp, ho["master"], edm_index)
        edm_build = {"seconds": round(seconds, 3), "error": failed, "rows": ho["master"]["rows"]}
        _log(f"  {seconds:.2f} s" + ("" if failed is None else f" (failed: {failed[-200:]})"))
    options = {
        "--reveal": ["--reveal"],
        "--edm": ["--edm", str(edm_index)],
        "--config allowlist.toml": ["--config", str(ho.get("allowlist", {}).get("path", "allowlist.toml"))],
    }
    runs: list[Run] = []
    for name, part in parts.items():
        warm([str(part["path"])])
        doc = DOC_PARTS.get(name) or HELDOUT_DOC_PARTS.get(name)
        if doc is not None:  # the bare parser and dlp -j1, both pinned
            plan = [(f"bare {doc[1]}", 1), ("dlp scan", 1)]
        elif name in HELDOUT_PARTS:  # ripgrep and dlp -j1, and on the CSV dlp with each option
            plan = [("ripgrep", 1)] if have_rg else []
            plan += [("dlp scan", 1)]
            plan += [(option, 1) for option in OPTION_RUNS if name == "held-out csv"]
        else:
            job_counts = sorted({1, args.jobs} | ({2} if name == "tree" else set()))
            plan = [("ripgrep", 1)] if have_rg else []
            plan += [("python re", 1)] + [("dlp scan", j) for j in job_counts]
            if "yara" in engines and name != "tree":  # the fallback engine, single core
                plan.append(("dlp scan (yara)", 1))
        for tool, jobs in plan:
            _log(f"{name}: {tool} -j{jobs} ...")
            if tool.startswith("bare ") and doc is not None:
                run = run_bare(harness, name, part, doc[0], doc[1], args.repeat)
            elif tool == "ripgrep":
                wide = RG_WIDE_PATTERNS if name == "held-out mixed" else None
                run = run_rg(harness, name, part, args.repeat, wide)
            elif tool == "python re":
                run = run_re(harness, name, part, args.repeat)
            elif tool == "dlp scan":
                run = run_dlp(harness, dlp, name, part, jobs, args.repeat, to_file=args.to_file)
            elif tool in options:
                run = run_dlp(
                    harness, dlp, name, part, jobs, args.repeat, to_file=args.to_file,
                    extra=options[tool], label=tool,
                )  # fmt: skip
            else:
                run = run_dlp(
                    harness, dlp, name, part, jobs, args.repeat, engine="yara", to_file=args.to_file
                )
            runs.append(run)
            _log(f"  {run.seconds:.2f} s, {run.mb_s:.1f} MB/s, {run.findings} found" + _error(run))

    results = checks(runs, small, {name: int(part["bytes"]) for name, part in parts.items()})
    table = markdown(runs, results)
    print(table)
    report = {
        "machine": machine(dlp, harness),
        "load_average": {"before": round(load_before, 2), "after": round(os.getloadavg()[0], 2)},
        "dlp_output": "file" if args.to_file else "pipe",
        "corpus": {name: {k: v for k, v in part.items() if k != "seconds"} for name, part in parts.items()},
        "heldout": {
            "folder": str(ho_dir),
            "master": ho.get("master"),
            "allowlist": ho.get("allowlist"),
            "edm_build": edm_build,
        },
        "rg_patterns": {"default": RG_PATTERNS, "held-out mixed": RG_WIDE_PATTERNS},
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
