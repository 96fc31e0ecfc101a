"""Reaching a Dask cluster: ``tcp://HOST:PORT`` (or ``tls://``) of a running scheduler,
or ``local:N`` for N worker processes started here for the duration of the scan."""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Iterator
from typing import Any

from dlp.errors import ConfigError

_LOCAL = re.compile(r"^local:(\d+)$")


def _quiet() -> None:
    """Dask logs every worker start and stop at INFO on stderr, between dlp's progress and summary."""
    for name in ("distributed", "bokeh", "tornado"):
        logging.getLogger(name).setLevel(logging.ERROR)


def check_address(address: str) -> int | None:
    """The N of ``local:N``, or None for a scheduler's address; raises ConfigError when it is neither."""
    local = _LOCAL.match(address)
    if local:
        workers = int(local.group(1))
        if workers < 1:
            raise ConfigError("local:N needs at least one worker")
        return workers
    if "://" not in address:
        raise ConfigError(f"--cluster wants tcp://HOST:PORT, tls://HOST:PORT or local:N, not {address!r}")
    return None


@contextlib.contextmanager
def connect(address: str) -> Iterator[Any]:
    """A ``distributed.Client`` for ``address``, closed (and a local cluster stopped) at the end.

    How long to try to reach a scheduler is Dask's ``distributed.comm.timeouts.connect``
    (30 s; ``DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT=5s`` in the environment changes it)."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise ConfigError("--cluster needs Dask: pip install 'dlp[cluster]'") from None
    _quiet()
    workers = check_address(address)
    if workers is not None:
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        )
        try:
            with Client(cluster) as client:
                yield client
        finally:
            cluster.close()
        return
    try:
        client = Client(address)
    except (OSError, TimeoutError) as exc:
        raise ConfigError(f"cannot reach the Dask scheduler at {address}: {exc}") from None
    try:
        yield client
    finally:
        client.close()
