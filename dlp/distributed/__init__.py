"""Scans on a Dask cluster: many machines (or processes) sweeping a file store together.

Embed it::

    from distributed import Client
    import dlp
    from dlp import distributed

    with Client("tcp://scheduler:8786") as client:
        for result in distributed.scan(["s3://bucket/exports"], dlp.ScanConfig(), client):
            ...

The client walks the paths (or lists the store) and hands the workers batches of
files sized by bytes and segments of large text files (:mod:`dlp.distributed.sweep`);
each worker builds its scanner once, through a worker plugin, with the client's
configuration and fingerprint key (:mod:`dlp.distributed.worker`); plain paths
must be mounted on every worker, URLs are read through fsspec
(:mod:`dlp.distributed.stores`). Results come back in walk order, as from a scan
on one machine. Needs ``pip install 'dlp[cluster]'``.
"""

from __future__ import annotations

from dlp.distributed.sweep import Sizing, scan, scan_entries
from dlp.distributed.worker import KeyMismatch, key_check

__all__ = ["KeyMismatch", "Sizing", "key_check", "scan", "scan_entries"]
