"""Endpoint agent and central collector for ``dlp`` findings.

The agent (``dlp agent``) watches folders where data leaves a machine (USB mounts,
shares, download folders), scans files as they settle and streams findings to the
collector (``dlp collector serve``), which stores them in SQLite and answers
queries (``GET /v1/findings``, ``dlp collector query``).

Modules::

    wire        the finding wire format: deterministic ids, validation (shared)
    tokens      bearer tokens: token files, constant-time checks
    debounce    events -> settled paths, one scan per burst
    mounts      /proc/self/mountinfo: new mounts, network file systems
    watch       watchdog handlers (enqueue only) and observers (native or polling)
    state       the agent's SQLite state: durable spool and content-hash cache
    filescan    one file: cache check, scan, spool (atomically)
    sender      spool -> collector: batched NDJSON, retries with backoff and jitter
    agent       the agent's threads and lifecycle
    store       the collector's SQLite store
    server      the collector's HTTP API (Starlette, served by uvicorn)
    cli         ``dlp agent`` and ``dlp collector`` commands

Heavy imports (watchdog, httpx, starlette, uvicorn) happen only inside the
modules that need them, so ``dlp scan`` does not pay for them.
"""

from __future__ import annotations
