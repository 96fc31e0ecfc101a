"""The collector's HTTP API, built with Starlette and served by uvicorn.

``POST /v1/findings``
    NDJSON body of wire records (:mod:`dlp.agents.wire`), optionally
    ``Content-Encoding: gzip``. ``401`` without a valid bearer token, ``413`` when the
    body (on the wire or decompressed) is over ``max_body``, ``415`` for another
    encoding, ``400`` when any line is malformed (nothing of the batch is stored),
    else ``200 {"accepted": N, "duplicates": M}``.
``GET /v1/findings``
    token-protected; filters ``host``, ``detector``, ``path_prefix``, ``since`` (ISO
    8601), paging with ``limit`` (1-1000, default 100) and ``cursor`` (the
    ``next_cursor`` of the previous page). Answers ``{"findings": [...], "next_cursor": N | null}``.
``GET /healthz``
    ``{"status": "ok"}`` while the database answers; no token needed, no data shown.
"""

from __future__ import annotations

import logging
import signal
import socket
import zlib
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

import orjson
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from dlp.agents.backends import describe, open_store
from dlp.agents.queryparams import BadQuery, parse_query
from dlp.agents.tokens import TokenSet, read_tokens
from dlp.agents.wire import BadRecord, now_utc, parse_batch
from dlp.errors import ConfigError

if TYPE_CHECKING:
    from dlp.agents.backends import AnyStore

log = logging.getLogger(__name__)


class TooLarge(Exception):
    pass


class Unsupported(Exception):
    pass


def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(orjson.dumps(data), status_code=status, media_type="application/json", headers=headers)


def _error(status: int, message: str) -> Response:
    headers = {"WWW-Authenticate": 'Bearer realm="dlp-collector"'} if status == 401 else None
    return _json({"error": message}, status, headers)


def inflate(body: bytes, encoding: str | None, limit: int) -> bytes:
    """Undo ``Content-Encoding``; never produces more than ``limit`` bytes (gzip bombs)."""
    encoding = (encoding or "identity").strip().lower()
    if encoding == "identity":
        return body
    if encoding not in ("gzip", "x-gzip"):
        raise Unsupported(encoding)
    stream = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        data = stream.decompress(body, limit + 1)
        if len(data) > limit or stream.unconsumed_tail:
            raise TooLarge
        data += stream.flush()
    except zlib.error:
        raise BadRecord("body is not valid gzip") from None
    if len(data) > limit:
        raise TooLarge
    if not stream.eof or stream.unused_data:
        raise BadRecord("gzip stream is truncated or followed by other data")
    return data


async def read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise TooLarge
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise TooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def create_app(store: AnyStore, tokens: TokenSet, *, max_body: int) -> Starlette:
    def ingest(body: bytes, encoding: str | None) -> tuple[int, int]:
        records = parse_batch(inflate(body, encoding, max_body))
        return store.insert(records, now_utc()) if records else (0, 0)

    async def post_findings(request: Request) -> Response:
        client = request.client.host if request.client else "?"
        if not tokens.check(request.headers.get("authorization")):
            log.warning("rejected a request from %s: missing or wrong token", client)
            return _error(401, "missing or wrong bearer token")
        try:
            body = await read_body(request, max_body)
            accepted, duplicates = await run_in_threadpool(
                ingest, body, request.headers.get("content-encoding")
            )
        except TooLarge:
            return _error(413, f"body over {max_body} bytes")
        except Unsupported:
            return _error(415, "only gzip or identity content encodings are accepted")
        except BadRecord as exc:
            log.warning("rejected a malformed batch from %s: %s", client, exc)
            return _error(400, str(exc))
        log.debug("stored %d finding(s) from %s (%d duplicate(s))", accepted, client, duplicates)
        return _json({"accepted": accepted, "duplicates": duplicates})

    async def get_findings(request: Request) -> Response:
        if not tokens.check(request.headers.get("authorization")):
            return _error(401, "missing or wrong bearer token")
        try:
            query = parse_query(request.query_params.multi_items())
        except BadQuery as exc:
            return _error(400, str(exc))
        filters, limit, after = query.filters, query.limit, query.after
        records, cursor = await run_in_threadpool(store.query, filters, limit=limit, after=after)
        return _json({"findings": records, "next_cursor": cursor})

    async def healthz(request: Request) -> Response:
        try:
            await run_in_threadpool(store.ping)
        except store.errors:
            return _json({"status": "database unavailable"}, 503)
        return _json({"status": "ok"})

    routes = [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/v1/findings", post_findings, methods=["POST"]),
        Route("/v1/findings", get_findings, methods=["GET"]),
    ]
    return Starlette(routes=routes)


def parse_listen(listen: str) -> tuple[str, int]:
    """``HOST:PORT`` (``[::1]:8765`` for IPv6; port 0 picks a free one)."""
    host, sep, port = listen.rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port.isdigit() or int(port) > 65535:
        raise ConfigError(f"--listen wants HOST:PORT, not {listen!r}")
    return host, int(port)


def bind(host: str, port: int) -> socket.socket:
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
        sock = socket.socket(family, kind, proto)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
    except OSError as exc:
        raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    return sock


def _after_graceful_shutdown(signum: int, frame: FrameType | None) -> None:
    log.info("%s: shut down", signal.Signals(signum).name)


def serve(
    *,
    listen: str,
    db: str | Path,
    token_file: Path,
    max_body: int,
    tls_cert: Path | None = None,
    tls_key: Path | None = None,
    access_log: bool = False,
) -> None:
    """Run the collector until SIGTERM or SIGINT (uvicorn shuts down gracefully)."""
    import uvicorn

    if (tls_cert is None) != (tls_key is None):
        raise ConfigError("TLS needs both --tls-cert and --tls-key")
    tokens = TokenSet(read_tokens(token_file))
    host, port = parse_listen(listen)
    store = open_store(db)
    config = uvicorn.Config(
        create_app(store, tokens, max_body=max_body),
        log_config=None,
        access_log=access_log,
        ssl_certfile=str(tls_cert) if tls_cert else None,
        ssl_keyfile=str(tls_key) if tls_key else None,
        lifespan="off",
        server_header=False,
        timeout_graceful_shutdown=5,
    )
    try:
        config.load()
    except (OSError, ValueError) as exc:
        store.close()
        raise ConfigError(f"cannot load the TLS certificate or key: {exc}") from None
    sock = bind(host, port)
    scheme = "https" if tls_cert else "http"
    shown = f"[{host}]" if ":" in host else host
    log.info(
        "dlp collector listening on %s://%s:%d (database %s)",
        scheme,
        shown,
        sock.getsockname()[1],
        describe(db),
    )
    # uvicorn shuts down gracefully on SIGTERM/SIGINT, restores the handlers it found and
    # re-raises the signal: with these handlers that ends here, and the process exits 0.
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, _after_graceful_shutdown)
    try:
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        store.close()
        log.info("collector stopped")
