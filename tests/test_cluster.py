"""Scans on a real Dask cluster (a ``dask scheduler`` and ``dask worker`` processes on
loopback) give exactly the records of a scan on one machine, in the same order; a
worker killed mid-scan loses nothing and duplicates nothing; a worker with another
fingerprint key is refused; an ``s3://`` prefix on a real S3-compatible server
(moto's server mode) gives the findings of the same files on disk.

The cluster and the S3 server are started once for the module (they take seconds).
"""

from __future__ import annotations

import io
import os
import random
import signal
import zipfile
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
from cluster_support import TEST_KEY, Cluster, base_env, dask_cluster, moto_server, run_dlp, s3_env, upload

import dlp
from dlp import synthetic
from dlp.distributed import Sizing, scan, scan_entries
from dlp.distributed.stores import is_url, walk_url
from dlp.parallel import scan_entries as scan_here
from dlp.report import ReportSpec
from dlp.walk import walk

REPO = Path(__file__).resolve().parent.parent


def _lines(rng: random.Random, count: int) -> str:
    out = []
    for i in range(count):
        words = synthetic.prose(rng, rng.randint(5, 40))
        kind = rng.randrange(5)
        if kind == 0:
            out.append(f"{words}手机{synthetic.mobile(rng)}")
        elif kind == 1:
            out.append(f"身份证{synthetic.resident_id(rng)} {words}")
        elif kind == 2:
            out.append(f"{words} 邮箱 {synthetic.email(rng)}")
        elif i % 50 == 0:
            out.append(f"{words}严禁外传")  # a signature rule, in many segments
        else:
            out.append(words)
    return "\n".join(out) + "\n"


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Nested folders of synthetic text files, a zip, a GB18030 file, an empty file and
    one large text file (scanned in segments with a small ``Sizing``)."""
    root = tmp_path_factory.mktemp("tree")
    rng = random.Random(15)
    for d in range(4):
        folder = root / f"dept-{d}" / ("archive" if d % 2 else "current")
        folder.mkdir(parents=True)
        for n in range(30):
            (folder / f"note-{n:02d}.txt").write_text(_lines(rng, rng.randint(1, 30)), encoding="utf-8")
    (root / "a-top.txt").write_text(_lines(rng, 10), encoding="utf-8")
    (root / "gbk.csv").write_bytes(
        f"姓名,手机\n{synthetic.chinese_name(rng)},{synthetic.mobile(rng)}\n".encode("gb18030")
    )
    (root / "empty.txt").write_bytes(b"")
    (root / f"名单-{synthetic.mobile(rng)}.txt").write_text(
        "见附件\n", encoding="utf-8"
    )  # a name with a value
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("inner/list.txt", _lines(rng, 40))
    (root / "bundle.zip").write_bytes(buf.getvalue())
    (root / "big.log").write_text(_lines(rng, 6000), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def s3(tmp_path_factory: pytest.TempPathFactory, tree: Path) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("moto")
    with moto_server(folder) as endpoint:
        upload(endpoint, "audit", "exports/tree", tree)
        yield endpoint


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory, cache_home: Path, s3: str) -> Iterator[Cluster]:
    """Two workers (their own folder, the test key, the S3 server's credentials)."""
    env = {**base_env(cache_home, TEST_KEY), **s3_env(s3)}
    with dask_cluster(tmp_path_factory.mktemp("dask"), env, workers=2) as running:
        yield running


@pytest.fixture
def client(cluster: Cluster) -> Iterator[object]:
    from distributed import Client

    with Client(cluster.address, timeout=30) as connected:
        yield connected


def _records(out: bytes) -> list[dict]:
    records = [orjson.loads(line) for line in out.splitlines()]
    for record in records:
        record.pop("seconds", None)
    return records


def test_cli_on_the_cluster_gives_the_records_of_a_local_scan_in_order(cluster: Cluster, tree: Path) -> None:
    """Relative paths (read by workers that run in another folder), JSONL and text."""
    args = ["tests/samples", os.path.relpath(tree, REPO)]
    for fmt in ("jsonl", "text"):
        here = run_dlp(["scan", "-j", "1", "-f", fmt, *args], cwd=REPO)
        there = run_dlp(["scan", "--cluster", cluster.address, "-f", fmt, *args], cwd=REPO)
        assert there.exit_code == here.exit_code == 1, there.err
        if fmt == "jsonl":
            assert _records(there.stdout) == _records(here.stdout)
            assert len(_records(here.stdout)) > 300
        else:
            assert there.stdout == here.stdout
        assert there.err.splitlines()[1:] == here.err.splitlines()[1:]  # the summary, but for the time


def test_segments_and_batches_give_the_bytes_of_one_process(
    client: object, tree: Path, cache_home: Path
) -> None:
    scanner = dlp.Scanner(dlp.ScanConfig(key=TEST_KEY, cache_dir=cache_home))
    spec = ReportSpec("jsonl", key=TEST_KEY)
    entries = list(walk([str(tree)]))
    sizing = Sizing(batch_bytes=16 * 1024, batch_files=7, split_from=256 * 1024, segment=64 * 1024)
    there = b"".join(p.rendered for p in scan_entries(client, scanner, entries, spec, sizing=sizing))
    here = b"".join(p.rendered for p in scan_here(scanner, scanner.config, entries, 1, spec))
    assert there == here
    assert there.count(b'"path":"' + str(tree / "big.log").encode()) > 500


def test_a_file_that_fails_on_a_worker_gives_the_usual_error_record(
    client: object, tmp_path: Path, cache_home: Path
) -> None:
    for n in range(3):
        (tmp_path / f"f{n}.txt").write_text(f"手机 {synthetic.mobile(random.Random(n))}\n", encoding="utf-8")
    scanner = dlp.Scanner(dlp.ScanConfig(key=TEST_KEY, cache_dir=cache_home))
    spec = ReportSpec("jsonl", key=TEST_KEY)
    entries = list(walk([str(tmp_path)]))
    (tmp_path / "f1.txt").unlink()  # walked, then gone before a worker reads it
    there = b"".join(p.rendered for p in scan_entries(client, scanner, entries, spec))
    here = b"".join(p.rendered for p in scan_here(scanner, scanner.config, entries, 1, spec))
    assert there == here
    errors = [r for r in _records(there) if r["type"] == "error"]
    assert [(r["path"], r["reason"]) for r in errors] == [(str(tmp_path / "f1.txt"), "vanished")]


def test_python_api_yields_the_scan_results_of_a_local_scan(
    client: object, tree: Path, cache_home: Path
) -> None:
    config = dlp.ScanConfig(key=TEST_KEY, cache_dir=cache_home)
    there = list(scan([str(tree)], config, client))
    here = list(dlp.Scanner(config).scan_paths([str(tree)]))
    assert there == here


def test_a_worker_killed_mid_scan_loses_nothing(tmp_path: Path, tree: Path, cache_home: Path) -> None:
    from distributed import Client

    config = dlp.ScanConfig(key=TEST_KEY, cache_dir=cache_home)
    here = list(dlp.Scanner(config).scan_paths([str(tree)]))
    env = base_env(cache_home, TEST_KEY)
    with dask_cluster(tmp_path / "dask", env, workers=2) as running, Client(running.address) as client:
        pids = client.run(os.getpid)
        victim = next(iter(pids.values()))
        there = []
        sizing = Sizing(batch_files=2, window=4)
        for n, result in enumerate(scan([str(tree)], config, client, sizing=sizing)):
            there.append(result)
            if n == 3:
                os.kill(victim, signal.SIGKILL)
        assert len(client.nthreads()) == 1  # the victim is gone, the other worker did the rest
    assert [r.path for r in there] == [r.path for r in here]
    assert there == here


def test_a_worker_with_another_key_is_refused(cluster: Cluster, tree: Path) -> None:
    """--worker-key: the workers keep their own key (the test key); this client has another."""
    other = "another-key-0123456789abcdef"
    args = ["scan", "--cluster", cluster.address, "--worker-key", "-f", "jsonl", str(tree / "a-top.txt")]
    refused = run_dlp(args, env={"DLP_KEY": other})
    assert refused.exit_code == 2
    assert b"another fingerprint key" in refused.stderr
    assert other.encode() not in refused.stderr + refused.stdout
    assert TEST_KEY not in refused.stderr + refused.stdout
    accepted = run_dlp(args, env={"DLP_KEY": TEST_KEY.decode()})
    assert accepted.exit_code == 1, accepted.err


def test_s3_prefix_gives_the_findings_of_the_same_files_on_disk(
    cluster: Cluster, tree: Path, s3: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in s3_env(s3).items():
        monkeypatch.setenv(name, value)
    url = "s3://audit/exports/tree"
    listed = [e.path for e in walk_url(url)]
    on_disk = [e.path for e in walk([str(tree)])]
    assert listed == [url + p[len(str(tree)) :] for p in on_disk]  # the same walk order
    there = run_dlp(["scan", "--cluster", cluster.address, "-f", "jsonl", url])
    here = run_dlp(["scan", "-j", "1", "-f", "jsonl", str(tree)])
    assert there.exit_code == here.exit_code == 1, there.err
    expected = _records(here.stdout.replace(str(tree).encode(), url.encode()))
    assert _records(there.stdout) == expected


def test_missing_prefix_and_urls_without_a_cluster(
    cluster: Cluster, s3: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in s3_env(s3).items():
        monkeypatch.setenv(name, value)
    assert [e.error for e in walk_url("s3://audit/no/such/prefix")] == [
        ("not_found", "no such object or prefix")
    ]
    alone = run_dlp(["scan", "s3://audit/exports/tree"])
    assert alone.exit_code == 2 and b"--cluster" in alone.stderr
    assert is_url("s3://a/b") and not is_url("notes/a.txt") and not is_url("C:/x")


def test_no_scheduler_is_a_usage_error(tmp_path: Path) -> None:
    from cluster_support import free_port

    (tmp_path / "a.txt").write_text("nothing here\n")
    done = run_dlp(
        ["scan", "--cluster", f"tcp://127.0.0.1:{free_port()}", str(tmp_path)],
        env={"DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "2s"},
    )
    assert done.exit_code == 2
    assert b"cannot reach the Dask scheduler" in done.stderr
    for address, message in (("bogus", b"--cluster wants"), ("local:0", b"at least one worker")):
        wrong = run_dlp(["scan", "--cluster", address, "-f", "sarif", str(tmp_path)])
        assert (wrong.exit_code, wrong.stdout) == (2, b"")
        assert message in wrong.stderr


def test_a_worker_without_a_key_of_its_own_is_refused_and_makes_none(
    tmp_path: Path, tree: Path, cache_home: Path
) -> None:
    env = base_env(cache_home, TEST_KEY)
    del env["DLP_KEY"]
    env["XDG_CONFIG_HOME"] = str(tmp_path / "worker-config")
    with dask_cluster(tmp_path / "dask", env, workers=1) as running:
        args = ["scan", "--cluster", running.address, "--worker-key", str(tree / "a-top.txt")]
        refused = run_dlp(args)
    assert refused.exit_code == 2
    assert b"tcp://127.0.0.1:" in refused.stderr and b"has no fingerprint key" in refused.stderr
    assert not (tmp_path / "worker-config").exists()  # no key file made up on the worker
