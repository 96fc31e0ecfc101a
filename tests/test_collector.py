"""The collector as a real process: real HTTP over loopback, a real SQLite file."""

from __future__ import annotations

import gzip
import shutil
import sqlite3
import ssl
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import orjson
import pytest
from test_agent_support import (
    OTHER_TOKEN,
    TOKEN,
    Proc,
    auth,
    child_env,
    get_findings,
    sample_records,
    start_collector,
    write_tokens,
)

MAX_BODY = 256 * 1024


@pytest.fixture(scope="module")
def collector(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    home = tmp_path_factory.mktemp("collector")
    procs: list[Proc] = []
    try:
        _, url = start_collector(procs, home, db=home / "findings.db", extra=("--max-body", "256K"))
        yield url, home / "findings.db"
    finally:
        for proc in procs:
            proc.kill()


def ndjson(records: list[dict]) -> bytes:
    return b"".join(orjson.dumps(r) + b"\n" for r in records)


def post(url: str, body: bytes, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.post(f"{url}/v1/findings", content=body, headers=headers, timeout=10)


def stored_ids(db: Path) -> set[str]:
    with sqlite3.connect(db) as conn:
        return {row[0] for row in conn.execute("SELECT id FROM findings")}


def test_healthz_needs_no_token(collector: tuple[str, Path]) -> None:
    url, _ = collector
    reply = httpx.get(f"{url}/healthz", timeout=10)
    assert reply.status_code == 200
    assert reply.json() == {"status": "ok"}


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong-token-0123456789abcdef"},
        {"Authorization": f"Basic {TOKEN}"},
        {"Authorization": f"Bearer {TOKEN}x"},
        {"Authorization": "Bearer"},
    ],
    ids=["missing", "wrong", "not-bearer", "longer", "empty"],
)
def test_post_without_a_valid_token_is_401_and_stores_nothing(
    collector: tuple[str, Path], headers: dict[str, str]
) -> None:
    url, db = collector
    records = sample_records(3, host="unauthorised")
    reply = post(url, ndjson(records), headers)
    assert reply.status_code == 401
    assert reply.headers["www-authenticate"].startswith("Bearer")
    assert TOKEN not in reply.text
    assert not stored_ids(db) & {r["id"] for r in records}
    assert httpx.get(f"{url}/v1/findings", headers=headers, timeout=10).status_code == 401


def test_accepts_a_batch_then_counts_resends_as_duplicates(collector: tuple[str, Path]) -> None:
    url, _ = collector
    records = sample_records(50, host="ws-accept")
    first = post(url, ndjson(records), auth())
    assert first.status_code == 200
    assert first.json() == {"accepted": 50, "duplicates": 0}
    again = post(url, ndjson(records[:20] + sample_records(5, host="ws-accept", seed=2)), auth(OTHER_TOKEN))
    assert again.json() == {"accepted": 5, "duplicates": 20}
    stored = get_findings(url, host="ws-accept")
    assert len(stored) == 55
    assert {r["id"] for r in stored} >= {r["id"] for r in records}
    assert all("value" not in r for r in stored)


def test_duplicates_inside_one_batch_are_stored_once(collector: tuple[str, Path]) -> None:
    url, _ = collector
    record = sample_records(1, host="ws-twice")[0]
    reply = post(url, ndjson([record, record, record]), auth())
    assert reply.json() == {"accepted": 1, "duplicates": 2}


def test_gzip_body_is_accepted(collector: tuple[str, Path]) -> None:
    url, _ = collector
    records = sample_records(200, host="ws-gzip")
    headers = {**auth(), "Content-Encoding": "gzip"}
    reply = post(url, gzip.compress(ndjson(records)), headers)
    assert reply.json() == {"accepted": 200, "duplicates": 0}


def _tampered_id(record: dict) -> dict:
    return {**record, "id": "0" * 64}


@pytest.mark.parametrize(
    "spoil",
    [
        lambda good: ndjson(good) + b"{not json\n",
        lambda good: ndjson(good) + orjson.dumps({**good[0], "value": "13800000000"}) + b"\n",
        lambda good: ndjson(good) + orjson.dumps(_tampered_id(good[0])) + b"\n",
        lambda good: ndjson(good) + orjson.dumps({k: v for k, v in good[0].items() if k != "masked"}) + b"\n",
        lambda good: ndjson(good) + orjson.dumps({**good[0], "location": {"offset": -1, "line": 1}}) + b"\n",
        lambda good: ndjson(good) + orjson.dumps({**good[0], "time": "yesterday"}) + b"\n",
        lambda good: ndjson(good) + b"[1, 2, 3]\n",
        lambda good: ndjson(good) + b"\xff\xfe\n",
    ],
    ids=[
        "json",
        "raw-value",
        "wrong-id",
        "missing-field",
        "bad-location",
        "bad-time",
        "not-object",
        "binary",
    ],
)
def test_malformed_batch_is_400_and_nothing_of_it_is_stored(
    collector: tuple[str, Path], spoil: Callable[[list[dict]], bytes]
) -> None:
    url, db = collector
    good = sample_records(10, host="ws-malformed", seed=5)
    reply = post(url, spoil(good), auth())
    assert reply.status_code == 400
    assert "line 11" in reply.json()["error"]
    assert "13800000000" not in reply.text
    assert not stored_ids(db) & {r["id"] for r in good}


def test_broken_gzip_is_400(collector: tuple[str, Path]) -> None:
    url, _ = collector
    body = gzip.compress(ndjson(sample_records(5, host="ws-badgzip")))
    headers = {**auth(), "Content-Encoding": "gzip"}
    assert post(url, body[:-12], headers).status_code == 400
    assert post(url, b"plain text", headers).status_code == 400


def test_unknown_encoding_is_415(collector: tuple[str, Path]) -> None:
    url, _ = collector
    reply = post(url, b"", {**auth(), "Content-Encoding": "br"})
    assert reply.status_code == 415


def test_body_over_the_limit_is_413(collector: tuple[str, Path]) -> None:
    url, db = collector
    records = sample_records(2000, host="ws-big")
    body = ndjson(records)
    assert len(body) > MAX_BODY
    assert post(url, body, auth()).status_code == 413

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit holds while streaming
        yield from (body[i : i + 65536] for i in range(0, len(body), 65536))

    assert post(url, chunks(), auth()).status_code == 413  # type: ignore[arg-type]
    assert not stored_ids(db) & {r["id"] for r in records}


def test_gzip_bomb_is_413(collector: tuple[str, Path]) -> None:
    url, _ = collector
    bomb = gzip.compress(b"\n" * (64 * 1024 * 1024), compresslevel=9)
    assert len(bomb) < MAX_BODY
    reply = post(url, bomb, {**auth(), "Content-Encoding": "gzip"})
    assert reply.status_code == 413


def test_query_filters_and_paging(collector: tuple[str, Path]) -> None:
    url, _ = collector
    mixed = sample_records(30, host="ws-query-a", path="/media/usb/a.csv", seed=11)
    mixed += sample_records(20, host="ws-query-b", path="/srv/share/b.csv", seed=12)
    assert post(url, ndjson(mixed), auth()).json()["accepted"] == 50

    page = httpx.get(
        f"{url}/v1/findings", params={"host": "ws-query-a", "limit": 7}, headers=auth(), timeout=10
    )
    assert page.status_code == 200
    assert len(page.json()["findings"]) == 7
    assert isinstance(page.json()["next_cursor"], int)
    everything = get_findings(url, host="ws-query-a")
    assert [r["id"] for r in everything] == [r["id"] for r in mixed[:30]]  # insertion order, no gaps

    by_prefix = get_findings(url, path_prefix="/srv/share/")
    assert {r["host"] for r in by_prefix} == {"ws-query-b"}
    assert len(by_prefix) == 20
    mobiles = get_findings(url, host="ws-query-b", detector="cn_mobile")
    assert mobiles and all(r["detector"] == "cn_mobile" for r in mobiles)
    assert len(get_findings(url, host="ws-query-a", since="2024-06-01T07:59:59Z")) == 30
    assert get_findings(url, host="ws-query-a", since="2024-06-01T08:00:01+00:00") == []
    assert get_findings(url, host="ws-nobody") == []


@pytest.mark.parametrize(
    "query",
    [
        "limit=0",
        "limit=5000",
        "limit=%2B5",
        "limit=99999999999999999999999",
        "cursor=x",
        "cursor=-1",
        "cursor=99999999999999999999999",
        "cursor=9223372036854775808",
        "since=soon",
        "since=99999-01-01",
        "host=a%00b",
        "detector=" + "d" * 200,
        "path_prefix=" + "p" * 5000,
        "hots=ws-1",
        "host=a&host=b",
    ],
)
def test_bad_query_parameters_are_400_with_a_message(collector: tuple[str, Path], query: str) -> None:
    url, _ = collector
    reply = httpx.get(f"{url}/v1/findings?{query}", headers=auth(), timeout=10)
    assert reply.status_code == 400
    message = reply.json()["error"]
    assert message and "b" * 3 not in message and "p" * 10 not in message  # names, never echoes


def test_the_largest_cursor_and_a_prefix_ending_in_u_d7ff_are_answered(collector: tuple[str, Path]) -> None:
    url, _ = collector
    records = sample_records(3, host="ws-d7ff", path="/media/usb/\ud7ff/\ud7ff.csv", seed=21)
    assert post(url, ndjson(records), auth()).json()["accepted"] == 3
    found = get_findings(url, path_prefix="/media/usb/\ud7ff")
    assert [r["id"] for r in found] == [r["id"] for r in records]
    reply = httpx.get(f"{url}/v1/findings?cursor=9223372036854775807", headers=auth(), timeout=10)
    assert reply.status_code == 200 and reply.json() == {"findings": [], "next_cursor": None}


def run_cli(args: list[str], home: Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "dlp.cli", *args],
        capture_output=True,
        env=child_env(home),
        timeout=60,
        check=False,
    )


def test_query_command_reads_the_same_store(collector: tuple[str, Path], tmp_path: Path) -> None:
    url, db = collector
    records = sample_records(12, host="ws-cli", path="/home/u/Downloads/x.csv", seed=21)
    post(url, ndjson(records), auth())
    done = run_cli(["collector", "query", "--db", str(db), "--format", "jsonl", "--host", "ws-cli"], tmp_path)
    assert done.returncode == 0, done.stderr
    lines = [orjson.loads(line) for line in done.stdout.splitlines()]
    assert [r["id"] for r in lines] == [r["id"] for r in records]
    assert lines[0]["location"] == records[0]["location"]

    text = run_cli(
        ["collector", "query", "--db", str(db), "--path-prefix", "/home/u/", "--limit", "3"], tmp_path
    )
    assert text.returncode == 0
    rows = text.stdout.decode().splitlines()
    assert len(rows) == 3
    assert all("/home/u/Downloads/x.csv" in row and "ws-cli" in row for row in rows)

    since = run_cli(["collector", "query", "--db", str(db), "--since", "2030-01-01"], tmp_path)
    assert since.returncode == 0 and since.stdout == b""
    missing = run_cli(["collector", "query", "--db", str(tmp_path / "none.db")], tmp_path)
    assert missing.returncode == 2
    bad_since = run_cli(["collector", "query", "--db", str(db), "--since", "later"], tmp_path)
    assert bad_since.returncode == 2


def test_serve_refuses_bad_configuration(tmp_path: Path) -> None:
    short = tmp_path / "short-tokens"
    short.write_text("tiny\n")
    done = run_cli(
        ["collector", "serve", "--db", str(tmp_path / "c.db"), "--token-file", str(short)], tmp_path
    )
    assert done.returncode == 2
    assert b"tiny" not in done.stderr
    good = write_tokens(tmp_path / "tokens", TOKEN)
    bad_listen = run_cli(
        [
            "collector",
            "serve",
            "--listen",
            "nowhere",
            "--db",
            str(tmp_path / "c.db"),
            "--token-file",
            str(good),
        ],
        tmp_path,
    )
    assert bad_listen.returncode == 2
    half_tls = run_cli(
        ["collector", "serve", "--db", str(tmp_path / "c.db"), "--token-file", str(good), "--tls-cert", "x"],
        tmp_path,
    )
    assert half_tls.returncode == 2


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
def test_tls(tmp_path: Path) -> None:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    procs: list[Proc] = []
    try:
        _, url = start_collector(
            procs, tmp_path, db=tmp_path / "tls.db", extra=("--tls-cert", str(cert), "--tls-key", str(key))
        )
        assert url.startswith("https://")
        with httpx.Client(verify=ssl.create_default_context(cafile=cert), timeout=10) as client:
            reply = client.post(f"{url}/v1/findings", content=ndjson(sample_records(3)), headers=auth())
            assert reply.json() == {"accepted": 3, "duplicates": 0}
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"{url}/healthz", timeout=10)  # an unknown certificate is refused
    finally:
        for proc in procs:
            proc.kill()
