"""Real Dask schedulers and workers, and a real S3-compatible server (moto), on loopback.

Every process is a child of the test run, started with its own environment and
stopped (SIGTERM, then SIGKILL) at the end. Workers run in a folder of their own,
so relative paths given to the client are resolved the way a remote worker would.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

BIN = Path(sys.executable).parent
TEST_KEY = b"dlp-test-suite-key-0123456789abcdef"  # conftest's key, which every test runs with


@dataclass(frozen=True)
class Run:
    exit_code: int
    stdout: bytes
    stderr: bytes

    @property
    def err(self) -> str:
        return self.stderr.decode("utf-8", "replace")


def run_dlp(args: list[str], *, cwd: Path | None = None, env: dict[str, str] | None = None) -> Run:
    """``python -m dlp.cli ARGS`` as a child process with this test's environment."""
    done = subprocess.run(
        [sys.executable, "-m", "dlp.cli", *args],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        timeout=300,
        check=False,
    )
    return Run(done.returncode, done.stdout, done.stderr)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(check: Callable[[], bool], *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise TimeoutError(f"timed out waiting for {what}")


def _listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


@dataclass
class Cluster:
    """A ``dask scheduler`` and its ``dask worker`` processes."""

    address: str
    env: dict[str, str]
    folder: Path
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def add_worker(
        self, *, nanny: bool = False, env: dict[str, str] | None = None
    ) -> subprocess.Popen[bytes]:
        args = [str(BIN / "dask"), "worker", self.address, "--nthreads", "1", "--no-dashboard"]
        args += ["--host", "127.0.0.1", "--nworkers", "1"]
        if not nanny:
            args.append("--no-nanny")
        log = open(self.folder / f"worker-{len(self.procs)}.log", "wb")  # noqa: SIM115
        proc = subprocess.Popen(
            args, env={**self.env, **(env or {})}, cwd=self.folder, stdout=log, stderr=log
        )
        self.procs.append(proc)
        return proc

    def wait_for_workers(self, count: int, timeout: float = 60) -> None:
        from distributed import Client

        with Client(self.address, timeout=30) as client:
            client.wait_for_workers(count, timeout=timeout)

    def stop(self) -> None:
        for proc in reversed(self.procs):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in reversed(self.procs):
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@contextmanager
def dask_cluster(folder: Path, env: dict[str, str], workers: int) -> Iterator[Cluster]:
    """A scheduler on a free loopback port with ``workers`` single-thread workers."""
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    cluster = Cluster(f"tcp://127.0.0.1:{port}", env, folder)
    log = open(folder / "scheduler.log", "wb")  # noqa: SIM115
    args = [str(BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"]
    cluster.procs.append(subprocess.Popen(args, env=env, cwd=folder, stdout=log, stderr=log))
    try:
        wait_until(lambda: _listening(port), timeout=60, what="the Dask scheduler")
        for _ in range(workers):
            cluster.add_worker()
        cluster.wait_for_workers(workers)
        yield cluster
    finally:
        cluster.stop()


@contextmanager
def moto_server(folder: Path) -> Iterator[str]:
    """moto's S3-compatible server on a free loopback port; yields its endpoint URL."""
    port = free_port()
    log = open(folder / "moto.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen(
        [str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(port)], stdout=log, stderr=log, cwd=folder
    )
    try:
        wait_until(lambda: _listening(port), timeout=60, what="the moto server")
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def s3_env(endpoint: str) -> dict[str, str]:
    """Credentials and endpoint for the moto server, as a user would set them."""
    return {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": endpoint,
    }


def upload(endpoint: str, bucket: str, prefix: str, root: Path) -> None:
    """Copy the files under ``root`` to ``s3://bucket/prefix/...``."""
    import boto3

    s3 = boto3.client("s3", endpoint_url=endpoint, **_credentials())
    s3.create_bucket(Bucket=bucket)
    for path in sorted(root.rglob("*")):
        if path.is_file():
            s3.upload_file(str(path), bucket, f"{prefix}/{path.relative_to(root).as_posix()}")


def _credentials() -> dict[str, str]:
    return {"aws_access_key_id": "testing", "aws_secret_access_key": "testing", "region_name": "us-east-1"}


def base_env(cache_home: Path, key: bytes) -> dict[str, str]:
    env = dict(os.environ)
    env.update(DLP_KEY=key.decode(), XDG_CACHE_HOME=str(cache_home))
    env.pop("DLP_KEY_FILE", None)
    return env
