"""Golden JSONL reports of ``dlp scan``: the output that any implementation must reproduce.

Usage::

    python tests/golden/regenerate.py [--dlp CMD] [--out DIR]

``CMD`` is the scanner to run (default: ``dlp`` on PATH; it may carry arguments, e.g.
``"python -m dlp.cli"``) and ``DIR`` where the reports go (default: this folder). The
golden files in this folder were made with the implementation tagged ``c-lane-last`` (commit 21b1193)
(the C lane), from a worktree of that tag with its own non-editable install::

    git worktree add /tmp/old c-lane-last
    python -m venv /tmp/oldvenv && /tmp/oldvenv/bin/pip install /tmp/old pytest
    /tmp/oldvenv/bin/python tests/golden/regenerate.py --dlp /tmp/oldvenv/bin/dlp

Each case scans fixed inputs with fixed settings (``DLP_KEY`` below, ``-j 1``,
``--format jsonl``, ``--no-config``, ``--no-progress -q``) and gives ``CASE.jsonl``: the
scanner's records in the order it wrote them (file by file, in walk order; nothing is
sorted), normalised only so that they compare across runs and machines:

* the ``summary`` record loses its timing (``seconds``); its counts stay;
* paths are relative: every scan runs in a temporary folder of its own, holding a copy
  of the repository's inputs under their repository paths (``tests/samples/...``) or
  the generated ones (``CASE/...``); any absolute path of that folder or of the
  repository left in a string is replaced by ``<work>`` or ``<repo>``.

Generated inputs are written by this script from fixed seeds, with :mod:`dlp.synthetic`,
``benchmarks/corpus.py``, ``benchmarks/accuracy.py`` and the corpus builders of some
tests (every value is synthetic). ``inputs.json`` records, for each case, the arguments,
the exit status and the SHA-256 of every input file, so that a change of the inputs
(a generator or sample changed) is told apart from a change of the scanner's output.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import random
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
KEY = "golden-key-0123456789abcdef"
COMMON_ARGS = ("scan", "-j", "1", "--format", "jsonl", "--no-config", "--no-progress", "-q")
SUMMARY_TIMINGS = ("seconds",)  # summary fields that depend on the machine, dropped
INPUTS_FILE = "inputs.json"

try:  # the inputs are generated with the ``dlp`` package of this Python (the scanner may be another)
    import dlp  # noqa: F401
except ImportError:  # run from a checkout without installing: use the checkout
    sys.path.append(str(REPO))


def _load(relative: str) -> ModuleType:
    """A module of this repository by path (benchmarks and tests are not packages)."""
    path = REPO / relative
    name = "golden_src_" + path.stem
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


# -- cases ------------------------------------------------------------------------------


@dataclass
class Invocation:
    """One ``dlp scan`` (run in the case's folder): its extra arguments and paths, its standard input."""

    paths: list[str]
    extra: list[str] = field(default_factory=list)
    stdin: bytes | None = None
    inputs: list[Path] = field(default_factory=list)  # files to record the hashes of


def _write(root: Path, relative: str, data: bytes | str) -> None:
    target = root / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)


def _copy_samples(work: Path) -> Path:
    """tests/samples, copied to ``work/tests/samples`` so that the scan runs outside the checkout.

    (Run from the checkout, ``python -m dlp.cli`` would import the checkout's ``dlp``
    folder instead of the installed package.) The copy keeps the names, so the paths
    reported are the repository's own: ``tests/samples/...``.
    """
    target = work / "tests" / "samples"
    shutil.copytree(REPO / "tests" / "samples", target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return target


def case_samples(work: Path) -> Invocation:
    """(a) The bundled sample folder, masked."""
    return Invocation(["tests/samples"], inputs=[_copy_samples(work)])


def case_samples_reveal(work: Path) -> Invocation:
    """(b) The bundled sample folder with raw values."""
    return Invocation(["tests/samples"], ["--reveal"], inputs=[_copy_samples(work)])


# Detectors added after the golden files were made (issue 16). Their examples are not
# inputs of the golden cases (tests/detectors runs them), and tests/test_golden.py leaves
# their findings out when comparing: the golden files hold the golden-era detectors.
ADDED_DETECTORS = frozenset(
    {
        "cn_passport",
        "hk_id",
        "hk_macau_permit",
        "home_return_permit",
        "qq_number",
        "tw_compatriot_permit",
        "tw_id",
        "vin",
        "wechat_id",
    }
)


def case_detector_examples(work: Path) -> Invocation:
    """(c) Each golden-era detector's documented positives and negatives, one text file each."""
    from dlp.detectors import all_detectors

    root = work / "detector_examples"
    for detector in all_detectors():
        if detector.name in ADDED_DETECTORS:
            continue
        for number, example in enumerate(detector.positives):
            _write(root, f"{detector.name}/positive_{number:02d}.txt", example.text + "\n")
        for number, text in enumerate(detector.negatives):
            _write(root, f"{detector.name}/negative_{number:02d}.txt", text + "\n")
    return Invocation([root.name], ["--reveal"], inputs=[root])


def case_bench_customers_csv(work: Path) -> Invocation:
    """(d) A dense customer list from ``benchmarks/corpus.py`` (seed 6, 160 KB)."""
    corpus = _load("benchmarks/corpus.py")
    root = work / "bench_customers_csv"
    root.mkdir()
    corpus.make_csv(root / "customers.csv", 160_000, 6)
    return Invocation([root.name], inputs=[root])


def case_bench_prose(work: Path) -> Invocation:
    """(d) Sparse prose with planted values and decoys from ``benchmarks/corpus.py`` (seed 6, 384 KB)."""
    corpus = _load("benchmarks/corpus.py")
    root = work / "bench_prose"
    root.mkdir()
    corpus.make_prose(root / "prose.txt", 384_000, 6)
    return Invocation([root.name], ["--reveal"], inputs=[root])


FULLWIDTH = str.maketrans("0123456789()+-@", "０１２３４５６７８９（）＋－＠")


def mixed_forms_text() -> str:
    """Values written in the many forms people type them (synthetic, seeded)."""
    from dlp import synthetic

    rng = random.Random("dlp-golden/mixed-forms/1")
    lines = [
        "# 各种写法（全部为合成数据）",
        "手机 +86 138 1234 5678，备用 138-1234-5678，(+86)13812345678，(+86) 138 1234 5678",
        "国际 0086 13812345678，0086-138-1234-5678，全角 ０086 13812345678 和 ００８６１３８１２３４５６７８",
    ]
    for i in range(12):
        m = synthetic.mobile(rng)
        forms = (
            m,
            f"+86 {m[:3]} {m[3:7]} {m[7:]}",
            f"{m[:3]}-{m[3:7]}-{m[7:]}",
            f"(+86){m}",
            f"（+86）{m}",
            f"0086{m}",
            f"０086 {m}",
            m.translate(FULLWIDTH),
            f"+86-{m}",
            f"{m[:3]} {m[3:7]} {m[7:]}",
            f"86{m}",
            f"tel:{m}",
        )
        lines.append(f"联系人{i}：手机 {forms[i]}；备注 {synthetic.prose(rng, 12)}")
    for i in range(10):
        rid = synthetic.resident_id(rng)
        forms = (
            rid,
            f"{rid[:6]} {rid[6:14]} {rid[14:]}",
            f"{rid[:6]}-{rid[6:14]}-{rid[14:]}",
            rid.lower(),
            rid.translate(FULLWIDTH),
            f"{rid[:6]}　{rid[6:14]}　{rid[14:]}",
            f"身份证:{rid}",
            f"{rid[:3]} {rid[3:6]} {rid[6:10]} {rid[10:14]} {rid[14:]}",
            f"ID{rid}",
            f"{rid}号",
        )
        lines.append(f"身份证号码 {forms[i]}")
    for i in range(10):
        area, number = synthetic.landline(rng)
        forms = (
            f"({area}){number}",
            f"（{area}）{number}",
            f"{area}-{number}",
            f"{area}-{number}-8021",
            f"{area}-{number}转123",
            f"{area} {number} ext. 45",
            f"+86 {area[1:]} {number}",
            f"({area}) {number}".translate(FULLWIDTH),
            f"{area}{number}",
            f"0086-{area[1:]}-{number}",
        )
        lines.append(f"办公电话 {forms[i]}")
    lines.append("座机 (021)12345678，(010) 8765 4321，021-12345678-2001，０２１－１２３４５６７８")
    for i in range(8):
        plate = synthetic.plate(rng)
        forms = (
            plate,
            f"{plate[:2]}·{plate[2:]}",
            f"{plate[:2]} {plate[2:]}",
            f"{plate[:2]}-{plate[2:]}",
            plate.lower(),
            f"{plate[:2]}•{plate[2:]}",
            f"{plate[:2]}・{plate[2:]}",
            f"车牌号码:{plate}",
        )
        lines.append(f"车牌 {forms[i]}")
    lines.append("车牌 京A·12345，粤B·D12345，沪A·12345D")
    for i in range(6):
        email = synthetic.email(rng)
        local, domain = email.split("@")
        forms = (
            email,
            email.upper(),
            f"<{local.title()}@{domain}>",
            f"mailto:{email}",
            f"{local}＠{domain}",
            f"{local}+crm@{domain}",
        )
        lines.append(f"邮箱 {forms[i]}")
    for i in range(4):
        card = synthetic.bank_card(rng, 16 if i % 2 else 19)
        grouped = " ".join(card[j : j + 4] for j in range(0, len(card), 4))
        forms = (card, grouped, grouped.replace(" ", "-"), card.translate(FULLWIDTH))
        lines.append(f"银行卡号：{forms[i]}")
    lines.append(f"统一社会信用代码：{synthetic.uscc(rng)}，{synthetic.uscc(rng).lower()}")
    masked_id = f"{synthetic.resident_id(rng)[:6]}********1234"
    lines.append(f"掩码 138****5678，{masked_id}，订单号 DD2024031200012345678")
    return "\n".join(lines) + "\n"


def case_mixed_forms(work: Path) -> Invocation:
    """(d) A text file with full-width digits and the mixed written forms."""
    root = work / "mixed_forms"
    _write(root, "mixed_forms.txt", mixed_forms_text())
    _write(root, "mixed_forms_crlf_gb18030.txt", mixed_forms_text().replace("\n", "\r\n").encode("gb18030"))
    return Invocation([root.name], ["--reveal"], inputs=[root])


def case_mixed_forms_stdin(work: Path) -> Invocation:
    """(d) The same text on standard input."""
    data = mixed_forms_text().encode("utf-8")
    _write(work, "mixed_forms_stdin.txt", data)
    return Invocation(["-"], stdin=data, inputs=[work / "mixed_forms_stdin.txt"])


def case_vectors(work: Path) -> Invocation:
    """(e) The public test vectors (tests/vectors), one file each, with test_vectors' context prefixes."""
    vectors = _load("tests/test_vectors.py")
    root = work / "vectors"
    for path in sorted((REPO / "tests" / "vectors").glob("*.json")):
        for number, vector in enumerate(json.loads(path.read_text(encoding="utf-8"))["vectors"]):
            detector = vector["detector"]
            text = vectors.PREFIX.get(detector, "") + vector["text"]
            _write(root, f"{path.stem}/{number:03d}_{detector}.txt", text)
    return Invocation([root.name], ["--reveal"], inputs=[root])


def case_encodings(work: Path) -> Invocation:
    """(e) test_encodings' customer text in every encoding, with invalid bytes, CRLF and binary junk."""
    enc = _load("tests/test_encodings.py")
    root = work / "encodings"
    for name in enc.ENCODINGS:
        _write(root, f"customers-{name}.csv", enc.encode(enc.TEXT, name))
    _write(root, "customers-crlf-gb18030.csv", enc.TEXT.replace("\n", "\r\n").encode("gb18030"))
    for number, (name, bad) in enumerate(
        [("utf-8", b"\xff"), ("utf-8", b"\xc3("), ("gb18030", b"\xff"), ("utf-16-le", b"\x00\xd8")]
    ):
        _write(root, f"invalid-{number}-{name}.csv", enc._with_invalid_bytes(name, bad))
    junk = random.Random(7).randbytes(30_000)
    _write(root, "embedded.bin", junk[:10_000] + b"\x00\n" + "手机 13812345678\n".encode() + junk[10_000:])
    _write(root, "junk.bin", random.Random(0).randbytes(50_000) + b"\x00" * 16)
    return Invocation([root.name], inputs=[root])


def case_policy_corpus(work: Path) -> Invocation:
    """(e) test_policy_corpus' held-out corpus (lists in many layouts, small files, clean files)."""
    pol = _load("tests/test_policy_corpus.py")
    root = work / "policy_corpus"
    root.mkdir()
    rng = random.Random(pol.SEED)
    for name, layout in pol.LISTS.items():
        rows = [pol.person(rng) for _ in range(rng.randint(100, 400))]
        _write(root, name, layout(rows))
    for name, text in pol.small_files(rng).items():
        _write(root, name, text)
    for name, text in pol.clean_files(rng).items():
        _write(root, name, text)
    return Invocation([root.name], inputs=[root])


def case_accuracy_corpus(work: Path) -> Invocation:
    """(e) benchmarks/accuracy.py's corpus (every written form and decoy kind; seed 20240601, 150 files)."""
    acc = _load("benchmarks/accuracy.py")
    root = work / "accuracy_corpus"
    acc.build_corpus(root, seed=acc.DEFAULT_SEED, n_files=150)
    return Invocation([root.name], inputs=[root])


CASES: dict[str, Callable[[Path], Invocation]] = {
    "samples": case_samples,
    "samples_reveal": case_samples_reveal,
    "detector_examples": case_detector_examples,
    "bench_customers_csv": case_bench_customers_csv,
    "bench_prose": case_bench_prose,
    "mixed_forms": case_mixed_forms,
    "mixed_forms_stdin": case_mixed_forms_stdin,
    "vectors": case_vectors,
    "encodings": case_encodings,
    "policy_corpus": case_policy_corpus,
    "accuracy_corpus": case_accuracy_corpus,
}


# -- running and normalising ------------------------------------------------------------


def _hashes(paths: list[Path], base: Path) -> dict[str, str]:
    files: list[Path] = []
    for path in paths:
        files += sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    out = {}
    for file in files:
        if file.name == "__pycache__" or file.suffix == ".pyc":
            continue
        out[file.relative_to(base).as_posix()] = hashlib.sha256(file.read_bytes()).hexdigest()
    return out


def _replace_paths(value: Any, replacements: list[tuple[str, str]]) -> Any:
    if isinstance(value, str):
        for old, new in replacements:
            value = value.replace(old, new)
        return value
    if isinstance(value, list):
        return [_replace_paths(v, replacements) for v in value]
    if isinstance(value, dict):
        return {k: _replace_paths(v, replacements) for k, v in value.items()}
    return value


def normalise(stdout: bytes, work: Path) -> list[dict[str, Any]]:
    """The report's records, timing dropped and absolute paths replaced."""
    replacements = []
    for folder, label in sorted(((work, "<work>"), (REPO, "<repo>")), key=lambda p: -len(str(p[0]))):
        for form in {str(folder), str(folder.resolve())}:
            replacements.append((form, label))
    records = []
    for line in stdout.decode("utf-8").splitlines():
        if not line.strip():
            continue
        record = json.loads(line)
        if record.get("type") == "summary":
            for name in SUMMARY_TIMINGS:
                record.pop(name, None)
        records.append(_replace_paths(record, replacements))
    return records


def dumps(records: list[dict[str, Any]]) -> bytes:
    lines = (json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n" for r in records)
    return "".join(lines).encode("utf-8")


def run_case(name: str, dlp: list[str], work: Path, env: dict[str, str]) -> tuple[bytes, dict[str, Any]]:
    """Build the case's inputs under ``work``, scan them; (normalised JSONL, its inputs.json entry)."""
    invocation = CASES[name](work)
    args = [*COMMON_ARGS, *invocation.extra, *invocation.paths]
    done = subprocess.run(
        [*dlp, *args],
        cwd=work,
        env=env,
        input=invocation.stdin if invocation.stdin is not None else b"",
        capture_output=True,
        timeout=600,
        check=False,
    )
    records = normalise(done.stdout, work) if done.returncode in (0, 1) else []
    if not records or records[-1].get("type") != "summary":  # a crash can exit 1 too
        stderr = done.stderr.decode("utf-8", "replace")[-2000:]
        raise RuntimeError(f"case {name}: {shlex.join([*dlp, *args])} exited {done.returncode}:\n{stderr}")
    entry = {"args": args, "exit_code": done.returncode, "inputs": _hashes(invocation.inputs, work)}
    return dumps(records), entry


def scan_env(work: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DLP_")}
    env["DLP_KEY"] = KEY
    env["XDG_CACHE_HOME"] = str(work / ".xdg-cache")
    env["XDG_CONFIG_HOME"] = str(work / ".xdg-config")
    env.setdefault("LC_ALL", "C.UTF-8")
    return env


def generate(dlp: list[str], out: Path, cases: list[str] | None = None) -> dict[str, dict[str, Any]]:
    """Run every case (or ``cases``) with ``dlp``, write ``out/CASE.jsonl`` and ``out/inputs.json``."""
    out.mkdir(parents=True, exist_ok=True)
    manifest: dict[str, dict[str, Any]] = {}
    if cases and (out / INPUTS_FILE).exists():  # a partial run keeps the other cases' entries
        manifest = json.loads((out / INPUTS_FILE).read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory(prefix="dlp-golden-") as temp:
        base = Path(temp)
        env = scan_env(base)
        for name in cases or list(CASES):
            work = base / name  # each case gets its own folder, so no case sees another's files
            work.mkdir()
            jsonl, entry = run_case(name, dlp, work, env)
            (out / f"{name}.jsonl").write_bytes(jsonl)
            manifest[name] = entry
    (out / INPUTS_FILE).write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dlp", default="dlp", help="scanner command (default: dlp on PATH)")
    parser.add_argument("--out", type=Path, default=HERE, help="output folder (default: this folder)")
    parser.add_argument("--case", action="append", choices=list(CASES), help="only this case (repeatable)")
    args = parser.parse_args(argv)
    dlp = shlex.split(args.dlp)
    if shutil.which(dlp[0]) is None and not Path(dlp[0]).exists():
        parser.error(f"no such command: {dlp[0]}")
    manifest = generate(dlp, args.out, args.case)
    for name in args.case or list(CASES):
        entry = manifest[name]
        size = (args.out / f"{name}.jsonl").stat().st_size
        print(f"{name}: exit {entry['exit_code']}, {len(entry['inputs'])} input(s), {size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
