"""Deliver spooled findings to the collector: batched NDJSON, retried until acknowledged.

The sender reads the oldest findings from the spool, posts them as one NDJSON body
(gzip-compressed on request) with ``Authorization: Bearer <token>``, and deletes
them from the spool only after a ``200``. Answers and what follows:

* ``200``: acknowledged; the next batch goes at once.
* network error, ``5xx``, ``401``/``403``, other ``4xx``: retried after an
  exponential backoff with jitter (0.5 s doubling up to ``max_backoff``).
* ``413`` or ``400``: the batch is halved and retried; a single finding the
  collector still rejects is moved to the spool's quarantine table and logged.

Failures are logged when the state changes (collector lost, back, token refused),
not on every retry. A certificate the agent cannot verify is logged as such. The
sender thread never dies: a storage failure of the spool (disk full, I/O error,
locked) is logged plainly and retried with the same backoff, and so is anything
unexpected (logged with its type and code location).
"""

from __future__ import annotations

import gzip
import logging
import random
import ssl
import threading
import traceback

import httpx

from dlp import __version__
from dlp.agents.state import Spooled, StateDB
from dlp.agents.storage import SpoolError

log = logging.getLogger(__name__)
FIRST_BACKOFF = 0.5


def findings_url(collector: str) -> str:
    base = collector.rstrip("/")
    return base if base.endswith("/v1/findings") else base + "/v1/findings"


def describe(exc: BaseException) -> str:
    """An exception as type and code location, never its message (it might quote content)."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = f" at {frames[-1].filename.rsplit('/', 1)[-1]}:{frames[-1].lineno}" if frames else ""
    return f"{type(exc).__name__}{where}"


def _certificate_problem(exc: BaseException) -> str | None:
    """What OpenSSL said about the collector's certificate, if that is why ``exc`` happened."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ssl.SSLCertVerificationError):
            return current.verify_message or "certificate verify failed"
        if isinstance(current, ssl.SSLError) and "CERTIFICATE_VERIFY_FAILED" in str(current):
            return "certificate verify failed"
        current = current.__cause__ or current.__context__
    return None


def backoff(attempt: int, max_backoff: float, rng: random.Random) -> float:
    """Seconds to wait before retry ``attempt`` (1, 2, ...): half fixed, half random ("equal jitter")."""
    ceiling = min(max_backoff, FIRST_BACKOFF * 2 ** min(attempt - 1, 30))
    return ceiling / 2 + rng.uniform(0, ceiling / 2)


class Sender:
    def __init__(
        self,
        state: StateDB,
        *,
        collector: str,
        token: str,
        batch_size: int,
        compress: bool,
        max_backoff: float,
        verify: ssl.SSLContext | bool,
        stop: threading.Event,
    ) -> None:
        self._state = state
        self._url = findings_url(collector)
        self._token = token
        self._batch_size = batch_size
        self._limit = batch_size
        self._compress = compress
        self._max_backoff = max_backoff
        self._verify = verify
        self._stop = stop
        self._rng = random.Random()
        self._failures = 0
        self._problem: str | None = None
        self.delivered = 0

    def __repr__(self) -> str:
        return f"Sender({self._url!r})"

    def run(self) -> None:
        headers = {
            "Authorization": f"Bearer {self._token}",
            "Content-Type": "application/x-ndjson",
            "User-Agent": f"dlp-agent/{__version__}",
        }
        if self._compress:
            headers["Content-Encoding"] = "gzip"
        timeout = httpx.Timeout(30.0, connect=5.0)
        with httpx.Client(headers=headers, timeout=timeout, verify=self._verify) as client:
            while not self._stop.is_set():
                try:
                    self._state.changed.clear()
                    batch = self._state.batch(self._limit)
                    if not batch:
                        self._state.changed.wait(1.0)
                        continue
                    self._deliver(client, batch)
                except SpoolError as exc:
                    self._retry_later(f"spool {exc.problem}: sending paused", level=logging.ERROR)
                except Exception as exc:  # the sender must not die; its loop goes on
                    self._retry_later(f"sending failed ({describe(exc)})", level=logging.ERROR)

    def _deliver(self, client: httpx.Client, batch: list[Spooled]) -> None:
        body = b"\n".join(item.body for item in batch) + b"\n"
        if self._compress:
            body = gzip.compress(body, compresslevel=5)
        try:
            status = client.post(self._url, content=body).status_code
        except httpx.HTTPError as exc:
            certificate = _certificate_problem(exc)
            if certificate is not None:
                problem = f"TLS certificate verification of the collector failed ({certificate})"
                self._retry_later(problem, level=logging.ERROR)
            else:
                self._retry_later(f"collector unreachable ({type(exc).__name__})")
            return
        if status == 200:
            self._state.ack(batch)
            self.delivered += len(batch)
            if self._problem is not None:
                log.warning("collector accepts findings again (%d still spooled)", self._state.pending)
            self._problem, self._failures = None, 0
            self._limit = min(self._batch_size, self._limit * 2)
        elif status in (400, 413):
            self._shrink(batch, status)
        elif status in (401, 403):
            self._retry_later(f"collector refused the token (HTTP {status})", level=logging.ERROR)
        else:
            self._retry_later(f"collector answered HTTP {status}")

    def _shrink(self, batch: list[Spooled], status: int) -> None:
        if len(batch) > 1:
            self._limit = max(1, len(batch) // 2)
            log.warning("collector rejected a batch of %d (HTTP %d); retrying in halves", len(batch), status)
            return
        reason = "too large" if status == 413 else "malformed"
        self._state.quarantine(batch, reason)
        log.error("collector rejected finding %s as %s; moved to quarantine", batch[0].id, reason)

    def _retry_later(self, problem: str, *, level: int = logging.WARNING) -> None:
        self._failures += 1
        delay = backoff(self._failures, self._max_backoff, self._rng)
        if problem != self._problem:
            log.log(level, "%s; %d finding(s) spooled, retrying with backoff", problem, self._state.pending)
            self._problem = problem
        else:
            log.debug("%s; retry %d in %.1f s", problem, self._failures, delay)
        self._stop.wait(delay)
